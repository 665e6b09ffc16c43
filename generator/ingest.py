"""Orchestrate raw → content: read inputs, build articles, curate, write content files.

Input: raw files or directories and the config. Output: new files under the content
directory (existing files are only ever touched to add `also_reported_by`), an optional
JSON report, and an `IngestResult` with the run's one-line summary. Every rejected input
or item is recorded in the `RunReport` with `path:line: reason`.

Bodies stay plain text (`generator.bodytext`) until the write step makes them Markdown.
Where the pure per-item work runs is decided here alone: each step that has such work is
handed a `Mapper`, a process pool's on a large run (parse and fingerprint; finish each
story; render and write), and values come back in order, so the output is the same as a
run in one process.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator import content, lock, tombstones
from generator.bodytext import join_paragraphs, to_markdown
from generator.collector import kept_from_collector
from generator.config import Config
from generator.curate import Curator, Prepared, Repeats
from generator.log import Lap, RunReport, plural
from generator.models import (
    Article,
    CurateResult,
    Mapper,
    Problem,
    RawItem,
    Severity,
    SourceResult,
    short_title,
    url_host,
)
from generator.sources import iter_inputs, read_source
from generator.sources.dates import implausible_reason, plausible_date
from generator.workers import ForkMap

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


def _web_url(url: str | None) -> str:
    """Return an item's URL if it is an http(s) one, else "" (a `javascript:` link is no source)."""
    return url if url and re.match(r"^https?://", url, re.IGNORECASE) else ""


def _date_problem(date: dt.date | None, short: str, shown: str, line: int) -> Problem:
    """Return the Problem rejecting an item with no date, or with an implausible one."""
    if date is None:
        return Problem(shown, line, f'no date found for "{short}"', "add a date line or set --default-date")
    # Readers skip implausible candidates; this is the last guard for any reader that did not
    # (a year-1 date would otherwise reach the content tree and the calendar arithmetic).
    return Problem(
        shown,
        line,
        f'no plausible date for "{short}" ({implausible_reason(date)})',
        "fix the date in the input or set --default-date",
    )


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
    if date is None or not plausible_date(date):
        return _date_problem(date, short_title(title), shown, line)
    source_url = _web_url(item.source_url)
    source = _source_name(item, source_url, path)
    article_id = content.make_id(source_url, source, date, title)
    return Article(
        id=article_id,
        title=title,
        date=date,
        theme="",
        body=join_paragraphs(item.body),  # plain until written (see _write)
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
def _worker_pool(workers: int) -> Iterator[Mapper]:
    """Yield the run's `Mapper`: forked workers for each mapped step, or plain `map` for one.

    Parsing, curating and rendering are pure CPU work in Python, so only processes (not
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
        yield map
        return
    yield ForkMap(workers)


@dataclass(frozen=True)
class _Input:
    """One input file to read: where it is and the name it goes by."""

    path: Path
    shown: str


@dataclass(frozen=True)
class _Read:
    """What one input gave: its result (without items) and, per item, a candidate or its problem."""

    result: SourceResult
    made: list[Prepared | Problem]


def _read_input(source: _Input, curator: Curator, default_date: dt.date | None) -> _Read:
    """Return one input's result and, per item, its prepared candidate or the problem rejecting it.

    Everything per item that does not depend on the other inputs happens here, in a worker
    process on a large run: parsing, and the run `curator`'s `prepare`. The result comes back without
    its items (only `raw_count` is set for them): the candidates carry what later phases need.
    """
    path, shown = source.path, source.shown
    try:
        result = read_source(path, shown)
        made: list[Prepared | Problem] = []
        for item in result.items:
            article = item_to_article(item, path, shown, curator.config, default_date)
            made.append(article if isinstance(article, Problem) else curator.prepare(article))
    except Exception as exc:
        # Whatever one input holds, it must not abort the run: its failure is its own error.
        logger.debug("ingesting %s failed", shown, exc_info=True)
        failed = SourceResult.rejected(
            shown,
            "",
            0,
            f"digest failed on this input: {type(exc).__name__}: {exc}",
            "this is a bug in digest; the rest of the run went on; run with -vv and report it with the file",
        )
        return _Read(failed, [])
    return _Read(replace(result, items=(), raw_count=max(result.raw_count, len(result.items))), made)


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
    found, missing = iter_inputs(paths)
    for problem in missing:
        # A path named on the command line that is not there is the caller's mistake, not a
        # bad input: it fails the run even where rejected inputs do not.
        named = replace(problem, path=input_name(Path(problem.path), config.paths.root))
        report.add(named, fatal=problem.severity is Severity.ERROR)
    inputs = [_Input(path, input_name(path, config.paths.root)) for path in found]
    run = _Run(config, content_dir, report, default_date, on_progress)
    # One ingest at a time writes a content directory; a run killed part-way left at most
    # temporary files, removed here (every file it finished is whole: the rest is redone).
    with lock.content_lock(content_dir):
        content.remove_stale_temp_files(content_dir)
        # One pool of worker processes serves every phase of a large run (none for a small one).
        with _worker_pool(_worker_count(found)) as mapper, kept_from_collector() as settle:
            result = run.ingest(inputs, mapper, started, settle)
    if report_path:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"inputs": run.entries, "problems": [str(p) for p in report.problems]}
        content.write_text_atomic(report_path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return result


def _as_written(article: Article) -> Article:
    """Return a curated article as its content file holds it: its plain body made Markdown."""
    markdown = to_markdown(article.body)
    return article if markdown == article.body else replace(article, body=markdown)


def _ghosts(prepared: Sequence[Prepared], gone: set[str]) -> dict[str, Article]:
    """Return the deleted or unreadable articles among the candidates, as content/ held them."""
    ghosts: dict[str, Article] = {}
    for item in prepared:
        if item.candidate.id in gone and item.candidate.id not in ghosts:
            ghosts[item.candidate.id] = _as_written(item.candidate)
    return ghosts


@dataclass
class _Run:
    """The phases of one ingest_paths run, and the per-input entries of its JSON report."""

    config: Config
    content_dir: Path
    report: RunReport
    default_date: dt.date | None
    on_progress: ProgressCallback | None
    entries: list[dict[str, Any]] = field(default_factory=list)
    curator: Curator = field(init=False)

    def __post_init__(self) -> None:
        self.curator = Curator(self.config)

    def ingest(
        self, inputs: Sequence[_Input], mapper: Mapper, started: float, settle: Callable[[], None]
    ) -> IngestResult:
        """Run the phases over the found inputs; `mapper` decides where the pure work runs.

        `settle` is called whenever the objects made so far will live to the end of the run.
        """
        lap = Lap(logger, started)
        tree, present, memory = self._load()
        lap("load content")

        # Phases 1 (cont.) and 2: parse each input and turn its items into prepared
        # candidates or the problems that reject them (both pure, so done in the workers).
        repeats = Repeats()
        reads = self._read(inputs, mapper, repeats, settle)
        lap("read")
        prepared, raw_items, rejected = self._collect(inputs, reads)

        # Phase 3: curate against what content/ already holds. A deleted (or unreadable)
        # article still takes part, as if it were in content/, so that other outlets' copies
        # of its story merge into it and vanish with it instead of coming back in its place.
        ghosts = _ghosts(prepared, memory.deleted.keys() | memory.broken)
        buried = sum(1 for item in prepared if item.candidate.id in memory.deleted)
        curated = self.curator.curate_prepared(prepared, [*tree.articles, *ghosts.values()], repeats, mapper)
        self.report.extend(curated.problems)
        settle()
        lap("curate")

        written = self._write(inputs, curated, ghosts, memory, present, mapper)
        lap("write")
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

    def _load(self) -> tuple[content.ContentTree, dict[str, str], tombstones.Memory]:
        """Return what content/ holds, its articles' paths by id, and what it held once."""
        # What content/ already holds (a person's edits win) ...
        tree = content.load_content(self.content_dir, self.config)
        self.report.extend(tree.problems)
        present = {article.id: article.src_path for article in tree.articles}
        # ... and what it held once: an article an editor deleted is never written again.
        memory = tombstones.recall(self.content_dir, present, content.display_path(self.content_dir))
        self.report.extend(memory.problems)
        return tree, present, memory

    def _write(
        self,
        inputs: Sequence[_Input],
        curated: CurateResult,
        ghosts: dict[str, Article],
        memory: tombstones.Memory,
        present: dict[str, str],
        mapper: Mapper,
    ) -> list[str]:
        """Write the new articles and update the existing ones; return the new files' paths."""
        # Phase 4: write. New files never overwrite; existing files only gain also_reported_by.
        written = content.write_articles([_as_written(a) for a in curated.new], self.content_dir, mapper=mapper)
        for article in curated.updated:
            if article.id not in ghosts:
                content.update_article(article, self.content_dir)
        # The ledger is written after the files, so a run killed before it is simply redone.
        made = [(a.id, rel) for a, rel in zip(curated.new, written, strict=True)]
        tombstones.remember(self.content_dir, memory, present, made)
        self._record_written(inputs, curated.new, written)
        return written

    def _read(
        self, inputs: Sequence[_Input], mapper: Mapper, repeats: Repeats, settle: Callable[[], None]
    ) -> list[_Read]:
        """Return _read_input of each input, in input order, counting shared shingles in repeats."""
        reads: list[_Read] = []
        read = functools.partial(_read_input, curator=self.curator, default_date=self.default_date)
        # The shingles that occur in more than one body are counted as the workers send
        # their results: this process has little else to do until all have been parsed.
        for source, one in zip(inputs, mapper(read, inputs), strict=True):
            reads.append(one)
            settle()
            for made in one.made:
                if isinstance(made, Prepared) and made.fingerprint:
                    repeats.add(made.fingerprint)
            if self.on_progress:
                self.on_progress(len(reads), len(inputs), source.shown)
        return reads

    def _collect(self, inputs: Sequence[_Input], reads: Sequence[_Read]) -> tuple[list[Prepared], int, int]:
        """Report what was rejected; return the candidates in input order, raw items and rejects."""
        prepared: list[Prepared] = []
        raw_items = rejected = 0
        for source, one in zip(inputs, reads, strict=True):
            entry: dict[str, Any] = {"input": source.shown, "format": one.result.format, "articles": []}
            entry["rejected"] = [str(p) for p in one.result.problems if p.severity is Severity.ERROR]
            self.entries.append(entry)
            raw_items += one.result.raw_count
            self.report.extend(one.result.problems)
            rejected += len(entry["rejected"])
            for made in one.made:
                if isinstance(made, Problem):
                    self.report.add(made)
                    entry["rejected"].append(str(made))
                    rejected += 1
                else:
                    prepared.append(made)
        return prepared, raw_items, rejected

    def _record_written(self, inputs: Sequence[_Input], new: Sequence[Article], written: Sequence[str]) -> None:
        """Fill each report entry's `articles` with the files written from its input."""
        by_origin: dict[str, list[str]] = {}
        for article, rel in zip(new, written, strict=True):
            by_origin.setdefault(article.origin.rpartition(":")[0], []).append(rel)
        for source, entry in zip(inputs, self.entries, strict=True):
            entry["articles"] = by_origin.get(source.shown, [])
