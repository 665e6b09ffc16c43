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
The HTTP client that keeps to these limits is `fetch_http`; this module runs the sources.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from generator import __version__
from generator.config import Config, SourceSpec
from generator.errors import DigestError
from generator.fetch_http import Budget, FetchFailure, download
from generator.files import write_atomic
from generator.log import RunReport, plural
from generator.models import Problem

logger = logging.getLogger(__name__)

STATE_NAME = ".fetch-state.json"
CONNECT_TIMEOUT = 10.0  # seconds to open a connection (TCP, then TLS for https)
FIRST_BYTE_TIMEOUT = 30.0  # seconds for an answer to start, and the longest silence after that
SOURCE_BUDGET = 120.0  # seconds for one source in all: every attempt, redirect and backoff sleep
RETRIES = 2  # extra attempts after the first, for connection errors, timeouts and 5xx only
BACKOFF = 1.0  # seconds before the first retry; doubles each time
MAX_BYTES = 20 * 1024 * 1024  # per body, as sent and once decoded
MAX_REDIRECTS = 10
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
            f"{plural(n, 'source')}: {self.count('new')} new, {self.count('unchanged')} unchanged, "
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
    write_atomic(raw_dir / STATE_NAME, text)


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


def fetch_source(
    spec: SourceSpec, old: SourceState | None, raw_dir: Path, day: dt.date, options: FetchOptions
) -> FetchOutcome:
    """Fetch one source with retries, within its budget; write its bytes only when they are new."""
    where = f"source {spec.name} ({spec.url})"
    if urlsplit(spec.url).scheme not in ("http", "https"):  # the config refuses these too; this is the guard
        problem = Problem(where, 0, "not an http(s) URL", "only web pages and feeds can be fetched")
        return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
    try:
        status, body, headers = _download_with_retries(spec, old, options)
    except FetchFailure as exc:
        return FetchOutcome(spec.name, spec.url, "failed", problem=Problem(where, 0, exc.message, exc.hint))

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
        write_atomic(dest, body)
    except OSError as exc:
        problem = Problem(where, 0, f"cannot write {dest}: {exc.strerror}", "check that raw/ is writable")
        return FetchOutcome(spec.name, spec.url, "failed", problem=problem)
    rel = dest.relative_to(raw_dir).as_posix()
    logger.info("source %s: %s bytes → raw/%s", spec.name, f"{len(body):,}", rel)
    state = SourceState(spec.url, etag, last_modified, digest, rel, day.isoformat())
    return FetchOutcome(spec.name, spec.url, "new", path=rel, state=state)


def _download_with_retries(
    spec: SourceSpec, old: SourceState | None, options: FetchOptions
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """Download a source, retrying what may pass next time while its budget lasts.

    Return (status, body, headers); raise FetchFailure, its message saying how many tries it took.
    """
    validators = {}
    if old and old.url == spec.url:
        if old.etag:
            validators["If-None-Match"] = old.etag
        if old.last_modified:
            validators["If-Modified-Since"] = old.last_modified
    budget = Budget(options.budget)
    attempt = 0
    while True:
        try:
            return download(spec.url, validators, budget, options)
        except FetchFailure as exc:
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
            raise FetchFailure(message, exc.hint) from exc


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
