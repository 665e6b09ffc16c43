"""Build the static search index of a rendered site with Pagefind, one bundle per period.

Input: a directory of rendered HTML (article text marked `data-pagefind-body`, article pages
at YYYY/MM/DD/theme/slug/) and the digests of its files. Output: `pagefind/`, holding one
Pagefind bundle per shard of the articles (a year, a month, or days of a crowded month, at
most `SHARD_LIMIT` articles each), `bundles.json` naming them newest first, and the search
UI's files; the search page merges the bundles in the browser. A bundle's folder is named
after a hash of its pages, so a build re-runs Pagefind only for shards whose pages changed
and takes the others from the cache, or from the previous site. Never raises for a missing
or failing Pagefind (search is optional): the `SearchResult` says what happened. On Linux,
Pagefind is killed with its parent, so a killed build leaves no writer behind.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.cache import Cache, fingerprint
from generator.files import digest, write_atomic

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 300
#: Most articles one bundle holds. Pagefind's time and memory grow with a bundle (about 3 GB
#: for 10,000 articles in one), and a scheduled build re-indexes only the newest shard.
SHARD_LIMIT = 1000
#: Article pages, relative to the site: YYYY/MM/DD/theme/slug/ (only they carry data-pagefind-body).
ARTICLE_PAGES = "*/*/*/*/*/index.html"
#: The folder of the bundles, the list of them the search page reads, and the UI files it loads.
FOLDER = "pagefind"
BUNDLES_FILE = "bundles.json"
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
EMPTY_NOTE = "There is nothing to search yet: the site has no articles."
UNAVAILABLE_NOTE = "Search is not available on this copy of the site: it was built without Pagefind."
FAILED_NOTE = "Search is not available on this copy of the site: building its index failed."


@dataclass(frozen=True)
class SearchResult:
    """What indexing did: `note` is "" on success, else the text the search page shows."""

    ok: bool
    note: str
    detail: str = ""
    seconds: float = 0.0
    indexed: int = 0  # bundles Pagefind wrote in this run
    reused: int = 0  # bundles taken from the cache or the previous site


def _command() -> list[str] | None:
    """Return the command that runs Pagefind, or None when it is not installed."""
    has_binary = any(importlib.util.find_spec(name) for name in ("pagefind_bin_extended", "pagefind_bin"))
    if importlib.util.find_spec("pagefind") is not None and has_binary:
        return [sys.executable, "-m", "pagefind"]
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return [found] if found else None


def _die_with_parent() -> Callable[[], None] | None:
    """Return a pre-exec function that makes the child get SIGKILL when its parent dies (Linux)."""
    # A build killed while Pagefind runs would otherwise leave it writing into the staging
    # directory that the next build removes.
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def arm() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


def search_note() -> str:
    """Return "" when Pagefind can run, else the note the search page shows instead."""
    return "" if _command() else UNAVAILABLE_NOTE


# --- shards and bundles ------------------------------------------------------------------


@dataclass(frozen=True)
class Shard:
    """A set of whole days whose articles share one bundle: a year, a month, or days of a month."""

    name: str  # "2025", "2025-03", or "2025-03-14" (a crowded month's days from the 14th)
    days: tuple[str, ...]  # the "YYYY/MM/DD" folders it covers, in order

    @property
    def glob(self) -> str:
        """Return the Pagefind glob of the shard's article pages, relative to the site."""
        if len(self.name) == 4:
            return f"{self.name}/*/*/*/*/index.html"
        if len(self.name) == 7:
            return f"{self.name.replace('-', '/')}/*/*/*/index.html"
        month = self.days[0][:7]
        return f"{month}/{{{','.join(day[8:] for day in self.days)}}}/*/*/index.html"


@dataclass(frozen=True)
class Bundle:
    """A shard and the hash of its pages' bytes: equal keys mean an equal index."""

    shard: Shard
    key: str

    @property
    def folder(self) -> str:
        """Return the bundle's folder under pagefind/: new pages, new name, so no browser keeps a stale one."""
        return f"{self.shard.name}-{self.key[:12]}"


def is_article_page(path: str) -> bool:
    """Return whether a site path is an article page (YYYY/MM/DD/theme/slug/index.html)."""
    parts = path.split("/")
    return len(parts) == 6 and parts[5] == "index.html" and all(p.isdigit() for p in parts[:3])


def plan_shards(article_paths: Iterable[str], limit: int = SHARD_LIMIT) -> tuple[Shard, ...]:
    """Group article pages into shards of at most `limit` articles, newest first.

    A past year is one shard when it holds at most `limit` articles; the newest year, and
    a bigger one, has a shard per month; a month above the limit is cut into runs of whole
    days. Shards follow the calendar, so today's articles change only the newest (small)
    shard, and an edit only its own.
    """
    per_day = Counter(path[:10] for path in article_paths)
    years: dict[str, list[str]] = {}
    for day in sorted(per_day):
        years.setdefault(day[:4], []).append(day)
    newest = max(years, default="")
    shards: list[Shard] = []
    for year, days in years.items():
        if year != newest and sum(per_day[d] for d in days) <= limit:
            shards.append(Shard(year, tuple(days)))
            continue
        months: dict[str, list[str]] = {}
        for day in days:
            months.setdefault(day[:7], []).append(day)
        for month, month_days in months.items():
            if sum(per_day[d] for d in month_days) <= limit:
                shards.append(Shard(month.replace("/", "-"), tuple(month_days)))
            else:
                shards.extend(_day_runs(month_days, per_day, limit))
    return tuple(reversed(shards))


def _day_runs(days: Sequence[str], per_day: Mapping[str, int], limit: int) -> list[Shard]:
    """Cut a crowded month's days into runs of at most `limit` articles (a day is never split)."""
    runs: list[list[str]] = [[]]
    count = 0
    for day in days:
        if runs[-1] and count + per_day[day] > limit:
            runs.append([])
            count = 0
        runs[-1].append(day)
        count += per_day[day]
    return [Shard(run[0].replace("/", "-"), tuple(run)) for run in runs]


def plan_bundles(digests: Mapping[str, bytes], limit: int = SHARD_LIMIT) -> tuple[Bundle, ...]:
    """Return the site's bundles, newest first, from the digests of its files (site path → digest)."""
    pages = sorted(path for path in digests if is_article_page(path))
    shards = plan_shards(pages, limit)
    shard_of = {day: index for index, shard in enumerate(shards) for day in shard.days}
    members: list[list[tuple[str, bytes]]] = [[] for _ in shards]
    for path in pages:
        members[shard_of[path[:10]]].append((path, digests[path]))
    version = _pagefind_version()
    return tuple(
        Bundle(shard, fingerprint((version, shard.name, shard.glob, pages_of)))
        for shard, pages_of in zip(shards, members, strict=True)
    )


def _pagefind_version() -> str:
    """Return what identifies the Pagefind that indexes: a new one may write other bundles."""
    for name in ("pagefind_bin_extended", "pagefind_bin", "pagefind"):
        try:
            return f"{name} {importlib.metadata.version(name)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    command = _command()
    return " ".join(command) if command else ""


def page_digests(site_dir: Path) -> dict[str, bytes]:
    """Return the digests of a site's article pages as they are on disk (for callers without them)."""
    out = {}
    for path in site_dir.glob(ARTICLE_PAGES):
        rel = path.relative_to(site_dir).as_posix()
        if is_article_page(rel):
            out[rel] = digest(path.read_bytes())
    return out


# --- indexing ------------------------------------------------------------------------------


def index_site(
    site_dir: Path,
    digests: Mapping[str, bytes] | None = None,
    *,
    cache: Cache | None = None,
    previous: Path | None = None,
) -> SearchResult:
    """Bring site_dir/pagefind/ up to date with the site's article pages; report instead of raising.

    digests (site path → digest of the bytes) names the pages; without it they are read
    from disk. A bundle already listed in site_dir's (or `previous` site's) bundles.json, or
    stored in the cache, is reused; only the others are indexed, one at a time. bundles.json
    is replaced last, so a reader sees the old bundles or the new ones, never half.
    """
    command = _command()
    if command is None:
        return SearchResult(False, UNAVAILABLE_NOTE, "pagefind is not installed")
    start = time.perf_counter()
    bundles = plan_bundles(page_digests(site_dir) if digests is None else digests)
    if not bundles:
        return SearchResult(False, EMPTY_NOTE, "the site has no article pages to index")
    root = site_dir / FOLDER
    published = set(published_bundles(site_dir))
    donor = previous if previous is not None and previous.resolve() != site_dir.resolve() else None
    reused = 0
    todo = []
    donor_bundles = set(published_bundles(donor)) if donor is not None else set()
    for bundle in bundles:
        if bundle.folder in published and (root / bundle.folder).is_dir():
            continue
        # Linking the previous site's copy is cheaper than unpacking the cached one.
        if donor is not None and bundle.folder in donor_bundles and _copy_published(bundle, donor, root):
            if cache is not None and not cache.keep_blob(_blob_name(bundle), bundle.key):
                _pack(bundle, cache, root)  # so that the next build, from a fresh checkout, finds it
            reused += 1
        elif _unpack(bundle, cache, root):
            reused += 1
        else:
            todo.append(bundle)
    failure = _run_all(command, site_dir, todo)
    if failure is not None:
        return SearchResult(False, FAILED_NOTE, failure, time.perf_counter() - start)
    for bundle in todo:
        _pack(bundle, cache, root)
    _publish(root, bundles)
    seconds = time.perf_counter() - start
    logger.debug("search: %d bundles indexed, %d reused in %.2f s", len(todo), reused, seconds)
    return SearchResult(True, "", "", seconds, len(todo), reused)


def published_bundles(site_dir: Path) -> list[str]:
    """Return the bundle folders a site's bundles.json lists ([] when it has none or a broken one)."""
    try:
        listed = json.loads((site_dir / FOLDER / BUNDLES_FILE).read_text(encoding="utf-8"))["bundles"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [name.rstrip("/") for name in listed if isinstance(name, str)] if isinstance(listed, list) else []


def mark_pending(site_dir: Path, pending: bool = True) -> None:
    """Say in bundles.json that the index is (or no longer is) behind the pages: the search page tells."""
    path = site_dir / FOLDER / BUNDLES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(data, dict) and data.get("pending") != pending:
        data["pending"] = pending
        write_atomic(path, json.dumps(data))


def _copy_published(bundle: Bundle, previous: Path, root: Path) -> bool:
    """Copy the bundle from a previous site that lists it; return whether that worked.

    Only a listed bundle is whole: bundles.json is written after its bundles.
    """
    source = previous / FOLDER / bundle.folder
    if not source.is_dir():
        return False
    try:
        # Linked, not copied: Pagefind never rewrites a bundle's files, it writes new folders.
        shutil.copytree(source, root / bundle.folder, dirs_exist_ok=True, copy_function=_link_or_copy)
    except OSError:
        shutil.rmtree(root / bundle.folder, ignore_errors=True)
        return False
    return True


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def _blob_name(bundle: Bundle) -> str:
    return f"search:{bundle.shard.name}"


def _unpack(bundle: Bundle, cache: Cache | None, root: Path) -> bool:
    """Write the bundle from the cache; return whether it was there."""
    data = cache.get_blob(_blob_name(bundle), bundle.key) if cache is not None else None
    if data is None:
        return False
    target = root / bundle.folder
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                # Written by _pack from Pagefind's output, but a path from a file is never trusted.
                rel = Path(info.filename)
                if info.is_dir() or rel.is_absolute() or ".." in rel.parts:
                    continue
                path = target / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(info))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        logger.warning("search: cached bundle %s unusable (%s); indexing it again", bundle.folder, exc)
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _pack(bundle: Bundle, cache: Cache | None, root: Path) -> None:
    """Store a freshly written bundle in the cache (stored, not compressed: Pagefind gzips its files)."""
    if cache is None or not cache.usable:
        return
    buffer = io.BytesIO()
    folder = root / bundle.folder
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    cache.put_blob(_blob_name(bundle), bundle.key, buffer.getvalue())


def _run_all(command: Sequence[str], site_dir: Path, bundles: Sequence[Bundle]) -> str | None:
    """Index the bundles one after the other; return the first failure, or None."""
    # One at a time, though a bundle keeps Pagefind on about one core: two at once took a
    # cold build of 10,000 articles 7 s less, but held the memory of two bundles (about 190
    # MB each) beside the build's own, which is what made its peak.
    for bundle in bundles:
        failure = _run_one(command, site_dir, bundle)
        if failure:
            return failure
    return None


def _run_one(command: Sequence[str], site_dir: Path, bundle: Bundle) -> str | None:
    """Run Pagefind over one shard into pagefind/<folder>/; return what went wrong, or None."""
    target = site_dir / FOLDER / bundle.folder
    shutil.rmtree(target, ignore_errors=True)  # a half-written folder of a killed run
    try:
        done = subprocess.run(
            [
                *command,
                *("--site", str(site_dir), "--silent", "--glob", bundle.shard.glob),
                *("--output-subdir", f"{FOLDER}/{bundle.folder}"),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            # Safe with the preview server's threads: the child only calls prctl and getppid.
            preexec_fn=_die_with_parent(),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"pagefind could not run: {exc}"
    if done.returncode != 0 or not (target / "pagefind-entry.json").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()
        return f"pagefind failed (exit {done.returncode}): {' '.join(detail[-3:])}"
    return None


def _publish(root: Path, bundles: Sequence[Bundle]) -> None:
    """Copy the UI files from the newest bundle, list the bundles, and drop folders no longer listed."""
    for name in UI_FILES:
        source = root / bundles[0].folder / name
        data = source.read_bytes()
        target = root / name
        if not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data)
    listed = {b.folder for b in bundles}
    write_atomic(root / BUNDLES_FILE, json.dumps({"bundles": [f"{b.folder}/" for b in bundles], "pending": False}))
    for entry in root.iterdir():
        if entry.is_dir() and entry.name not in listed:
            shutil.rmtree(entry, ignore_errors=True)
