"""Orchestrate raw → content: read inputs, build articles, curate, write content files.

Input: raw files or directories and the config. Output: new files under the content
directory (existing files are only ever touched to add `also_reported_by`), an optional
JSON report, and an `IngestResult` with the run's one-line summary. Every rejected input
or item is recorded in the `RunReport` with `path:line: reason`. A large run parses,
prepares (themes, fingerprints), renders and writes in worker processes; its output is the
same as a run in one process.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import logging
import multiprocessing
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator import content, lock, tombstones
from generator.config import Config
from generator.curate import Prepared, Repeats, curate_prepared, prepare
from generator.log import RunReport, plural
from generator.models import Article, Problem, RawItem, Severity, SourceResult, collapse_spaces, short_title, url_host
from generator.sources import iter_inputs, read_source
from generator.sources.dates import implausible_reason, plausible_date

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]

#: Below this many inputs or bytes, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 1_000_000


@dataclass(frozen=True)
class IngestResult:
    """Counts of one ingest run and its summary line."""

    raw_items: int
    articles: int
    duplicates: int
    rejected: int
    updated: int
    unchanged: int
    seconds: float
    deleted: int = 0  # items whose article an editor deleted (content/deleted.txt)

    @property
    def summary(self) -> str:
        """Return `412 raw items → 287 articles (31 duplicates, 3 rejected) in 1.42 s`."""
        extra = []
        if self.updated:
            extra.append(f"{self.updated} updated")
        if self.unchanged:
            extra.append(f"{self.unchanged} already in content")
        if self.deleted:
            extra.append(f"{self.deleted} deleted by an editor")
        tail = f"; {', '.join(extra)}" if extra else ""
        return (
            f"{plural(self.raw_items, 'raw item')} → {plural(self.articles, 'article')} "
            f"({plural(self.duplicates, 'duplicate')}, {self.rejected} rejected{tail}) in {self.seconds:.2f} s"
        )


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_BLOCK_START = re.compile(r"^(\s*)([#>]|[-*+](?=\s)|={3,}|-{3,})")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])(?=\s)")


def paragraphs_to_markdown(paragraphs: Sequence[str]) -> str:
    """Return plain-text paragraphs as Markdown that renders as the same plain text."""
    out = []
    for para in paragraphs:
        text = collapse_spaces(para)
        if not text:
            continue
        # Scraped text is never HTML: neutralise anything that could open a tag, and
        # escape line starts Markdown would read as headings, quotes or lists.
        if "<" in text:
            text = _TAG_START.sub("&lt;", text)
        if _BLOCK_START.match(text):
            text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        if _ORDERED_START.match(text):
            text = _ORDERED_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        out.append(text)
    return "\n\n".join(out)


def _title_from_body(paragraphs: Sequence[str]) -> str:
    """Return the first sentence of a body (at most ~100 characters) as a stand-in title."""
    first = " ".join(paragraphs[0].split()) if paragraphs else ""
    match = re.match(r"(.{20,}?[.!?])(\s|$)", first)
    title = match.group(1) if match else first
    if len(title) > 100:
        title = title[:100].rsplit(" ", 1)[0] + "…"
    return title


_OPAQUE_TOKEN = re.compile(r"^(?:\d+|[0-9a-f]*\d[0-9a-f]*|\d{4}-\d{2}-\d{2})$", re.IGNORECASE)


def _name_from_part(part: str) -> str:
    """Return a source name from one file or folder name, without dates and opaque ids ("" if none)."""
    stem = re.sub(r"[-_.]?\d{4}-\d{2}-\d{2}(?:-\d+)?$", "", part)
    tokens = [t for t in re.split(r"[-_.\s]+", stem) if t and not _OPAQUE_TOKEN.match(t)]
    # A scraper's hash or a crawl id (000_1a08782589c742eb) names no site: better none than that.
    return "-".join(tokens) if any(len(t) >= 3 and t.isalpha() for t in tokens) else ""


def _name_from_file(path: Path) -> str:
    """Return a source name from an input's file name, else from its folder ("" if neither names one)."""
    # `digest fetch` saves raw/<source>/<date>.<ext>: the file name is a date, the folder the name.
    for part in (path.stem, path.parent.name):
        name = _name_from_part(part)
        if name and name != "raw":
            return name
    return ""


def input_name(path: Path, root: Path) -> str:
    """Return the name an input goes by in `origin`, reports and messages; unique per file.

    Its path relative to the project (`raw/city-news/2026-02-04.xml`); for an input outside
    it, relative to the working directory, else absolute.
    """
    resolved = path.absolute()
    for base in (root, Path.cwd()):
        try:
            return resolved.relative_to(base.absolute()).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()


def _source_name(item: RawItem, source_url: str, path: Path) -> str:
    """Return the item's site name: as given, else the URL's host, else one from the file name."""
    if item.source:
        return item.source
    return url_host(source_url) or _name_from_file(path)


def item_to_article(
    item: RawItem, path: Path, shown: str, config: Config, default_date: dt.date | None
) -> Article | Problem:
    """Return the candidate Article for a raw item, or the Problem that rejects it."""
    line = int(item.origin.rsplit(":", 1)[-1]) if ":" in item.origin else 0
    title = " ".join((item.title or "").split())
    if not title and not item.body:
        return Problem(shown, line, "item has neither a title nor a body", "nothing to publish; it was skipped")
    if not title:
        title = _title_from_body(item.body)
    date = item.date or default_date
    short = short_title(title)
    if date is None:
        return Problem(shown, line, f'no date found for "{short}"', "add a date line or set --default-date")
    # Readers skip implausible candidates; this is the last guard for any reader that did not
    # (a year-1 date would otherwise reach the content tree and the calendar arithmetic).
    if not plausible_date(date):
        reason = implausible_reason(date)
        return Problem(
            shown,
            line,
            f'no plausible date for "{short}" ({reason})',
            "fix the date in the input or set --default-date",
        )
    source_url = item.source_url or ""
    if source_url and not re.match(r"^https?://", source_url, re.IGNORECASE):
        source_url = ""
    source = _source_name(item, source_url, path)
    article_id = content.make_id(source_url, source, date, title)
    return Article(
        id=article_id,
        title=title,
        date=date,
        theme="",
        body=paragraphs_to_markdown(item.body),
        tags=item.tags,
        language=item.language or config.language,
        source=source,
        source_url=source_url,
        summary=item.summary or "",
        origin=item.origin,
        published=item.published,
        sections=item.sections,
        date_source=item.date_source or ("default" if item.date is None else ""),
        # The base of its file name (slugify is slow: done here, in a worker on a large
        # run; writing only makes it unique in its folder).
        slug=content.make_slug(title, article_id),
    )


def _log_phase(name: str, since: float) -> float:
    """Log how long a phase took (benchmarks/ingest.py prints these); return the time now."""
    now = time.perf_counter()
    logger.debug("phase %s: %.2f s", name, now - since)
    return now


def _worker_count(inputs: Sequence[Path]) -> int:
    """Return how many processes to ingest with: 1 unless there is much to parse."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    if cpus < 2 or len(inputs) < PARALLEL_MIN_FILES:
        return 1
    total = 0
    for path in inputs:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # read_source reports it
        if total >= PARALLEL_MIN_BYTES:
            return min(cpus, len(inputs))
    return 1


@contextmanager
def _worker_pool(workers: int) -> Iterator[Executor | None]:
    """Yield a process pool of `workers` for the run's pure per-item work, or None for one.

    Parsing, theming and rendering are pure CPU work in Python, so only processes (not
    threads) use more than one core. Every use maps in order, so the run stays
    deterministic; every use falls back to this process where workers fail to start (a
    sandbox without semaphores, a frozen app).
    """
    # Workers are forked: they start with every module loaded, and nothing re-imports the
    # caller's main module (`python -m generator` runs the CLI when imported), as the
    # spawn and forkserver start methods would. Forking is safe only on Linux and while
    # no other thread (the preview server's) may hold a lock the child would inherit;
    # elsewhere the run stays in one process.
    if workers < 2 or not sys.platform.startswith("linux") or threading.active_count() > 1:
        yield None
        return
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    except (OSError, NotImplementedError) as exc:
        logger.debug("ingesting in one process: worker processes unavailable: %s", exc)
        yield None
        return
    with pool:
        yield pool


@dataclass(frozen=True)
class _Made:
    """A candidate article prepared for curation, and the file it makes if it stays alone."""

    prepared: Prepared
    text: str | None


def _read_input(
    path: Path, shown: str, config: Config, default_date: dt.date | None, known_ids: frozenset[str]
) -> tuple[SourceResult, list[_Made | Problem]]:
    """Return one input's result and, per item, its prepared candidate or the problem rejecting it.

    Everything per item that does not depend on the other inputs happens here, in a worker
    process on a large run: parsing, curation's `prepare` (skipped for an id already in
    content/, which is never rewritten) and rendering the file the article becomes if no
    other copy joins it. The result comes back without its items (only `raw_count` is set
    for them): the articles carry everything later phases need.
    """
    try:
        result = read_source(path, shown)
        made: list[_Made | Problem] = []
        for item in result.items:
            article = item_to_article(item, path, shown, config, default_date)
            if isinstance(article, Problem):
                made.append(article)
                continue
            prepared = prepare(article, config, finish=article.id not in known_ids)
            text = content.render_article(prepared.alone) if prepared.alone is not None else None
            made.append(_Made(prepared, text))
    except Exception as exc:
        # Whatever one input holds, it must not abort the run: its failure is its own error.
        logger.debug("ingesting %s failed", shown, exc_info=True)
        return (
            SourceResult.rejected(
                shown,
                "",
                0,
                f"digest failed on this input: {type(exc).__name__}: {exc}",
                "this is a bug in digest; the rest of the run went on; run with -vv and report it with the file",
            ),
            [],
        )
    return replace(result, items=(), raw_count=max(result.raw_count, len(result.items))), made


def _read_inputs(
    inputs: Sequence[Path],
    shown_paths: Sequence[str],
    config: Config,
    default_date: dt.date | None,
    known_ids: frozenset[str],
    executor: Executor | None,
) -> Iterator[tuple[SourceResult, list[_Made | Problem]]]:
    """Yield _read_input of each input, in input order; in worker processes if given."""
    done = 0
    if executor is not None:
        # Several files per task keep the pickling round trips few; many tasks per worker
        # keep every worker busy to the end whatever the files' sizes.
        chunk = max(1, len(inputs) // 64)
        try:
            for read in executor.map(
                _read_input,
                inputs,
                shown_paths,
                itertools.repeat(config),
                itertools.repeat(default_date),
                itertools.repeat(known_ids),
                chunksize=chunk,
            ):
                done += 1
                yield read
        except (OSError, NotImplementedError, BrokenProcessPool) as exc:
            logger.debug("reading inputs in this process from #%d: worker processes failed: %s", done + 1, exc)
    for path, shown in zip(inputs[done:], shown_paths[done:], strict=True):
        yield _read_input(path, shown, config, default_date, known_ids)


def ingest_paths(
    paths: Sequence[Path],
    config: Config,
    *,
    content_dir: Path,
    report: RunReport,
    report_path: Path | None = None,
    default_date: dt.date | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestResult:
    """Ingest raw files into content_dir; record problems in report; return the counts."""
    started = time.perf_counter()
    # Phase 1: find and read every input before writing anything.
    inputs, missing = iter_inputs(paths)
    for problem in missing:
        # A path named on the command line that is not there is the caller's mistake, not a
        # bad input: it fails the run even where rejected inputs do not.
        named = replace(problem, path=input_name(Path(problem.path), config.paths.root))
        report.add(named, fatal=problem.severity is Severity.ERROR)
    # One ingest at a time writes a content directory; a run killed part-way left at most
    # temporary files, removed here (every file it finished is whole: the rest is redone).
    with lock.content_lock(content_dir):
        content.remove_stale_temp_files(content_dir)
        # One pool of worker processes serves every phase of a large run (none for a small one).
        with _no_cycle_collection(), _worker_pool(_worker_count(inputs)) as executor:
            return _ingest(
                inputs, config, content_dir, report, report_path, default_date, on_progress, executor, started
            )


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the run (workers forked inside inherit it).

    A run builds hundreds of thousands of containers (articles, sets of shingles) that
    live to its end and form no cycles; the collector kept walking them all, which took
    half the time of receiving the workers' results. Reference counting still frees
    everything as usual, and the collector resumes (and catches up) after the run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ingest(
    inputs: Sequence[Path],
    config: Config,
    content_dir: Path,
    report: RunReport,
    report_path: Path | None,
    default_date: dt.date | None,
    on_progress: ProgressCallback | None,
    executor: Executor | None,
    started: float,
) -> IngestResult:
    """Run the phases of ingest_paths over the found inputs, with worker processes if given."""
    # What content/ already holds (a person's edits win): its ids are not worth preparing.
    tree = content.load_content(content_dir, config)
    report.extend(tree.problems)
    present = {article.id: article.src_path for article in tree.articles}
    # ... and what it held once: an article an editor deleted is never written again.
    memory = tombstones.recall(content_dir, present, content.display_path(content_dir))
    report.extend(memory.problems)
    known_ids = frozenset(present) | frozenset(memory.deleted) | memory.broken
    phase = _log_phase("load content", started)

    # Phases 1 (cont.) and 2: parse each input and turn its items into prepared candidate
    # articles or the problems that reject them (both pure, so done together in the workers).
    shown_paths = [input_name(path, config.paths.root) for path in inputs]
    results: list[tuple[Path, str, SourceResult, list[_Made | Problem]]] = []
    reads = _read_inputs(inputs, shown_paths, config, default_date, known_ids, executor)
    # The shingles that occur in more than one body are counted as the workers send their
    # results: this process has little else to do until they have all been parsed.
    repeats = Repeats()
    for path, shown, (result, items_made) in zip(inputs, shown_paths, reads, strict=True):
        results.append((path, shown, result, items_made))
        for made in items_made:
            if isinstance(made, _Made) and made.prepared.fingerprint:
                repeats.add(made.prepared.fingerprint)
        if on_progress:
            on_progress(len(results), len(inputs), shown)
    phase = _log_phase("read", phase)

    # Phase 2 (cont.): record what was rejected and collect the candidates, in input order.
    prepared: list[Prepared] = []
    # id(alone) → its rendered file, for the new articles that stay alone (nearly all)
    rendered: dict[int, str] = {}
    entries: list[dict[str, Any]] = []
    raw_items = rejected = 0
    for _path, shown, result, made_items in results:
        entry: dict[str, Any] = {"input": shown, "format": result.format, "articles": [], "rejected": []}
        entries.append(entry)
        raw_items += result.raw_count
        for problem in result.problems:
            report.add(problem)
            if problem.severity is Severity.ERROR:
                entry["rejected"].append(str(problem))
        file_rejects = sum(1 for p in result.problems if p.severity is Severity.ERROR)
        rejected += file_rejects
        for made in made_items:
            if isinstance(made, Problem):
                report.add(made)
                entry["rejected"].append(str(made))
                rejected += 1
            else:
                prepared.append(made.prepared)
                if made.text is not None:
                    rendered[id(made.prepared.alone)] = made.text

    # Phase 3: curate against what content/ already holds. A deleted (or unreadable) article
    # still takes part, as if it were in content/, so that other outlets' copies of its story
    # merge into it and vanish with it instead of coming back in its place.
    gone = memory.deleted.keys() | memory.broken
    ghosts: dict[str, Article] = {}
    for item in prepared:
        if item.candidate.id in gone and item.candidate.id not in ghosts:
            ghosts[item.candidate.id] = item.alone or item.candidate
    buried = sum(1 for item in prepared if item.candidate.id in memory.deleted)
    curated = curate_prepared(prepared, [*tree.articles, *ghosts.values()], config, repeats)
    report.extend(curated.problems)
    phase = _log_phase("curate", phase)

    # Phase 4: write. New files never overwrite; existing files only gain also_reported_by.
    texts = [rendered.get(id(article)) for article in curated.new]
    written = content.write_articles(curated.new, content_dir, texts=texts, executor=executor)
    for article in curated.updated:
        if article.id not in ghosts:
            content.update_article(article, content_dir)
    # The ledger is written after the files, so a run killed before it is simply redone.
    tombstones.remember(
        content_dir, memory, present, ((a.id, rel) for a, rel in zip(curated.new, written, strict=True))
    )
    by_origin: dict[str, list[str]] = {}
    for article, rel in zip(curated.new, written, strict=True):
        by_origin.setdefault(article.origin.rpartition(":")[0], []).append(rel)
    for (_path, shown, _result, _made), entry in zip(results, entries, strict=True):
        entry["articles"] = by_origin.get(shown, [])
    _log_phase("write", phase)
    if report_path:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"inputs": entries, "problems": [str(p) for p in report.problems]}
        content.write_text_atomic(report_path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return IngestResult(
        raw_items=raw_items,
        articles=len(written),
        duplicates=curated.duplicates,
        rejected=rejected,
        updated=sum(1 for a in curated.updated if a.id not in ghosts),
        unchanged=max(0, curated.unchanged - buried),
        seconds=time.perf_counter() - started,
        deleted=buried,
    )
