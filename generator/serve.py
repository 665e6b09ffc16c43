"""Preview a site: build it, serve it on loopback, rebuild on every change, reload open pages.

Input: the config and the content/output folders. Output: an HTTP server over the output
folder (404 page, trailing-slash redirects, no path outside it) plus watcher threads that
rebuild the cheapest way per kind of change and keep the last good site on failure. The
live-reload script is added to HTML responses only; files on disk never contain it.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import mimetypes
import os
import queue
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import watchfiles

from generator.config import Config, load_config
from generator.content import read_article
from generator.errors import ContentError, DigestError
from generator.lock import BusyError
from generator.log import RunReport

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
_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")


class Builder(Protocol):
    """What the preview server needs from the site builder (`generator.build.SiteBuilder`)."""

    def build(self, report: RunReport) -> Any:
        """Build the whole site atomically."""

    def rebuild(self, changed: Iterable[Path], report: RunReport) -> Any:
        """Rebuild after the given content files changed."""


BuilderFactory = Callable[[Config, Path, Path], Builder]


class ChangeKind(enum.Enum):
    """What a changed file is, which decides the cheapest rebuild that covers it."""

    CONTENT = "content"  # one article: re-render what shows it
    TEMPLATE = "template"  # a template or static file: everything
    CONFIG = "config"  # digest.yaml: reload it, then everything
    RAW = "raw"  # a raw input: ingest it, then treat the content it wrote as CONTENT


@dataclass
class _Batch:
    """Debounced changes waiting for one rebuild, sorted by kind."""

    content: set[Path] = field(default_factory=set)
    raw: set[Path] = field(default_factory=set)
    full: list[Path] = field(default_factory=list)
    config: bool = False

    def __bool__(self) -> bool:
        return bool(self.content or self.raw or self.full or self.config)


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


def _default_builder(config: Config, content_dir: Path, output_dir: Path) -> Builder:
    from generator.build import SiteBuilder

    return SiteBuilder(config, content_dir=content_dir, output_dir=output_dir)


def _snapshot(folder: Path) -> dict[Path, int]:
    """Return the modification time of every Markdown file under folder."""
    out: dict[Path, int] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                path = Path(root) / name
                try:
                    out[path] = path.stat().st_mtime_ns
                except OSError:
                    continue
    return out


def _what_was_built(result: Any) -> str:
    """Return `412 pages` for a full build or `3 files` for an incremental one."""
    full = getattr(result, "full", True)
    count = getattr(result, "pages" if full else "written", None)
    if not isinstance(count, int):
        return "the site"
    noun = "page" if full else "file"
    return f"{count} {noun}{'s' if count != 1 else ''}"


class _Server(ThreadingHTTPServer):
    """The HTTP server, holding a reference back to its PreviewServer."""

    daemon_threads = True  # a stuck browser connection must never keep the process alive
    preview: PreviewServer


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """Serve the output folder: files, folder redirects, the 404 page and the reload channel."""

    server: _Server
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
        preview = self.server.preview
        if not self._host_allowed(preview):
            # DNS rebinding: a web page could point its own host name at 127.0.0.1 and read
            # the unpublished preview; a loopback preview answers loopback names only.
            self._send(HTTPStatus.FORBIDDEN, b"unexpected Host header\n", "text/plain; charset=utf-8", head=head)
            return
        path = urlsplit(self.path).path
        if path == EVENTS_URL and not head:
            self._events(preview)
            return
        if path == SCRIPT_URL:
            self._send(HTTPStatus.OK, LIVERELOAD_JS, "text/javascript; charset=utf-8", head=head)
            return
        root = preview.output_dir
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

    def _host_allowed(self, preview: PreviewServer) -> bool:
        """Return False when a loopback preview is asked for under a non-loopback host name."""
        host = self.headers.get("Host")
        if not host or not is_loopback(preview.host):
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

    def _events(self, preview: PreviewServer) -> None:
        """Stream `build` events: the current token now, a new one after each good rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        token = preview.token
        try:
            self.wfile.write(f"retry: 1000\nevent: build\ndata: {token}\n\n".encode())
            self.wfile.flush()
            while True:
                new = preview.wait_for_build(token, KEEPALIVE_SECONDS)
                if preview.stopping:
                    return
                if new == token:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    token = new
                    self.wfile.write(f"event: build\ndata: {token}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return  # the tab was closed


class _WatchFilter(watchfiles.DefaultFilter):
    """Pass only the files the preview cares about; drop editor swap files and the output."""

    def __init__(self, preview: PreviewServer) -> None:
        super().__init__()
        self.preview = preview

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        """Return True when a changed path should trigger a rebuild."""
        name = os.path.basename(path)
        if name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES) or name == "4913":
            return False  # editor and atomic-write temporaries; the final rename is what counts
        return super().__call__(change, path) and self.preview.classify(Path(path)) is not None


class PreviewServer:
    """A local preview: initial build, HTTP server, watchers and rebuilds, in background threads.

    `start()` builds and begins serving; `stop()` shuts everything down. The CLI wraps it;
    tests drive it directly on port 0.
    """

    def __init__(
        self,
        config: Config,
        *,
        content_dir: Path | None = None,
        output_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        ingest: bool = True,
        watch: bool = True,
        builder_factory: BuilderFactory = _default_builder,
        step_ms: int = 50,
    ) -> None:
        self.config = config
        self.content_dir = (content_dir or config.paths.content).resolve()
        self.output_dir = (output_dir or config.paths.site).resolve()
        self.host = host
        self.port = port
        self.ingest = ingest
        self.watch = watch
        self.builder_factory = builder_factory
        self.step_ms = step_ms
        self.builder = builder_factory(config, self.content_dir, self.output_dir)
        self.builds = 0  # successful rebuilds since start (not counting the first build)
        self.failures = 0
        self.stopping = False
        self._server_id = secrets.token_hex(4)
        self._generation = 0
        self._changed = threading.Condition()
        self._stop_event = threading.Event()
        self._queue: queue.Queue[set[tuple[watchfiles.Change, str]]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._rewatch = threading.Event()  # set when the folders to watch may have changed
        self._tree_ready = threading.Event()
        self._root_ready = threading.Event()
        self._httpd: _Server | None = None
        # Content files this process wrote itself (by ingest), with the mtime it left them at:
        # their watcher events arrive later and must not trigger a second rebuild.
        self._settled: dict[Path, int] = {}

    # -- public API ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """Return the address the site is served at."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def token(self) -> str:
        """Return the build token pages compare to decide whether to reload."""
        return f"{self._server_id}-{self._generation}"

    def start(self) -> None:
        """Bind the port, build the site, then serve and watch in background threads."""
        self.warn_if_public()
        # Bind before the first build, so a busy port fails at once rather than after it.
        server_class = _Server6 if ":" in self.host else _Server
        httpd = server_class((self.host.strip("[]"), self.port), _Handler)
        httpd.preview = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        before = _snapshot(self.content_dir)
        try:
            self._initial_build()
        except BaseException:
            httpd.server_close()
            self._httpd = None
            raise
        self._spawn("serve", lambda: httpd.serve_forever(poll_interval=0.1))
        if self.watch:
            self._start_watchers()
            for ready in (self._tree_ready, self._root_ready):
                if not ready.wait(timeout=30):
                    logger.warning("the file watcher is slow to start: early edits may need a second save")
            # Edits saved while the first build ran came before the watches: replay them.
            after = _snapshot(self.content_dir)
            missed = {(watchfiles.Change.modified, str(p)) for p, m in after.items() if before.get(p) != m}
            missed |= {(watchfiles.Change.deleted, str(p)) for p in before.keys() - after.keys()}
            if missed:
                self._queue.put(missed)

    def warn_if_public(self) -> None:
        """Log a loud warning when the host lets other machines read the preview."""
        if not is_loopback(self.host):
            logger.warning(
                "serving on %s, which other machines can reach: anyone on the network can read this "
                "unpublished preview (use --host 127.0.0.1 to keep it local)",
                self.host,
            )

    @property
    def threads(self) -> tuple[threading.Thread, ...]:
        """Return the background threads this server started."""
        return tuple(self._threads)

    def stop(self) -> None:
        """Stop serving and watching; return once the background threads have ended."""
        self.stopping = True
        self._stop_event.set()
        with self._changed:
            self._changed.notify_all()  # wake the event streams so they close
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        self._queue.put(set())  # wake the rebuild loop
        for thread in self._threads:
            thread.join(timeout=30)

    def wait_for_build(self, token: str, timeout: float) -> str:
        """Block until the build token differs from token (or timeout); return the current one."""
        with self._changed:
            self._changed.wait_for(lambda: self.token != token or self.stopping, timeout=timeout)
            return self.token

    def classify(self, path: Path) -> ChangeKind | None:
        """Return what kind of input a changed path is, or None when the preview ignores it."""
        path = path.absolute()
        if self.config.config_path and path == self.config.config_path:
            return ChangeKind.CONFIG
        if _is_under(path, self.output_dir):
            return None
        if _is_under(path, self.content_dir):
            return ChangeKind.CONTENT
        if _is_under(path, self.config.paths.templates):
            return ChangeKind.TEMPLATE
        if self.ingest and _is_under(path, self.config.paths.raw):
            return ChangeKind.RAW
        return None

    def apply_changes(self, changes: Iterable[tuple[watchfiles.Change, str]]) -> bool:
        """Rebuild for a batch of changes; return True when the site was rebuilt successfully."""
        batch = self._sort(changes)
        if not batch:
            return False
        started = time.perf_counter()
        report = RunReport()
        reason = ""
        try:
            if batch.config and not self._reload_config():
                self.failures += 1
                batch.config = False  # keep the old config, but still rebuild the other changes
            if batch.raw:
                batch.content |= self._ingest_raw(sorted(batch.raw), report)
            if batch.config or batch.full:
                reason = "digest.yaml changed" if batch.config else _shown(batch.full[0])
                result = self.builder.build(report)
            elif batch.content:
                changed = self._usable(sorted(batch.content))
                if not changed:
                    return False
                reason = _shown(changed[0]) + (f" and {len(changed) - 1} more" if len(changed) > 1 else "")
                result = self.builder.rebuild(changed, report)
            else:
                return False  # raw files that changed no content
        except BusyError as exc:
            # Another digest run (a `digest build` in a terminal) holds the folder: not a mistake.
            for problem in exc.problems:
                logger.warning("%s", problem)
            logger.warning("rebuild skipped: still serving the last good site (save again once that run ends)")
            self.failures += 1
            return False
        except DigestError as exc:
            for problem in exc.problems:
                logger.error("%s", problem)
            logger.error("rebuild failed: still serving the last good site (fix the problem and save again)")
            self.failures += 1
            return False
        except Exception:
            # A bug in a stage must not end the preview: log it and keep the last good site.
            logger.exception("rebuild crashed: still serving the last good site")
            self.failures += 1
            return False
        seconds = time.perf_counter() - started
        if report.failed:
            self.failures += 1
            logger.error("rebuilt with %d problem(s) in %.2f s (%s)", len(report.errors), seconds, reason)
        else:
            logger.info("rebuilt %s in %.2f s (%s)", _what_was_built(result), seconds, reason)
        self.builds += 1
        with self._changed:
            self._generation += 1
            self._changed.notify_all()
        return not report.failed

    # -- internals ------------------------------------------------------------------

    def _spawn(self, name: str, target: Callable[[], Any]) -> None:
        thread = threading.Thread(target=target, name=f"digest-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _initial_build(self) -> None:
        """Ingest raw/ when asked, then build everything; a failure leaves the old site served."""
        report = RunReport()
        raw = self.config.paths.raw
        try:
            if self.ingest and raw.is_dir():
                from generator.ingest import ingest_paths

                result = ingest_paths([raw], self.config, content_dir=self.content_dir, report=report)
                logger.info("%s", result.summary)
            built = self.builder.build(report)
        except DigestError as exc:
            for problem in exc.problems:
                logger.error("%s", problem)
            logger.error("first build failed: serving what %s holds until a change builds", _shown(self.output_dir))
            return
        logger.info("%s", getattr(built, "summary", "built the site"))

    def _watch_roots(self) -> list[Path]:
        """Return the existing folders to watch recursively."""
        folders = [self.content_dir, self.config.paths.templates]
        if self.ingest:
            folders.append(self.config.paths.raw)
        return [f for f in dict.fromkeys(folders) if f.is_dir()]

    def _start_watchers(self) -> None:
        self._spawn("watch", self._watch_tree)
        # Watch the site's folder itself too, not digest.yaml: editors save by renaming a new
        # file over the old one, and a watch on the file goes deaf after the first such save.
        # It also sees content/, templates/ or raw/ being created after the start.
        root = [self.config.paths.root]
        self._spawn(
            "watch-root",
            lambda: self._watch(root, recursive=False, stop=self._stop_event, on_ready=self._root_ready.set),
        )
        self._spawn("rebuild", self._rebuild_loop)

    def _watch_tree(self) -> None:
        """Watch the input folders recursively, starting over whenever the set of folders changes."""
        watched: set[Path] = set()
        while not self._stop_event.is_set():
            self._rewatch.clear()
            folders = self._watch_roots()
            added = [f for f in folders if f not in watched] if self._tree_ready.is_set() else []
            watched = set(folders)
            logger.info("watching %s", ", ".join(_shown(f) for f in folders) or "nothing yet")

            def ready(added: list[Path] = added) -> None:
                self._tree_ready.set()
                if added:
                    # Files saved into a new folder before its watch began would go unseen.
                    self._queue.put({(watchfiles.Change.added, str(f)) for f in added})

            if folders:
                self._watch(folders, recursive=True, stop=_AnyEvent(self._stop_event, self._rewatch), on_ready=ready)
            else:
                ready()
                while not (self._stop_event.is_set() or self._rewatch.wait(0.2)):
                    pass

    def _watch(
        self, folders: list[Path], *, recursive: bool, stop: threading.Event | _AnyEvent, on_ready: Callable[[], None]
    ) -> None:
        try:
            # yield_on_timeout: the first (empty) yield tells that the OS watches are in place.
            first = True
            for changes in watchfiles.watch(
                *folders,
                watch_filter=_WatchFilter(self),
                step=self.step_ms,
                stop_event=stop,
                rust_timeout=200,
                yield_on_timeout=True,
                recursive=recursive,
                raise_interrupt=False,
            ):
                if first:
                    first = False
                    on_ready()
                if changes:
                    self._queue.put(changes)
        except Exception:
            logger.exception("watching %s stopped; restart digest serve", ", ".join(map(str, folders)))

    def _rebuild_loop(self) -> None:
        while not self._stop_event.is_set():
            changes = self._queue.get()
            # Merge everything already waiting: two bursts become one rebuild.
            while True:
                try:
                    changes |= self._queue.get_nowait()
                except queue.Empty:
                    break
            if self._stop_event.is_set():
                return
            if changes:
                self.apply_changes(changes)

    def _sort(self, changes: Iterable[tuple[watchfiles.Change, str]]) -> _Batch:
        batch = _Batch()
        roots = {self.content_dir, self.config.paths.templates, self.config.paths.raw}
        for change, name in changes:
            path = Path(name).absolute()
            if path in roots:
                if change is not watchfiles.Change.modified:
                    self._rewatch.set()  # a watched folder appeared or vanished: watch the new set
                    batch.full.append(path)
                continue
            kind = self.classify(path)
            if kind is ChangeKind.CONFIG:
                batch.config = True
            elif kind is ChangeKind.TEMPLATE:
                batch.full.append(path)
            elif kind is ChangeKind.RAW:
                if change is not watchfiles.Change.deleted and path.is_file():
                    batch.raw.add(path)  # a deleted raw file changes nothing: content/ is the record
            elif kind is ChangeKind.CONTENT:
                if path.suffix != ".md":
                    batch.full.append(path)  # a folder or a non-article file: let the full build sort it out
                elif not self._already_built(path):
                    batch.content.add(path)
        return batch

    def _already_built(self, path: Path) -> bool:
        """Return True for a content file this process wrote and has already rebuilt for."""
        mtime = self._settled.pop(path, None)
        if mtime is None:
            return False
        try:
            return path.stat().st_mtime_ns == mtime
        except OSError:
            return False

    def _usable(self, paths: list[Path]) -> list[Path]:
        """Return the changed content files that parse; log the problem of each one that does not.

        A broken file is kept from the builder, so the site goes on showing its last good
        version; saving a fixed version brings it back through the normal rebuild.
        """
        usable = []
        for path in paths:
            if not path.is_file():
                usable.append(path)  # deleted: the builder drops its pages
                continue
            try:
                read_article(path, self.content_dir, self.config)
            except ContentError as exc:
                for problem in exc.problems:
                    logger.error("%s", problem)
                logger.error(
                    "not rebuilt: still serving the last good version of %s (fix it and save again)", _shown(path)
                )
                self.failures += 1
                continue
            usable.append(path)
        return usable

    def _ingest_raw(self, paths: list[Path], report: RunReport) -> set[Path]:
        """Ingest changed raw files; return the content files that ingest wrote or updated."""
        from generator.ingest import ingest_paths

        before = _snapshot(self.content_dir)
        result = ingest_paths(paths, self.config, content_dir=self.content_dir, report=report)
        after = _snapshot(self.content_dir)
        changed = {p for p, mtime in after.items() if before.get(p) != mtime}
        self._settled.update({p: after[p] for p in changed})
        logger.info("%s (%s)", result.summary, ", ".join(_shown(p) for p in paths))
        return changed

    def _reload_config(self) -> bool:
        """Reload digest.yaml into a new builder; on a bad config keep the old one and say why."""
        assert self.config.config_path is not None
        try:
            config = load_config(self.config.config_path)
        except DigestError as exc:
            for problem in exc.problems:
                logger.error("%s", problem)
            logger.error("digest.yaml has problems: still serving the last good site")
            return False
        if config.paths != self.config.paths:
            self._rewatch.set()
        self.config = config
        self.builder = self.builder_factory(config, self.content_dir, self.output_dir)
        return True


class _AnyEvent:
    """Look like one threading.Event that is set when any of several is (for watchfiles)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        """Return True when any of the events is set."""
        return any(event.is_set() for event in self.events)


def _is_under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _shown(path: Path) -> str:
    """Return a path relative to the working directory when it is inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
