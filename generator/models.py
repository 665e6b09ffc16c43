"""Typed values exchanged between pipeline stages.

Every stage takes and returns these frozen dataclasses; none passes dicts across a stage
boundary. Evolve a value with `dataclasses.replace`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit


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

    `origin` is `<input name>:<line>` of the line where the item starts; the input name is
    unique (its path relative to the project, see `ingest.input_name`). `body` is a tuple
    of plain-text paragraphs (never HTML). `date` is the publisher's local calendar date.
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

    @classmethod
    def rejected(cls, path: str, format: str, line: int, message: str, hint: str, raw_count: int = 0) -> SourceResult:
        """Return the result of an input rejected whole: no items, one problem."""
        return cls(path, format, problems=(Problem(path, line, message, hint),), raw_count=raw_count)


@dataclass(frozen=True, order=True)
class Reporter:
    """One absorbed copy of a story: the outlet that published it and, where known, its URL."""

    source: str
    url: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """Return what makes two entries the same copy: its canonical URL, else its outlet."""
        if self.url:
            return ("url", canonical_url(self.url))
        return ("source", self.source.casefold())


class Stored(Enum):
    """How a front-matter value is read and written; `content` implements each kind."""

    ID = "id"  # text; when empty, derived from the source URL, else source + date + title
    TITLE = "title"  # text, whitespace collapsed
    DATE = "date"  # YYYY-MM-DD, in the years content may have
    TIME = "time"  # ISO 8601 date and time with its zone
    THEME = "theme"  # a theme slug of the config; when empty, the fallback theme
    LANGUAGE = "language"  # text; when empty, the site's language
    TEXT = "text"  # text (anything else is written out as text)
    URL = "url"  # an http(s) URL; anything else is dropped with a warning
    TEXTS = "texts"  # a list of text (one text reads as a list of one)
    OUTLETS = "outlets"  # a list of {source: Name, url: https://...}
    FLAG = "flag"  # true or false


@dataclass(frozen=True)
class FrontMatterKey:
    """An Article field kept in front matter under its own name (the field's metadata)."""

    kind: Stored
    doc: str
    required: bool = False  # a file without it (or with it empty) is unusable
    omit_empty: bool = False  # not written when empty, so files without it stay as they are


def stored(kind: Stored, doc: str, *, required: bool = False, omit_empty: bool = False) -> dict[str, FrontMatterKey]:
    """Return field metadata declaring a front-matter key; declaration order is write order."""
    return {"front_matter": FrontMatterKey(kind, doc, required, omit_empty)}


@dataclass(frozen=True, kw_only=True)
class Article:
    """One article as stored in `content/` (the contract between ingest and build).

    The fields with `stored` metadata are its front-matter keys, written in this order.
    `extra` holds front-matter keys this version does not know, kept verbatim so a
    round trip never drops a person's additions. `src_path` is relative to the content
    directory ("" for an article not yet written).
    """

    id: str = field(
        metadata=stored(Stored.ID, "Stable: a hash of the canonical source URL, else of source+date+title.")
    )
    title: str = field(metadata=stored(Stored.TITLE, "The headline.", required=True))
    date: dt.date = field(metadata=stored(Stored.DATE, "The page's date for the article.", required=True))
    published: dt.datetime | None = field(
        default=None, metadata=stored(Stored.TIME, "When it was published, with its zone.", omit_empty=True)
    )
    theme: str = field(metadata=stored(Stored.THEME, "One primary theme: the folder. Front matter wins over it."))
    theme_reason: str = field(
        default="", metadata=stored(Stored.TEXT, "Why the classifier chose the theme.", omit_empty=True)
    )
    tags: tuple[str, ...] = field(default=(), metadata=stored(Stored.TEXTS, "Tags: names, places, topics."))
    language: str = field(default="en", metadata=stored(Stored.LANGUAGE, "Language code: en, ru, kk, ..."))
    source: str = field(default="", metadata=stored(Stored.TEXT, "The outlet's name."))
    source_url: str = field(default="", metadata=stored(Stored.URL, "The article at its source."))
    summary: str = field(default="", metadata=stored(Stored.TEXT, "One or two sentences for lists and feeds."))
    sections: tuple[str, ...] = field(
        default=(), metadata=stored(Stored.TEXTS, "The source's own section names.", omit_empty=True)
    )
    also_reported_by: tuple[Reporter, ...] = field(
        default=(), metadata=stored(Stored.OUTLETS, "Every absorbed copy of the story: its outlet and URL.")
    )
    origin: str = field(default="", metadata=stored(Stored.TEXT, "Provenance: the raw input's path and line."))
    date_source: str = field(default="", metadata=stored(Stored.TEXT, "Where the date was found.", omit_empty=True))
    featured: bool = field(default=False, metadata=stored(Stored.FLAG, "Editorial: pin to the front page."))
    draft: bool = field(default=False, metadata=stored(Stored.FLAG, "Editorial: hide from the site."))
    body: str = ""
    slug: str = ""
    src_path: str = ""
    score: float = 0.0
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def url(self) -> str:
        """Return the article's site-relative URL, e.g. `2026/02/04/economy/slug/`."""
        return f"{self.date:%Y/%m/%d}/{self.theme}/{self.slug}/"

    @property
    def outlets(self) -> tuple[str, ...]:
        """Return the names of the outlets that reported the story, its own source first, each once."""
        names: dict[str, str] = {}
        for name in (self.source, *(r.source for r in self.also_reported_by)):
            if name.strip():
                names.setdefault(name.strip().casefold(), name.strip())
        return tuple(names.values())


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


@dataclass(frozen=True)
class Link:
    """A labelled link to a page of the site; `url` is site-relative ("" is the front page)."""

    url: str
    label: str
    count: int = 0
    lang: str = ""


@dataclass(frozen=True)
class Section:
    """A titled group of articles on a listing page (a theme of a day, a day of the front page)."""

    key: str
    title: str
    articles: tuple[Article, ...] = ()
    total: int = 0  # articles in the whole group, when `articles` shows only the first few
    more_url: str = ""  # where the rest of the group is listed ("" when all are shown)
    sections: tuple[Section, ...] = ()  # nested groups: a front-page day holds its themes


@dataclass(frozen=True)
class Page:
    """One HTML page of the site, with everything its template shows and nothing more.

    `url` is site-relative (`2026/02/04/`, `404.html`, `` for the front page); a page is
    re-rendered only when this value changes, so templates must read nothing else but the
    site-wide settings (and a numbered listing page nothing that newer articles change).
    """

    url: str
    template: str
    title: str
    kind: str
    description: str = ""
    article: Article | None = None
    articles: tuple[Article, ...] = ()
    sections: tuple[Section, ...] = ()
    links: tuple[Link, ...] = ()
    related: tuple[Link, ...] = ()  # article pages: same-day related reading (`count`: its outlets)
    earlier: tuple[Link, ...] = ()  # article pages: earlier coverage of the same names, nearest first
    later: tuple[Link, ...] = ()  # article pages: later coverage
    prev: Link | None = None
    next: Link | None = None
    up: Link | None = None  # the listing this page belongs to (breadcrumb)
    source: Link | None = None  # article pages: the source's listing
    language: Link | None = None  # article pages: the language's listing
    span: str = ""  # numbered pages of a listing: the days they cover ("3–9 March 2026")
    feed_url: str = ""
    days: tuple[tuple[dt.date, int], ...] = ()  # archive: articles per day, oldest first
    total: int = 0


# Article identity. One definition, shared by content (ids) and curate (merging), so that
# what makes two items "the same story" and what names a file can never drift apart.
_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_ASCII_ALNUM = bytes(b for b in range(256) if not (48 <= b <= 57 or 97 <= b <= 122))
_HTTP_URL = re.compile(r"^(https?)://([^/?#]+)(.*)$", re.IGNORECASE)


def short_title(title: str, limit: int = 60) -> str:
    """Return a title cut to `limit` characters (with "...") for a one-line message."""
    return title if len(title) <= limit else title[: limit - 3] + "..."


def collapse_spaces(text: str) -> str:
    """Return text with every run of whitespace made one space and none at either end."""
    # Most text reaching a later stage is collapsed already: two scans in C say so, and
    # spare splitting it into words and joining them again. (Every whitespace character
    # but the space is unprintable to str.isprintable.)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def normalize_title(title: str) -> str:
    """Return text reduced to casefolded letters and digits, for ids and comparing repeats."""
    if title.isascii():
        # ASCII is its own NFKC form and casefolds as lower(); dropping every byte but
        # a-z0-9 in one C pass is ~10x cheaper than the regex on whole bodies.
        return title.lower().encode("ascii").translate(None, _NOT_ASCII_ALNUM).decode("ascii")
    # `[\W_]` is exactly "not str.isalnum()" (re's \w is isalnum() plus the underscore).
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", title).casefold())


def url_host(url: str) -> str:
    """Return the lowercased host of an http(s) URL without `www.` ("" for anything else).

    The one host helper: sources, curation, content and ingest all name outlets with it.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced IPv6 bracket in a scraped link
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return (parts.hostname or "").removeprefix("www.")


def canonical_url(url: str) -> str:
    """Return a URL with the scheme and host lowercased and a trailing slash or fragment dropped."""
    url = url.strip().split("#", 1)[0]
    match = _HTTP_URL.match(url)
    if not match:
        return url
    scheme, host, rest = match.groups()
    rest = rest.rstrip("/") if rest not in ("", "/") else ""
    return f"{scheme.lower()}://{host.lower()}{rest}"


_T = TypeVar("_T")
_R = TypeVar("_R")


class Mapper(Protocol):
    """The map a stage is handed for its pure per-item work: results come in order.

    The builtin `map`, or the orchestrator's stand-in that runs in worker processes (see
    `ingest`); so a stage maps only picklable module-level functions, or partials of them.
    """

    def __call__(self, fn: Callable[[_T], _R], items: Sequence[_T], /) -> Iterable[_R]:
        """Return fn of each item, in order."""
        ...
