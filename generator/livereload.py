"""Serve a built site on loopback for preview, and tell open pages to reload after a rebuild.

Input: the output folder and a `BuildSignal` whose token changes after each good rebuild.
Output: an HTTP server (`PreviewHTTPServer`) answering files with their content types, folder
redirects, the 404 page, never a path outside the folder; and a server-sent-events channel
that sends the token, which the injected script compares to decide to reload. The script is
added to HTML responses only: files on disk never contain it. No watching, no building here.
"""

from __future__ import annotations

import ipaddress
import logging
import mimetypes
import secrets
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

EVENTS_URL = "/__digest/events"
SCRIPT_URL = "/__digest/livereload.js"
KEEPALIVE_SECONDS = 15.0  # an SSE comment this often lets a handler notice a closed tab
# The page keeps the first build token it hears; a different one means a newer build (or a
# restarted server), so it reloads. EventSource reconnects by itself when the server restarts.
LIVERELOAD_JS = b"""// Added by `digest serve` only: reload this page after each successful rebuild.
(() => {
  let seen = null;
  const source = new EventSource("/__digest/events");
  source.addEventListener("build", (event) => {
    if (seen !== null && event.data !== seen) location.reload();
    seen = event.data;
  });
})();
"""
_SCRIPT_TAG = f'<script src="{SCRIPT_URL}"></script>'.encode()

#: Content types by extension; checked before `mimetypes`, whose table depends on the machine.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".webmanifest": "application/manifest+json",
    # Pagefind's index files are gzip-compressed binaries its own script decodes.
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}
_SPECIAL_FEEDS = {
    "feed.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}


def is_loopback(host: str) -> bool:
    """Return True when host only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_url_path(root: Path, url: str) -> Path | None:
    """Return the file or folder under root that a request path names, or None if it leaves root."""
    path = unquote(urlsplit(url).path)
    if "\x00" in path or "\\" in path:
        return None
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    target = root.joinpath(*parts)
    # Resolve symlinks too: a link inside the site must not reach outside it.
    real_root = root.resolve()
    real = target.resolve()
    if real != real_root and real_root not in real.parents:
        return None
    return target


def content_type(path: Path) -> str:
    """Return the Content-Type to serve a file with."""
    if path.name in _SPECIAL_FEEDS:
        return _SPECIAL_FEEDS[path.name]
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def inject_script(html: bytes) -> bytes:
    """Return an HTML document with the live-reload script added before its closing body tag."""
    at = html.lower().rfind(b"</body>")
    if at < 0:
        return html + _SCRIPT_TAG
    return html[:at] + _SCRIPT_TAG + html[at:]


class BuildSignal:
    """The build token open pages follow: a new one after each good rebuild makes them reload."""

    def __init__(self) -> None:
        self._server_id = secrets.token_hex(4)
        self._generation = 0
        self._changed = threading.Condition()
        self.closed = False

    @property
    def token(self) -> str:
        """Return the current token: this server's id and the number of rebuilds announced."""
        return f"{self._server_id}-{self._generation}"

    def announce(self) -> None:
        """Hand out a new token: open pages reload."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait(self, token: str, timeout: float) -> str:
        """Block until the token differs from token, the signal closes or timeout; return the current one."""
        with self._changed:
            self._changed.wait_for(lambda: self.token != token or self.closed, timeout=timeout)
            return self.token

    def close(self) -> None:
        """Wake every waiting event stream so that it ends."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()


class PreviewHTTPServer(ThreadingHTTPServer):
    """Serve output_dir on host:port (IPv6 when host has a colon), with the reload channel."""

    daemon_threads = True  # a stuck browser connection must never keep the process alive

    def __init__(self, host: str, port: int, output_dir: Path, signal: BuildSignal) -> None:
        self.host = host
        self.output_dir = output_dir
        self.signal = signal
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host.strip("[]"), port), _Handler)

    @property
    def port(self) -> int:
        """Return the port bound (the one picked when 0 was asked for)."""
        return int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    """Serve the output folder: files, folder redirects, the 404 page and the reload channel."""

    server: PreviewHTTPServer
    server_version = "digest-serve"

    def do_GET(self) -> None:
        """Answer a GET request."""
        self._respond(head=False)

    def do_HEAD(self) -> None:
        """Answer a HEAD request."""
        self._respond(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Send request logs to the debug log instead of stderr."""
        logger.debug("%s %s", self.address_string(), format % args)

    def _respond(self, *, head: bool) -> None:
        if not self._host_allowed():
            # DNS rebinding: a web page could point its own host name at 127.0.0.1 and read
            # the unpublished preview; a loopback preview answers loopback names only.
            self._send(HTTPStatus.FORBIDDEN, b"unexpected Host header\n", "text/plain; charset=utf-8", head=head)
            return
        path = urlsplit(self.path).path
        if path == EVENTS_URL and not head:
            self._events(self.server.signal)
            return
        if path == SCRIPT_URL:
            self._send(HTTPStatus.OK, LIVERELOAD_JS, "text/javascript; charset=utf-8", head=head)
            return
        root = self.server.output_dir
        target = resolve_url_path(root, self.path)
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                # Relative links inside an index page only work from the slash form.
                query = urlsplit(self.path).query
                location = urlsplit(self.path).path + "/" + (f"?{query}" if query else "")
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        if target is None or not target.is_file():
            self._not_found(root, head=head)
            return
        try:
            data = target.read_bytes()
        except OSError:
            # The file vanished between the check and the read (an atomic rebuild swapped it).
            self._not_found(root, head=head)
            return
        self._send(HTTPStatus.OK, data, content_type(target), head=head)

    def _host_allowed(self) -> bool:
        """Return False when a loopback preview is asked for under a non-loopback host name."""
        host = self.headers.get("Host")
        if not host or not is_loopback(self.server.host):
            return True
        name = urlsplit(f"//{host}").hostname or ""
        return is_loopback(name)

    def _not_found(self, root: Path, *, head: bool) -> None:
        page = root / "404.html"
        try:
            data = page.read_bytes()
        except OSError:
            data = b"<!doctype html><title>Not found</title><h1>404 Not found</h1></html>"
        self._send(HTTPStatus.NOT_FOUND, data, "text/html; charset=utf-8", head=head)

    def _send(self, status: HTTPStatus, data: bytes, ctype: str, *, head: bool) -> None:
        if ctype.startswith("text/html"):
            data = inject_script(data)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a preview must always show the latest build
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self, signal: BuildSignal) -> None:
        """Stream `build` events: the current token now, a new one after each good rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        token = signal.token
        try:
            self.wfile.write(f"retry: 1000\nevent: build\ndata: {token}\n\n".encode())
            self.wfile.flush()
            while True:
                new = signal.wait(token, KEEPALIVE_SECONDS)
                if signal.closed:
                    return
                if new == token:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    token = new
                    self.wfile.write(f"event: build\ndata: {token}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return  # the tab was closed
