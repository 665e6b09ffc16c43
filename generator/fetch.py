"""Download the sources named in `digest.yaml` into `raw/`: the input side of a scheduled run.

Input: the config's `sources:` list. Output: one new file per changed source,
`raw/<name>/<YYYY-MM-DD>.<ext>`, and the conditional-request state in `raw/.fetch-state.json`.
An unchanged source (HTTP 304, or the same bytes as last time) writes nothing; a failing
source is recorded in the `RunReport` by name and the other sources are still fetched.

Every source finishes or fails within a fixed wall-clock budget, however its server behaves:
`CONNECT_TIMEOUT` (10 s) to connect, TLS handshake included; `FIRST_BYTE_TIMEOUT` (30 s) for
the answer to start, and for any silence after that; `SOURCE_BUDGET` (120 s) for everything a
source does (attempts, redirects, backoff sleeps), enforced on every socket read so that a
server dripping bytes cannot stretch it. Connection failures and 5xx answers get `RETRIES` more
attempts, `BACKOFF` seconds apart and doubling, while the budget lasts. A body is capped at
`MAX_BYTES` (20 MiB) as sent and again once gzip/deflate-decoded. `FetchOptions` reads these
constants when it is made, so tests shorten them by monkeypatching or by passing options.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import http.client
import io
import json
import logging
import os
import random
import socket
import ssl
import tempfile
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from generator import __version__
from generator.config import Config, SourceSpec
from generator.errors import DigestError
from generator.log import RunReport
from generator.models import Problem

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

logger = logging.getLogger(__name__)

STATE_NAME = ".fetch-state.json"
CONNECT_TIMEOUT = 10.0  # seconds to open a connection (TCP, then TLS for https)
FIRST_BYTE_TIMEOUT = 30.0  # seconds for an answer to start, and the longest silence after that
SOURCE_BUDGET = 120.0  # seconds for one source in all: every attempt, redirect and backoff sleep
RETRIES = 2  # extra attempts after the first, for connection errors, timeouts and 5xx only
BACKOFF = 1.0  # seconds before the first retry; doubles each time
MAX_BYTES = 20 * 1024 * 1024  # per body, as sent and once decoded
MAX_REDIRECTS = 10
_CHUNK = 64 * 1024
_WORKERS = 4  # a few at once, so one slow source does not hold up the rest
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
#: zlib window bits by Content-Encoding: 16+ reads the gzip wrapper, plain reads zlib's.
_CODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}

_HINT_DOWN = "is the site up and the host name right?"
_HINT_SLOW = "the site is too slow: it will be tried again on the next run"
_HINT_BUSY = "the site may be overloaded: it will be tried again on the next run"
_HINT_BIG = "is the url right? a digest source is a page or a feed"
_HINT_URL = "check the url in digest.yaml"

#: File extension by source kind; `auto` falls back to the response's content type.
_KIND_EXT = {"html": "html", "rss": "xml", "atom": "xml", "feed": "xml", "jsonl": "jsonl", "text": "txt"}
_TYPE_EXT = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "xml",
    "application/atom+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl",
    "application/json": "jsonl",
    "text/plain": "txt",
}
_URL_EXT = {
    ".html": "html",
    ".htm": "html",
    ".xml": "xml",
    ".rss": "xml",
    ".atom": "xml",
    ".jsonl": "jsonl",
    ".txt": "txt",
}

Status = Literal["new", "unchanged", "failed"]


@dataclass(frozen=True)
class SourceState:
    """What the last successful fetch of one source left behind, for the next request."""

    url: str
    etag: str = ""
    last_modified: str = ""
    sha256: str = ""
    path: str = ""  # relative to raw/, the file that holds these bytes
    fetched: str = ""  # ISO date of the last download that changed something


@dataclass(frozen=True)
class FetchOutcome:
    """What became of one source in one run."""

    name: str
    url: str
    status: Status
    path: str = ""  # relative to raw/, set when a new file was written
    problem: Problem | None = None
    state: SourceState | None = None  # the state to store (None keeps the old one)


@dataclass(frozen=True)
class FetchResult:
    """Outcomes of one `digest fetch` run, in config order, and its summary line."""

    outcomes: tuple[FetchOutcome, ...]
    seconds: float

    def count(self, status: Status) -> int:
        """Return how many sources ended with this status."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new_paths(self) -> tuple[str, ...]:
        """Return the raw files written by this run, relative to raw/."""
        return tuple(o.path for o in self.outcomes if o.path)

    @property
    def summary(self) -> str:
        """Return `3 sources: 1 new, 1 unchanged, 1 failed in 0.40 s`."""
        n = len(self.outcomes)
        return (
            f"{n} source{'s' if n != 1 else ''}: {self.count('new')} new, {self.count('unchanged')} unchanged, "
            f"{self.count('failed')} failed in {self.seconds:.2f} s"
        )


@dataclass(frozen=True)
class FetchOptions:
    """Network limits of one run; tests shrink them, the CLI keeps the defaults.

    Each default is read from its module constant when options are made (hence the
    factories), so a test can shorten the budgets of a whole CLI run with monkeypatch.
    """

    connect_timeout: float = field(default_factory=lambda: CONNECT_TIMEOUT)
    first_byte_timeout: float = field(default_factory=lambda: FIRST_BYTE_TIMEOUT)
    budget: float = field(default_factory=lambda: SOURCE_BUDGET)
    retries: int = field(default_factory=lambda: RETRIES)
    backoff: float = field(default_factory=lambda: BACKOFF)
    max_bytes: int = field(default_factory=lambda: MAX_BYTES)
    max_redirects: int = field(default_factory=lambda: MAX_REDIRECTS)
    user_agent: str = ""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


class _FetchFailure(Exception):
    """One source could not be fetched: a message and a hint for the person reading the log."""

    def __init__(self, message: str, hint: str = "", *, retry: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.retry = retry


class _Budget:
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

    def spent(self, received: int) -> _FetchFailure:
        """Return the failure of a source whose budget ran out after `received` bytes."""
        if received:
            return _FetchFailure(
                f"too slow: only {received:,} bytes arrived within the {self.seconds:g} s budget", _HINT_SLOW
            )
        return _FetchFailure(f"no answer within the {self.seconds:g} s budget", _HINT_SLOW)


class _TimedReader(io.RawIOBase):
    """A response's socket stream whose every read keeps to the read timeout and the budget.

    A socket timeout bounds one read, not a response: http.client reads headers with readline(),
    which loops over short reads, and a body can arrive a byte at a time. So each read here also
    waits no longer than the budget has left, and fails once it is spent.
    """

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, budget: _Budget, timeout: float) -> None:
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
        """Read what one socket read brings into buffer; raise _FetchFailure on a timeout."""
        wait = self._budget.wait(self._timeout, self.received)
        self._sock.settimeout(wait)
        try:
            n = self._raw.readinto(buffer)
        except TimeoutError as exc:
            if wait < self._timeout:
                raise self._budget.spent(self.received) from exc
            if self.received:
                raise _FetchFailure(
                    f"the download stalled: nothing for {self._timeout:g} s", _HINT_BUSY, retry=True
                ) from exc
            raise _FetchFailure(f"no answer within {self._timeout:g} s", _HINT_BUSY, retry=True) from exc
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

    def _invalid(self, detail: str) -> _FetchFailure:
        return _FetchFailure(
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


def _request(
    url: str, headers: dict[str, str], budget: _Budget, options: FetchOptions
) -> tuple[int, str, http.client.HTTPMessage, bytes]:
    """Make one GET; return (status, reason, headers, body), the body read for 2xx only."""
    try:
        conn, target, extra = _connection(url)
    except (ValueError, http.client.InvalidURL) as exc:
        raise _FetchFailure(f"invalid url: {exc}", _HINT_URL) from exc
    response = None
    try:
        # The timeout bounds the TCP connect and each TLS handshake read; the host name lookup
        # before them is the system resolver's, with its own timeouts.
        wait = budget.wait(options.connect_timeout)
        conn.timeout = wait
        try:
            conn.connect()
        except TimeoutError as exc:
            if wait < options.connect_timeout:
                raise budget.spent(0) from exc
            raise _FetchFailure(f"cannot connect within {options.connect_timeout:g} s", _HINT_DOWN, retry=True) from exc
        except ssl.SSLError as exc:
            detail = getattr(exc, "verify_message", "") or exc.reason or str(exc)
            raise _FetchFailure(f"TLS failed: {detail}", "the site's https is broken or not trusted") from exc
        except OSError as exc:
            raise _FetchFailure(f"cannot connect: {exc.strerror or exc}", _HINT_DOWN, retry=True) from exc
        conn.request("GET", target, headers={**headers, **extra})
        # The response is made here, not by conn.getresponse(), so that it reads its socket
        # through a _TimedReader: the status line and headers keep to the budget like the body.
        response = http.client.HTTPResponse(conn.sock, method="GET")
        reader = _TimedReader(response.fp.detach(), conn.sock, budget, options.first_byte_timeout)
        response.fp = io.BufferedReader(reader, _CHUNK)
        response.begin()
        body = _read_body(response, options) if 200 <= response.status < 300 else b""
        return response.status, response.reason, response.msg, body
    except http.client.RemoteDisconnected as exc:
        raise _FetchFailure("the server closed the connection without answering", _HINT_BUSY, retry=True) from exc
    except http.client.IncompleteRead as exc:
        raise _FetchFailure("the connection broke mid-answer", _HINT_BUSY, retry=True) from exc
    except http.client.HTTPException as exc:
        raise _FetchFailure(f"invalid HTTP answer: {exc}", "the server does not speak HTTP properly") from exc
    except TimeoutError as exc:  # sending the request: the budget's reads convert their own
        raise _FetchFailure(f"no answer within {options.first_byte_timeout:g} s", _HINT_BUSY, retry=True) from exc
    except OSError as exc:  # resets and broken pipes mid-exchange
        raise _FetchFailure(f"connection failed: {exc.strerror or exc}", _HINT_BUSY, retry=True) from exc
    finally:
        if response is not None:
            response.close()
        conn.close()


def _read_body(response: http.client.HTTPResponse, options: FetchOptions) -> bytes:
    """Return the body, decoded from gzip or deflate; raise once it passes the size cap."""
    cap = options.max_bytes
    declared = None if response.chunked else response.length  # http.client's Content-Length
    if declared is not None and declared > cap:
        raise _FetchFailure(f"response of {declared:,} bytes is over the {cap:,}-byte cap", _HINT_BIG)
    coding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if coding not in _CODINGS and coding != "identity":
        raise _FetchFailure(f"unsupported Content-Encoding {coding!r}", "digest reads gzip and deflate only")
    decoder = _Decoder(coding) if coding in _CODINGS else None
    chunks: list[bytes] = []
    received = size = 0
    # read1 returns what one socket read brings, so no single call outlasts the budget.
    while chunk := response.read1(_CHUNK):
        received += len(chunk)
        if received > cap:
            raise _FetchFailure(f"response is over the {cap:,}-byte cap", _HINT_BIG)
        if decoder:
            # Ask for one byte past the cap at most: a small gzip bomb never fills memory.
            chunk = decoder.decode(chunk, cap - size + 1)
            if size + len(chunk) > cap:
                raise _FetchFailure(f"response is over the {cap:,}-byte cap once {coding}-decoded", _HINT_BIG)
        size += len(chunk)
        chunks.append(chunk)
    if declared is not None and received < declared:
        raise _FetchFailure(f"connection closed after {received:,} of {declared:,} bytes", _HINT_BUSY, retry=True)
    if decoder:
        decoder.finish()
    return b"".join(chunks)


def user_agent(config: Config) -> str:
    """Return the User-Agent: the tool and version, and the site that runs it for a contact."""
    return f"digest/{__version__} (+{config.base_url})"


def load_state(raw_dir: Path) -> dict[str, SourceState]:
    """Return the stored state of every source; an unreadable state file means a fresh start."""
    path = raw_dir / STATE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("%s: unreadable (%s); fetching every source in full", path, exc)
        return {}
    out = {}
    known = set(SourceState.__dataclass_fields__)
    for name, entry in (data.get("sources") or {}).items() if isinstance(data, dict) else ():
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            out[str(name)] = SourceState(**{k: str(v) for k, v in entry.items() if k in known})
    return out


def save_state(raw_dir: Path, state: dict[str, SourceState]) -> None:
    """Write the state file atomically, sorted so that it diffs well."""
    payload = {
        "comment": "written by `digest fetch`: validators and hashes for conditional requests",
        "sources": {name: {k: v for k, v in vars(s).items() if v} for name, s in sorted(state.items())},
    }
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    _write_atomic(raw_dir / STATE_NAME, text.encode("utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    """Write bytes through a temporary file and os.replace, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_extension(spec: SourceSpec, content_type: str) -> str:
    """Return the extension to store a download under: from the kind, the content type, the URL."""
    if spec.kind in _KIND_EXT:
        return _KIND_EXT[spec.kind]
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _TYPE_EXT:
        return _TYPE_EXT[media]
    if media.endswith("+xml"):
        return "xml"
    suffix = Path(urlsplit(spec.url).path).suffix.lower()
    return _URL_EXT.get(suffix, "txt")


def _dest_path(raw_dir: Path, spec: SourceSpec, day: dt.date, ext: str) -> Path:
    """Return `raw/<name>/<date>.<ext>`, or `<date>-2.<ext>`... when the source changed twice that day."""
    folder = raw_dir / spec.name
    candidate = folder / f"{day.isoformat()}.{ext}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{day.isoformat()}-{n}.{ext}"
        n += 1
    return candidate


def _hint_for_status(code: int) -> str:
    if code == 404 or code == 410:
        return "the page is gone: check the url in digest.yaml"
    if code in (401, 403):
        return "the site refuses the request: it may block scrapers or need a login"
    if code == 429:
        return "rate limited: fetch this source less often"
    if code >= 500:
        return "the site is failing: it will be tried again on the next run"
    return "check the url in digest.yaml"


def _download(
    spec: SourceSpec, old: SourceState | None, budget: _Budget, options: FetchOptions
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """Make one attempt, following redirects; return (status, body, headers) or raise _FetchFailure."""
    # gzip/deflate are asked for since servers send them anyway (the body is saved decoded);
    # one request per connection, so there is no keep-alive to manage.
    headers = {
        "User-Agent": options.user_agent,
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    if old and old.url == spec.url:
        if old.etag:
            headers["If-None-Match"] = old.etag
        if old.last_modified:
            headers["If-Modified-Since"] = old.last_modified
    visited = [spec.url]
    while True:
        status, reason, answer, body = _request(visited[-1], headers, budget, options)
        if status not in _REDIRECTS:
            break
        location = (answer.get("Location") or "").strip()
        if not location:
            raise _FetchFailure(f"HTTP {status} redirect without a Location", _HINT_URL)
        target = urldefrag(urljoin(visited[-1], location)).url
        if urlsplit(target).scheme not in ("http", "https"):
            raise _FetchFailure(f"redirect to a non-http URL {target!r}", "only web pages and feeds can be fetched")
        if target in visited:
            raise _FetchFailure(
                f"redirect loop: {visited[-1]} leads back to {target}",
                "the site redirects in a circle: open the url in a browser and put where it ends in digest.yaml",
            )
        if len(visited) > options.max_redirects:
            raise _FetchFailure(f"more than {options.max_redirects} redirects", "put the final address in digest.yaml")
        logger.debug("source %s: HTTP %s to %s", spec.name, status, target)
        visited.append(target)
    if status != 304 and not 200 <= status < 300:
        raise _FetchFailure(f"HTTP {status} {reason}", _hint_for_status(status), retry=status >= 500)
    return status, body, answer


def fetch_source(
    spec: SourceSpec, old: SourceState | None, raw_dir: Path, day: dt.date, options: FetchOptions
) -> FetchOutcome:
    """Fetch one source with retries, within its budget; write its bytes only when they are new."""
    where = f"source {spec.name} ({spec.url})"
    if urlsplit(spec.url).scheme not in ("http", "https"):  # the config refuses these too; this is the guard
        problem = Problem(where, 0, "not an http(s) URL", "only web pages and feeds can be fetched")
        return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
    budget = _Budget(options.budget)
    attempt = 0
    while True:
        try:
            status, body, headers = _download(spec, old, budget, options)
            break
        except _FetchFailure as exc:
            # Exponential backoff with a little jitter, so several runs do not retry in step.
            delay = options.backoff * (2**attempt) * (1 + random.random() / 4)
            retry = exc.retry and attempt < options.retries
            if retry and delay < budget.left():
                logger.info("source %s: %s; retrying in %.1f s", spec.name, exc.message, delay)
                options.sleep(delay)
                attempt += 1
                continue
            message = exc.message + (f" after {attempt + 1} tries" if attempt else "")
            if retry:  # a retry was due, but it would not end within the budget
                message += f"; no time left in the {budget.seconds:g} s budget to try again"
            problem = Problem(where, 0, message, exc.hint)
            return FetchOutcome(spec.name, spec.url, "failed", problem=problem)

    etag = headers.get("ETag", "") or (old.etag if old else "")
    last_modified = headers.get("Last-Modified", "") or (old.last_modified if old else "")
    if status == 304 and old:
        logger.debug("source %s: not modified (304)", spec.name)
        return FetchOutcome(
            spec.name, spec.url, "unchanged", state=replace(old, etag=etag, last_modified=last_modified)
        )
    digest = hashlib.sha256(body).hexdigest()
    if old and old.sha256 == digest:
        logger.debug("source %s: same bytes as %s", spec.name, old.path)
        return FetchOutcome(
            spec.name, spec.url, "unchanged", state=replace(old, url=spec.url, etag=etag, last_modified=last_modified)
        )
    if not body.strip():
        problem = Problem(where, 0, "empty response", "the site returned no content")
        return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
    dest = _dest_path(raw_dir, spec, day, file_extension(spec, headers.get("Content-Type", "")))
    try:
        _write_atomic(dest, body)
    except OSError as exc:
        problem = Problem(where, 0, f"cannot write {dest}: {exc.strerror}", "check that raw/ is writable")
        return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
    rel = dest.relative_to(raw_dir).as_posix()
    logger.info("source %s: %s bytes → raw/%s", spec.name, f"{len(body):,}", rel)
    state = SourceState(spec.url, etag, last_modified, digest, rel, day.isoformat())
    return FetchOutcome(spec.name, spec.url, "new", path=rel, state=state)


def fetch_sources(
    config: Config,
    *,
    report: RunReport,
    raw_dir: Path | None = None,
    only: Iterable[str] = (),
    today: dt.date | None = None,
    options: FetchOptions | None = None,
) -> FetchResult:
    """Fetch every configured source (or those named in `only`) into raw_dir; return the outcomes."""
    started = time.perf_counter()
    raw_dir = raw_dir or config.paths.raw
    wanted = set(only)
    specs = [s for s in config.sources if not wanted or s.name in wanted]
    options = options or FetchOptions()
    if not options.user_agent:
        options = replace(options, user_agent=user_agent(config))
    day = today or dt.datetime.now(dt.UTC).date()
    state = load_state(raw_dir)

    # Download in parallel, but record outcomes in config order so logs and state are stable.
    with ThreadPoolExecutor(max_workers=min(_WORKERS, max(1, len(specs)))) as pool:
        outcomes = list(pool.map(lambda s: fetch_source(s, state.get(s.name), raw_dir, day, options), specs))

    for outcome in outcomes:
        if outcome.problem:
            report.add(outcome.problem)
        if outcome.state:
            state[outcome.name] = outcome.state
    if any(o.state for o in outcomes):
        try:
            save_state(raw_dir, state)
        except OSError as exc:
            path = raw_dir / STATE_NAME
            raise DigestError(
                [Problem(str(path), 0, f"cannot write: {exc.strerror}", "check that raw/ is writable")]
            ) from exc
    return FetchResult(tuple(outcomes), time.perf_counter() - started)
