"""Download the sources named in `digest.yaml` into `raw/`: the input side of a scheduled run.

Input: the config's `sources:` list. Output: one new file per changed source,
`raw/<name>/<YYYY-MM-DD>.<ext>`, and the conditional-request state in `raw/.fetch-state.json`.
An unchanged source (HTTP 304, or the same bytes as last time) writes nothing; a failing
source is recorded in the `RunReport` by name and the other sources are still fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import random
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from email.message import Message
from http.client import HTTPMessage
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from generator import __version__
from generator.config import Config, SourceSpec
from generator.errors import DigestError
from generator.log import RunReport
from generator.models import Problem

logger = logging.getLogger(__name__)

STATE_NAME = ".fetch-state.json"
DEFAULT_TIMEOUT = 20.0  # seconds per connect/read; a whole download gets 3× that
DEFAULT_RETRIES = 2  # extra attempts after the first, for connection errors and 5xx only
DEFAULT_BACKOFF = 1.0  # seconds before the first retry; doubles each time
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024
_WORKERS = 4  # a few at once, so one slow source does not hold up the rest

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
    """Network limits of one run; tests shrink them, the CLI keeps the defaults."""

    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    max_bytes: int = DEFAULT_MAX_BYTES
    user_agent: str = ""
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


class _FetchFailure(Exception):
    """One source could not be fetched: a message and a hint for the person reading the log."""

    def __init__(self, message: str, hint: str = "", *, retry: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.retry = retry


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): urllib would also follow one to ftp://."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-http URL {newurl!r}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    """Return an opener that speaks only http(s) (no file:, ftp: or data: handlers)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


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
    opener: urllib.request.OpenerDirector, spec: SourceSpec, old: SourceState | None, options: FetchOptions
) -> tuple[int, bytes, Message]:
    """Make one request; return (status, body, headers); raise _FetchFailure on any problem."""
    headers = {"User-Agent": options.user_agent, "Accept": "*/*"}
    if old and old.url == spec.url:
        if old.etag:
            headers["If-None-Match"] = old.etag
        if old.last_modified:
            headers["If-Modified-Since"] = old.last_modified
    request = urllib.request.Request(spec.url, headers=headers)
    deadline = time.monotonic() + options.timeout * 3
    try:
        with opener.open(request, timeout=options.timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > options.max_bytes:
                raise _FetchFailure(
                    f"response of {int(length):,} bytes is over the {options.max_bytes:,}-byte cap",
                    "is the url right? a digest source is a page or a feed",
                )
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > options.max_bytes:
                    raise _FetchFailure(
                        f"response is over the {options.max_bytes:,}-byte cap",
                        "is the url right? a digest source is a page or a feed",
                    )
                if time.monotonic() > deadline:
                    raise _FetchFailure(
                        f"download took longer than {options.timeout * 3:.0f} s", "the site is too slow", retry=True
                    )
                chunks.append(chunk)
            return response.status, b"".join(chunks), response.headers
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return 304, b"", exc.headers
        raise _FetchFailure(f"HTTP {exc.code} {exc.reason}", _hint_for_status(exc.code), retry=exc.code >= 500) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _FetchFailure(
                f"no answer within {options.timeout:.0f} s", "the site may be down", retry=True
            ) from exc
        raise _FetchFailure(f"cannot connect: {reason}", "is the site up and the host name right?", retry=True) from exc
    except TimeoutError as exc:
        raise _FetchFailure(f"no answer within {options.timeout:.0f} s", "the site may be down", retry=True) from exc
    except (ConnectionError, OSError) as exc:
        # http.client raises these for resets and half-sent responses mid-download.
        raise _FetchFailure(f"connection failed: {exc}", "the site may be overloaded", retry=True) from exc
    except ValueError as exc:  # http.client's own protocol errors (bad status line, ...)
        raise _FetchFailure(f"invalid HTTP response: {exc}", "the server does not speak HTTP properly") from exc


def fetch_source(
    spec: SourceSpec, old: SourceState | None, raw_dir: Path, day: dt.date, options: FetchOptions
) -> FetchOutcome:
    """Fetch one source with retries; write its bytes only when they are new."""
    if urlsplit(spec.url).scheme not in ("http", "https"):  # the config refuses these too; this is the guard
        problem = Problem(
            f"source {spec.name} ({spec.url})", 0, "not an http(s) URL", "only web pages and feeds can be fetched"
        )
        return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
    opener = _opener()
    attempt = 0
    while True:
        try:
            status, body, headers = _download(opener, spec, old, options)
            break
        except _FetchFailure as exc:
            if not exc.retry or attempt >= options.retries:
                tries = f" after {attempt + 1} tries" if attempt else ""
                problem = Problem(f"source {spec.name} ({spec.url})", 0, f"{exc.message}{tries}", exc.hint)
                return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
            # Exponential backoff with a little jitter, so several runs do not retry in step.
            delay = options.backoff * (2**attempt) * (1 + random.random() / 4)
            logger.info("source %s: %s; retrying in %.1f s", spec.name, exc.message, delay)
            options.sleep(delay)
            attempt += 1

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
        problem = Problem(f"source {spec.name} ({spec.url})", 0, "empty response", "the site returned no content")
        return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
    dest = _dest_path(raw_dir, spec, day, file_extension(spec, headers.get("Content-Type", "")))
    try:
        _write_atomic(dest, body)
    except OSError as exc:
        problem = Problem(
            f"source {spec.name} ({spec.url})", 0, f"cannot write {dest}: {exc.strerror}", "check that raw/ is writable"
        )
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
