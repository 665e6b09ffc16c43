"""Typed values exchanged between pipeline stages.

Every stage takes and returns these frozen dataclasses; none passes dicts across a stage
boundary. Evolve a value with `dataclasses.replace`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Severity(Enum):
    """How bad a problem is: warnings become errors under `--strict`."""

    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located by file and line."""

    path: str
    line: int
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.message}{hint}" if where else f"{self.message}{hint}"


@dataclass(frozen=True)
class RawItem:
    """One article as a source reader found it, before curation.

    `origin` is `<file name>:<line>` of the line where the item starts. `body` is a tuple of
    plain-text paragraphs (never HTML). `date` is the publisher's local calendar date.
    """

    origin: str
    title: str | None
    body: tuple[str, ...]
    date: dt.date | None = None
    date_source: str = ""
    published: dt.datetime | None = None
    language: str | None = None
    source: str | None = None
    source_url: str | None = None
    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class SourceResult:
    """What one reader made of one input file: items, plus problems found on the way."""

    path: str
    format: str
    items: tuple[RawItem, ...] = ()
    problems: tuple[Problem, ...] = ()
    raw_count: int = 0  # items seen in the file, including rejected ones


@dataclass(frozen=True)
class Article:
    """One article as stored in `content/` (the contract between ingest and build).

    `extra` holds front-matter keys this version does not know, kept verbatim so a
    round trip never drops a person's additions. `src_path` is relative to the content
    directory ("" for an article not yet written).
    """

    id: str
    title: str
    date: dt.date
    theme: str
    body: str = ""
    tags: tuple[str, ...] = ()
    language: str = "en"
    source: str = ""
    source_url: str = ""
    summary: str = ""
    also_reported_by: tuple[str, ...] = ()
    origin: str = ""
    featured: bool = False
    draft: bool = False
    published: dt.datetime | None = None
    sections: tuple[str, ...] = ()
    date_source: str = ""
    theme_reason: str = ""
    slug: str = ""
    src_path: str = ""
    score: float = 0.0
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def url(self) -> str:
        """Return the article's site-relative URL, e.g. `2026/02/04/economy/slug/`."""
        return f"{self.date:%Y/%m/%d}/{self.theme}/{self.slug}/"


@dataclass(frozen=True)
class CurateResult:
    """What curation decided for one ingest run.

    `new` are articles to write; `updated` are existing articles (with `src_path` set)
    whose `also_reported_by` grew; `unchanged` counts candidates already in content.
    """

    new: tuple[Article, ...]
    updated: tuple[Article, ...] = ()
    duplicates: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
