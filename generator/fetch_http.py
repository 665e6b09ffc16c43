"""Make one source's HTTP requests within its time budget: the client under `digest fetch`.

Input: a URL, request headers, a `Budget` and the `HttpLimits` of the run. Output: the status,
headers and body (decoded from gzip/deflate, capped in size) of the answer, after redirects;
or a `FetchFailure` with a message and hint, marked `retry` when trying again may help. Every
socket read keeps to the budget (see `_TimedReader`). Proxies follow http_proxy/https_proxy.
"""

from __future__ import annotations

import base64
import functools
import http.client
import io
import logging
import socket
import ssl
import time
import urllib.request
import zlib
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: zlib window bits by Content-Encoding: 16+ reads the gzip wrapper, plain reads zlib's.
_CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}

_HINT_DOWN = "is the site up and the host name right?"
_HINT_SLOW = "the site is too slow: it will be tried again on the next run"
_HINT_BUSY = "the site may be overloaded: it will be tried again on the next run"
_HINT_BIG = "is the url right? a digest source is a page or a feed"
_HINT_URL = "check the url in digest.yaml"


class HttpLimits(Protocol):
    """The limits a request keeps to (`fetch.FetchOptions` has them, with their defaults)."""

    @property
    def connect_timeout(self) -> float:
        """Seconds to open a connection, TLS handshake included."""

    @property
    def first_byte_timeout(self) -> float:
        """Seconds for an answer to start, and the longest silence after that."""

    @property
    def max_bytes(self) -> int:
        """Largest body, as sent and once decoded."""

    @property
    def max_redirects(self) -> int:
        """Most redirects followed in one attempt."""

    @property
    def user_agent(self) -> str:
        """The User-Agent header."""


class FetchFailure(Exception):
    """One source could not be fetched: a message and a hint for the person reading the log."""

    def __init__(self, message: str, hint: str = "", *, retry: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.retry = retry


class Budget:
    """The wall-clock allowance of one source, drawn on by its attempts, redirects and sleeps."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = time.monotonic() + seconds

    def left(self) -> float:
        """Return the seconds left (zero or less once spent)."""
        return self._deadline - time.monotonic()

    def wait(self, limit: float, received: int = 0) -> float:
        """Return how long the next blocking step may take: limit, cut to the time left."""
        left = self.left()
        if left <= 0:
            raise self.spent(received)
        return min(limit, left)

    def spent(self, received: int) -> FetchFailure:
        """Return the failure of a source whose budget ran out after `received` bytes."""
        if received:
            return FetchFailure(
                f"too slow: only {received:,} bytes arrived within the {self.seconds:g} s budget", _HINT_SLOW
            )
        return FetchFailure(f"no answer within the {self.seconds:g} s budget", _HINT_SLOW)


class _TimedReader(io.RawIOBase):
    """A response's socket stream whose every read keeps to the read timeout and the budget.

    A socket timeout bounds one read, not a response: http.client reads headers with readline(),
    which loops over short reads, and a body can arrive a byte at a time. So each read here also
    waits no longer than the budget has left, and fails once it is spent.
    """

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, budget: Budget, timeout: float) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._budget = budget
        self._timeout = timeout
        self.received = 0

    def readable(self) -> bool:
        """Return True: this stream is read, never written."""
        return True

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        """Read what one socket read brings into buffer; raise FetchFailure on a timeout."""
        wait = self._budget.wait(self._timeout, self.received)
        self._sock.settimeout(wait)
        try:
            n = self._raw.readinto(buffer)
        except TimeoutError as exc:
            if wait < self._timeout:
                raise self._budget.spent(self.received) from exc
            if self.received:
                raise FetchFailure(
                    f"the download stalled: nothing for {self._timeout:g} s", _HINT_BUSY, retry=True
                ) from exc
            raise FetchFailure(f"no answer within {self._timeout:g} s", _HINT_BUSY, retry=True) from exc
        self.received += n or 0
        return n

    def close(self) -> None:
        """Close the socket stream (the socket itself closes with its connection)."""
        if not self.closed:
            self._raw.close()
        super().close()


class _Decoder:
    """Undo a gzip or deflate Content-Encoding as the body arrives, never making more than asked."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._wbits = _CODINGS[coding]
        self._zlib = zlib.decompressobj(self._wbits)
        # deflate ought to be zlib-wrapped (RFC 9110) but some servers send it raw: the input is
        # kept until the first output proves the format, to be re-read as raw deflate if not.
        self._head: bytes | None = b"" if coding == "deflate" else None
        self._fed = False

    def decode(self, data: bytes, limit: int) -> bytes:
        """Return data decoded, at most limit bytes of it (a caller given limit bytes stops)."""
        self._fed = self._fed or bool(data)
        try:
            out = self._zlib.decompress(data, limit)
            if self._head is not None:
                self._head = None if out else self._head + data
            # A gzip body may hold several members in a row (what `cat a.gz b.gz` makes).
            while self._zlib.eof and self._zlib.unused_data and len(out) < limit:
                rest = self._zlib.unused_data
                self._zlib = zlib.decompressobj(self._wbits)
                out += self._zlib.decompress(rest, limit - len(out))
        except zlib.error as exc:
            if self._head is not None:
                data, self._head = self._head + data, None
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
                return self.decode(data, limit)
            raise self._invalid(str(exc)) from exc
        return out

    def finish(self) -> None:
        """Raise unless the body ended where its compressed stream does."""
        if self._fed and not self._zlib.eof:
            raise self._invalid("the compressed stream is cut short")

    def _invalid(self, detail: str) -> FetchFailure:
        return FetchFailure(
            f"the body is sent as {self.coding} but is not valid {self.coding}: {detail}",
            "the site sends a broken compressed answer: tell its owner",
        )


@functools.cache
def _tls() -> ssl.SSLContext:
    """Return the TLS settings of every https request: system CAs, host names checked."""
    return ssl.create_default_context()


def _connection(url: str) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """Return an unopened connection for url, its request target and any proxy headers.

    Honours http_proxy/https_proxy/no_proxy as urllib does: an http URL is asked of the proxy
    by its full address; an https one goes through a CONNECT tunnel.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port  # .port raises ValueError on a bad port
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    https = parts.scheme == "https"
    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        conn = (
            http.client.HTTPSConnection(host, port, context=_tls()) if https else http.client.HTTPConnection(host, port)
        )
        return conn, target, {}
    via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    auth = {}
    if via.username:
        secret = f"{via.username}:{via.password or ''}".encode()
        auth["Proxy-Authorization"] = "Basic " + base64.b64encode(secret).decode("ascii")
    if https:
        conn = http.client.HTTPSConnection(via.hostname or "", via.port or 80, context=_tls())
        conn.set_tunnel(host, port, headers=auth)
        return conn, target, {}
    return http.client.HTTPConnection(via.hostname or "", via.port or 80), urldefrag(url).url, auth


def request(
    url: str, headers: dict[str, str], budget: Budget, limits: HttpLimits
) -> tuple[int, str, http.client.HTTPMessage, bytes]:
    """Make one GET; return (status, reason, headers, body), the body read for 2xx only."""
    try:
        conn, target, extra = _connection(url)
    except (ValueError, http.client.InvalidURL) as exc:
        raise FetchFailure(f"invalid url: {exc}", _HINT_URL) from exc
    response = None
    try:
        _connect(conn, budget, limits)
        conn.request("GET", target, headers={**headers, **extra})
        # The response is made here, not by conn.getresponse(), so that it reads its socket
        # through a _TimedReader: the status line and headers keep to the budget like the body.
        response = http.client.HTTPResponse(conn.sock, method="GET")
        reader = _TimedReader(response.fp.detach(), conn.sock, budget, limits.first_byte_timeout)
        response.fp = io.BufferedReader(reader, _CHUNK)
        response.begin()
        body = _read_body(response, limits) if 200 <= response.status < 300 else b""
        return response.status, response.reason, response.msg, body
    except http.client.RemoteDisconnected as exc:
        raise FetchFailure("the server closed the connection without answering", _HINT_BUSY, retry=True) from exc
    except http.client.IncompleteRead as exc:
        raise FetchFailure("the connection broke mid-answer", _HINT_BUSY, retry=True) from exc
    except http.client.HTTPException as exc:
        raise FetchFailure(f"invalid HTTP answer: {exc}", "the server does not speak HTTP properly") from exc
    except TimeoutError as exc:  # sending the request: the budget's reads convert their own
        raise FetchFailure(f"no answer within {limits.first_byte_timeout:g} s", _HINT_BUSY, retry=True) from exc
    except OSError as exc:  # resets and broken pipes mid-exchange
        raise FetchFailure(f"connection failed: {exc.strerror or exc}", _HINT_BUSY, retry=True) from exc
    finally:
        if response is not None:
            response.close()
        conn.close()


def _connect(conn: http.client.HTTPConnection, budget: Budget, limits: HttpLimits) -> None:
    """Open the connection within the connect timeout and the budget; raise FetchFailure if not."""
    # The timeout bounds the TCP connect and each TLS handshake read; the host name lookup
    # before them is the system resolver's, with its own timeouts.
    wait = budget.wait(limits.connect_timeout)
    conn.timeout = wait
    try:
        conn.connect()
    except TimeoutError as exc:
        if wait < limits.connect_timeout:
            raise budget.spent(0) from exc
        raise FetchFailure(f"cannot connect within {limits.connect_timeout:g} s", _HINT_DOWN, retry=True) from exc
    except ssl.SSLError as exc:
        detail = getattr(exc, "verify_message", "") or exc.reason or str(exc)
        raise FetchFailure(f"TLS failed: {detail}", "the site's https is broken or not trusted") from exc
    except OSError as exc:
        raise FetchFailure(f"cannot connect: {exc.strerror or exc}", _HINT_DOWN, retry=True) from exc


def _declared_length(response: http.client.HTTPResponse, cap: int) -> int | None:
    """Return the body's Content-Length (None when chunked or not sent); raise if it is over the cap."""
    declared = None if response.chunked else response.length  # http.client's Content-Length
    if declared is not None and declared > cap:
        raise FetchFailure(f"response of {declared:,} bytes is over the {cap:,}-byte cap", _HINT_BIG)
    return declared


def _body_decoder(response: http.client.HTTPResponse) -> _Decoder | None:
    """Return the decoder of the body's Content-Encoding (None for identity); raise for other codings."""
    coding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if coding not in _CODINGS and coding != "identity":
        raise FetchFailure(f"unsupported Content-Encoding {coding!r}", "digest reads gzip and deflate only")
    return _Decoder(coding) if coding in _CODINGS else None


def _read_chunks(response: http.client.HTTPResponse, cap: int, decoder: _Decoder | None) -> tuple[list[bytes], int]:
    """Return the decoded chunks of the body and the bytes received; raise once either passes the cap."""
    chunks: list[bytes] = []
    received = size = 0
    # read1 returns what one socket read brings, so no single call outlasts the budget.
    while chunk := response.read1(_CHUNK):
        received += len(chunk)
        if received > cap:
            raise FetchFailure(f"response is over the {cap:,}-byte cap", _HINT_BIG)
        if decoder:
            # Ask for one byte past the cap at most: a small gzip bomb never fills memory.
            chunk = decoder.decode(chunk, cap - size + 1)
            if size + len(chunk) > cap:
                raise FetchFailure(f"response is over the {cap:,}-byte cap once {decoder.coding}-decoded", _HINT_BIG)
        size += len(chunk)
        chunks.append(chunk)
    return chunks, received


def _read_body(response: http.client.HTTPResponse, limits: HttpLimits) -> bytes:
    """Return the body, decoded from gzip or deflate; raise once it passes the size cap."""
    declared = _declared_length(response, limits.max_bytes)
    decoder = _body_decoder(response)
    chunks, received = _read_chunks(response, limits.max_bytes, decoder)
    if declared is not None and received < declared:
        raise FetchFailure(f"connection closed after {received:,} of {declared:,} bytes", _HINT_BUSY, retry=True)
    if decoder:
        decoder.finish()
    return b"".join(chunks)


def hint_for_status(code: int) -> str:
    """Return what to do about an HTTP error status."""
    if code == 404 or code == 410:
        return "the page is gone: check the url in digest.yaml"
    if code in (401, 403):
        return "the site refuses the request: it may block scrapers or need a login"
    if code == 429:
        return "rate limited: fetch this source less often"
    if code >= 500:
        return "the site is failing: it will be tried again on the next run"
    return "check the url in digest.yaml"


def download(
    url: str, validators: dict[str, str], budget: Budget, limits: HttpLimits
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """Make one attempt, following redirects; return (status, body, headers) or raise FetchFailure.

    validators are the conditional-request headers (If-None-Match, If-Modified-Since), if any.
    """
    # gzip/deflate are asked for since servers send them anyway (the body is saved decoded);
    # one request per connection, so there is no keep-alive to manage.
    headers = {
        "User-Agent": limits.user_agent,
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
        **validators,
    }
    visited = [url]
    while True:
        status, reason, answer, body = request(visited[-1], headers, budget, limits)
        if status not in _REDIRECTS:
            break
        target = _redirect_target(visited, status, answer, limits)
        logger.debug("%s: HTTP %s to %s", visited[-1], status, target)
        visited.append(target)
    if status != 304 and not 200 <= status < 300:
        raise FetchFailure(f"HTTP {status} {reason}", hint_for_status(status), retry=status >= 500)
    return status, body, answer


def _redirect_target(visited: list[str], status: int, answer: http.client.HTTPMessage, limits: HttpLimits) -> str:
    """Return where a redirect from the last visited URL leads; raise FetchFailure if it may not be followed."""
    location = (answer.get("Location") or "").strip()
    if not location:
        raise FetchFailure(f"HTTP {status} redirect without a Location", _HINT_URL)
    target = urldefrag(urljoin(visited[-1], location)).url
    if urlsplit(target).scheme not in ("http", "https"):
        raise FetchFailure(f"redirect to a non-http URL {target!r}", "only web pages and feeds can be fetched")
    if target in visited:
        raise FetchFailure(
            f"redirect loop: {visited[-1]} leads back to {target}",
            "the site redirects in a circle: open the url in a browser and put where it ends in digest.yaml",
        )
    if len(visited) > limits.max_redirects:
        raise FetchFailure(f"more than {limits.max_redirects} redirects", "put the final address in digest.yaml")
    return target
