"""Orchestrate raw → content: read inputs, build articles, curate, write content files.

Input: raw files or directories and the config. Output: new files under the content
directory (existing files are only ever touched to add `also_reported_by`), an optional
JSON report, and an `IngestResult` with the run's one-line summary. Every rejected input
or item is recorded in the `RunReport` with `path:line: reason`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator import content
from generator.config import Config
from generator.curate import curate
from generator.log import RunReport
from generator.models import Article, Problem, RawItem, Severity, SourceResult
from generator.sources import iter_inputs, read_source

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]


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

    @property
    def summary(self) -> str:
        """Return `412 raw items → 287 articles (31 duplicates, 3 rejected) in 1.42 s`."""
        extra = []
        if self.updated:
            extra.append(f"{self.updated} updated")
        if self.unchanged:
            extra.append(f"{self.unchanged} already in content")
        tail = f"; {', '.join(extra)}" if extra else ""
        return (
            f"{self.raw_items} raw items → {self.articles} articles "
            f"({self.duplicates} duplicates, {self.rejected} rejected{tail}) in {self.seconds:.2f} s"
        )


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_BLOCK_START = re.compile(r"^(\s*)([#>]|[-*+](?=\s)|={3,}|-{3,})")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])(?=\s)")


def paragraphs_to_markdown(paragraphs: Sequence[str]) -> str:
    """Return plain-text paragraphs as Markdown that renders as the same plain text."""
    out = []
    for para in paragraphs:
        text = " ".join(para.split())
        if not text:
            continue
        # Scraped text is never HTML: neutralise anything that could open a tag, and
        # escape line starts Markdown would read as headings, quotes or lists.
        text = _TAG_START.sub("&lt;", text)
        text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
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


def _source_name(item: RawItem, source_url: str, path: Path) -> str:
    """Return the item's site name: as given, else the URL's host, else the input's file stem."""
    if item.source:
        return item.source
    host = urlsplit(source_url).hostname or "" if source_url else ""
    return host.removeprefix("www.") or path.stem


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
    if date is None:
        short = title if len(title) <= 60 else title[:57] + "..."
        return Problem(shown, line, f'no date found for "{short}"', "add a date line or set --default-date")
    source_url = item.source_url or ""
    if source_url and not re.match(r"^https?://", source_url, re.IGNORECASE):
        source_url = ""
    source = _source_name(item, source_url, path)
    return Article(
        id=content.make_id(source_url, source, date, title),
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
    )


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
    report.extend(missing)
    results: list[tuple[Path, str, SourceResult]] = []
    for n, path in enumerate(inputs, 1):
        shown = content.display_path(path)
        result = read_source(path, shown)
        results.append((path, shown, result))
        if on_progress:
            on_progress(n, len(inputs), shown)

    # Phase 2: turn items into candidate articles; reject what cannot be published.
    candidates: list[Article] = []
    entries: list[dict[str, Any]] = []
    raw_items = rejected = 0
    for path, shown, result in results:
        entry: dict[str, Any] = {"input": shown, "format": result.format, "articles": [], "rejected": []}
        entries.append(entry)
        raw_items += max(result.raw_count, len(result.items))
        for problem in result.problems:
            report.add(problem)
            if problem.severity is Severity.ERROR:
                entry["rejected"].append(str(problem))
        file_rejects = sum(1 for p in result.problems if p.severity is Severity.ERROR)
        rejected += file_rejects
        for item in result.items:
            made = item_to_article(item, path, shown, config, default_date)
            if isinstance(made, Problem):
                report.add(made)
                entry["rejected"].append(str(made))
                rejected += 1
            else:
                candidates.append(made)

    # Phase 3: curate against what content/ already holds (a person's edits win).
    tree = content.load_content(content_dir, config)
    report.extend(tree.problems)
    curated = curate(candidates, tree.articles, config)
    report.extend(curated.problems)

    # Phase 4: write. New files never overwrite; existing files only gain also_reported_by.
    written = content.write_articles(curated.new, content_dir)
    for article in curated.updated:
        content.update_article(article, content_dir)
    by_origin: dict[str, list[str]] = {}
    for article in written:
        by_origin.setdefault(article.origin.rsplit(":", 1)[0], []).append(article.src_path)
    for (_path, shown, _result), entry in zip(results, entries, strict=True):
        entry["articles"] = by_origin.get(Path(shown).name, [])
    if report_path:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"inputs": entries, "problems": [str(p) for p in report.problems]}
        content.write_text_atomic(report_path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return IngestResult(
        raw_items=raw_items,
        articles=len(written),
        duplicates=curated.duplicates,
        rejected=rejected,
        updated=len(curated.updated),
        unchanged=curated.unchanged,
        seconds=time.perf_counter() - started,
    )
