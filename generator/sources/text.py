"""Split a page text dump (several articles in a site's own layout) into raw items.

Input: the decoded text of one page, its file name (for `origin`) and the path to show in
problems. Output: a `SourceResult` of `RawItem`s, one per story (repeats under several
section headings merged), plus problems. Pure, no I/O; never raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from generator.models import Problem, RawItem, SourceResult
from generator.sources.dates import DateMatch, implausible_problem, plausible_date
from generator.sources.language import detect_language
from generator.sources.text_lines import DATE, SOURCE, TEXT, Line, classify_lines
from generator.sources.text_structure import Anchor, Layout, find_layout

logger = logging.getLogger(__name__)

FORMAT = "text"
# A headline that repeats the whole body is shortened to its first sentence when that is
# 40-200 characters long, else to a word-boundary prefix of at most 120 characters.
_SENTENCE_MAX = 200
_TITLE_MAX = 120
_TITLE_MIN = 40
_DOMAIN = re.compile(r"^(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})/?$", re.IGNORECASE)
_SENTENCE = re.compile(r"^(.+?[.!?…])(?=\s|$)")
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")


@dataclass
class _Draft:
    """An article being assembled while the lines are walked."""

    line: int
    title: str | None
    date: DateMatch | None = None
    date_source: str = ""
    body: list[tuple[int, str]] = field(default_factory=list)
    source_url: str | None = None
    sections: list[str] = field(default_factory=list)


_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_ASCII_ALNUM = bytes(b for b in range(256) if not (48 <= b <= 57 or 97 <= b <= 122))


def _norm(text: str) -> str:
    """Return text reduced to casefolded letters and digits, to compare repeats."""
    if text.isascii():
        # ASCII is its own NFKC form and casefolds as lower(); dropping every byte but
        # a-z0-9 in one C pass is ~10x cheaper than the regex on whole bodies.
        return text.lower().encode("ascii").translate(None, _NOT_ASCII_ALNUM).decode("ascii")
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def _shorten(title: str) -> str:
    """Return the first sentence (or a word-boundary prefix) of a headline that is a whole text."""
    match = _SENTENCE.match(title)
    if match and _TITLE_MIN <= len(match.group(1)) <= _SENTENCE_MAX:
        return match.group(1)
    if len(title) <= _TITLE_MAX:
        return title
    cut = title[:_TITLE_MAX].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return (cut if len(cut) >= _TITLE_MIN else title[:_TITLE_MAX]) + "…"


def _walk(seq: list[Line], layout: Layout) -> tuple[list[_Draft], str | None]:
    """Return the drafts of a page's content lines and the site name seen above them."""
    drafts: list[_Draft] = []
    current: _Draft | None = None
    section: str | None = None
    site: str | None = None
    for k, line in enumerate(seq):
        anchor: Anchor | None = layout.anchors.get(k)
        if anchor is not None:
            title = line.title_text if line.title_date is not None else line.text
            current = _Draft(line.number, title or None, anchor.date, anchor.source)
            if line.source_url:
                current.source_url = line.source_url
            if section:
                current.sections.append(section)
            drafts.append(current)
            continue
        if k in layout.headings:
            run_start = k == 0 or (k - 1) not in layout.headings
            if site is None and not drafts and (_DOMAIN.match(line.text) or (run_start and (k + 1) in layout.headings)):
                site = line.text  # a domain, or the first of several headings atop the page: the site
            elif not _DOMAIN.match(line.text):
                section = line.text
            continue
        if k in layout.skipped:
            continue
        if line.kind == DATE:
            if current is not None and current.date is None and k in layout.trailing_dates:
                current.date, current.date_source = layout.trailing_dates[k], "date_line_after_article"
            elif current is not None and current.date is None and current.body and line.dates:
                # A date line closing an undated story ("... text. / 04.02.2026") is its date.
                timed = [m for m in line.dates if m.time is not None]
                current.date, current.date_source = (timed or list(line.dates))[0], "date_line_after_article"
            continue
        if line.kind == SOURCE:
            if current is not None and not current.source_url:
                current.source_url = line.source_url
            continue
        if line.kind != TEXT:
            continue
        if current is None:
            # Text above the first headline: an untitled article only when the page has none.
            if layout.anchors:
                logger.debug("line %d: text above the first headline skipped", line.number)
                continue
            current = _Draft(line.number, None)
            if section:
                current.sections.append(section)
            drafts.append(current)
        current.body.append((line.number, line.text))
        if line.source_url and not current.source_url:
            current.source_url = line.source_url
    return drafts, site


def _finish(draft: _Draft, name: str, layout: Layout, site: str | None) -> RawItem:
    """Return the RawItem of a draft: title and body cleaned, date and language decided."""
    title = " ".join(draft.title.split()) if draft.title else None
    body = [text for _, text in draft.body]
    if title and not _norm(title):
        title = None  # "-" and other punctuation-only headline slots
    if title and body and len(title) * 2 > sum(map(len, body)) and _norm(title) == _norm(" ".join(body)):
        title = _shorten(title)  # the headline line repeats the whole text
    elif title and not body and len(title) > 250 and _SENTENCE.match(title):
        body, title = [title], _shorten(title)  # a whole text on the headline line
    if title and len(body) > 1 and _norm(body[0]) == _norm(title):
        body = body[1:]  # a teaser block that restates its headline
    origin_line = draft.line if draft.title is not None or not draft.body else draft.body[0][0]
    match, date_source = draft.date, draft.date_source
    if match is not None and not plausible_date(match.date):
        match = None  # a far-future date line is no publication date: the page's date may be
    if match is None and layout.page_date is not None and plausible_date(layout.page_date.date):
        match, date_source = layout.page_date, "page_header"
    published = None
    if match is not None and match.time is not None:
        published = dt.datetime.combine(match.date, match.time)
    text = " ".join([title or "", *body])
    source = site if site and not draft.source_url else None
    return RawItem(
        origin=f"{name}:{origin_line}",
        title=title,
        body=tuple(body),
        date=match.date if match else None,
        date_source=date_source if match else "",
        published=published,
        language=detect_language(text),
        source=source,
        source_url=draft.source_url,
        sections=tuple(dict.fromkeys(draft.sections)),
    )


def _implausible_dates(draft: _Draft, layout: Layout) -> list[dt.date]:
    """Return the dates `_finish` passed over for a draft as no publication date."""
    found = [m.date for m in (draft.date, layout.page_date) if m is not None]
    return [d for d in found if not plausible_date(d)]


def _merge(items: list[RawItem]) -> list[RawItem]:
    """Return items with within-page repeats (same story under another heading) merged."""
    out: list[RawItem] = []
    index: dict[tuple[str, str], int] = {}
    for item in items:
        if item.title:
            key = ("title", _norm(item.title))
        elif item.body:
            key = ("body", _norm(" ".join(item.body))[:300])
        else:
            out.append(item)  # an empty headline slot is its own (rejected) item
            continue
        if len(key[1]) < 8 or key not in index:
            index.setdefault(key, len(out))
            out.append(item)
            continue
        first = out[index[key]]
        if first.date and item.date and first.date != item.date:
            out.append(item)  # same headline, different day: two stories
            continue
        longer = item if len(_norm(" ".join(item.body))) > len(_norm(" ".join(first.body))) else first
        out[index[key]] = RawItem(
            origin=first.origin,
            title=first.title,
            body=longer.body,
            date=first.date or item.date,
            date_source=first.date_source if first.date else item.date_source,
            published=first.published or item.published,
            language=longer.language,
            source=first.source,
            source_url=first.source_url or item.source_url,
            sections=tuple(dict.fromkeys(first.sections + item.sections)),
            tags=first.tags,
            summary=first.summary,
        )
    return out


#: Navigation words that can head a page but never name the site.
_NAV_WORDS = frozenset(
    [
        "home",
        "main",
        "menu",
        "news",
        "latest",
        "top",
        "all",
        "главная",
        "новости",
        "меню",
        "басты",
        "жаңалықтар",
        "startseite",
        "nachrichten",
    ]
)


def _site_source(site: str | None) -> str | None:
    """Return a site name usable as an item's source: a domain ("gov.kz") or a short name.

    A name is what heads the page above its section headings ("Enbekshi QazaQ"): a few
    words, no sentence punctuation, no digits, not a navigation word.
    """
    site = " ".join((site or "").split())
    match = _DOMAIN.match(site)
    if match:
        return match.group(1).lower()
    words = site.split()
    if (
        1 <= len(words) <= 5
        and len(site) <= 40
        and not any(ch.isdigit() or ch in ".,;:!?|/>»" for ch in site)
        and site.casefold() not in _NAV_WORDS
    ):
        return site
    return None


def _parse(text: str, name: str, shown: str) -> SourceResult:
    sample = text[:20000]
    if sample and len(_BINARY.findall(sample)) > max(8, len(sample) // 50):
        return SourceResult.rejected(
            shown, FORMAT, 0, "the file does not look like text", "check the file's format and encoding"
        )
    lines = classify_lines(text)
    seq, layout = find_layout(lines)
    drafts, site = _walk(seq, layout)
    source = _site_source(site)
    items = [_finish(d, name, layout, source) for d in drafts]
    passed_over = {item.origin: _implausible_dates(d, layout) for d, item in zip(drafts, items, strict=True)}
    items = _merge([i for i in items if i.title or i.body or i.date or i.source_url])
    if sum(1 for i in items if i.body) == 1:
        # Beside the one story with text (an article page), a bare headline (no text, no
        # source link) is a link list entry (sidebar, "top news"), not a story of the page.
        links = [i for i in items if i.title and not i.body and not i.source_url]
        if links:
            logger.info("%s: skipped %d bare headlines without text (a link list)", shown, len(links))
            items = [i for i in items if not (i.title and not i.body and not i.source_url)]
    problems = [
        implausible_problem(shown, int(i.origin.rsplit(":", 1)[1]), i.title, passed_over[i.origin])
        for i in items
        if i.date is None and passed_over.get(i.origin)
    ]
    if not items:
        problems.append(
            Problem(
                shown,
                0,
                "no articles found in the page text",
                "expected headlines with dates and paragraphs; check that this is a page dump",
            )
        )
    logger.debug("%s: %d lines → %d items (%s)", shown, len(lines), len(items), layout.describe())
    return SourceResult(path=shown, format=FORMAT, items=tuple(items), problems=tuple(problems), raw_count=len(items))


def read_text_dump(text: str, name: str, shown: str) -> SourceResult:
    """Return the articles of one page text dump, with problems instead of exceptions."""
    try:
        return _parse(text, name, shown)
    except Exception as exc:  # one odd page must not sink the run: report it and go on
        logger.exception("%s: the text parser failed", shown)
        return SourceResult.rejected(
            shown, FORMAT, 0, f"could not split the page into articles ({exc!r})", "report this input as a parser bug"
        )
