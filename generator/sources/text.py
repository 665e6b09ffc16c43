"""Split a page text dump (several articles in a site's own layout) into raw items.

Input: the decoded text of one page, its file name (for `origin`) and the path to show in
problems. Output: a `SourceResult` of `RawItem`s, one per story (repeats under several
section headings merged), plus problems. Pure, no I/O; never raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from generator.models import Problem, RawItem, SourceResult, normalize_title
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


def _shorten(title: str) -> str:
    """Return the first sentence (or a word-boundary prefix) of a headline that is a whole text."""
    match = _SENTENCE.match(title)
    if match and _TITLE_MIN <= len(match.group(1)) <= _SENTENCE_MAX:
        return match.group(1)
    if len(title) <= _TITLE_MAX:
        return title
    cut = title[:_TITLE_MAX].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return (cut if len(cut) >= _TITLE_MIN else title[:_TITLE_MAX]) + "…"


@dataclass
class _Walk:
    """What the line walk has gathered so far (the walk is a small state machine)."""

    drafts: list[_Draft] = field(default_factory=list)
    current: _Draft | None = None  # the draft the next body line belongs to
    section: str | None = None  # the last section heading passed
    site: str | None = None  # the site name heading the page, if one was seen

    def open(self, number: int, title: str | None, anchor: Anchor | None = None) -> _Draft:
        """Start a new draft under the current section heading and make it the current one."""
        draft = _Draft(number, title) if anchor is None else _Draft(number, title, anchor.date, anchor.source)
        if self.section:
            draft.sections.append(self.section)
        self.drafts.append(draft)
        self.current = draft
        return draft


def _walk(seq: list[Line], layout: Layout) -> tuple[list[_Draft], str | None]:
    """Return the drafts of a page's content lines and the site name seen above them."""
    walk = _Walk()
    has_headlines = bool(layout.anchors)
    for k, line in enumerate(seq):
        anchor: Anchor | None = layout.anchors.get(k)
        # The layout's verdict on a line wins over the line's own kind: a headline or a
        # heading may be any text line, and skipped lines (date lines already used, a
        # footer menu) are no content.
        if anchor is not None:
            _open_headline(walk, line, anchor)
        elif k in layout.headings:
            _pass_heading(walk, k, line, layout.headings)
        elif k in layout.skipped:
            continue
        elif line.kind == DATE:
            _date_from_line(walk.current, k, line, layout)
        elif line.kind == SOURCE:
            if walk.current is not None and not walk.current.source_url:
                walk.current.source_url = line.source_url
        elif line.kind == TEXT:
            _add_body_line(walk, line, has_headlines)
    return walk.drafts, walk.site


def _open_headline(walk: _Walk, line: Line, anchor: Anchor) -> None:
    """Start the draft of a headline line (without the date glued to it)."""
    title = line.title_text if line.title_date is not None else line.text
    draft = walk.open(line.number, title or None, anchor)
    if line.source_url:
        draft.source_url = line.source_url


def _pass_heading(walk: _Walk, k: int, line: Line, headings: set[int]) -> None:
    """Note a heading line: the site's name atop the page, else the section of what follows."""
    run_start = k == 0 or (k - 1) not in headings
    # Before any story, a domain or the first of several stacked headings names the site.
    if walk.site is None and not walk.drafts and (_DOMAIN.match(line.text) or (run_start and (k + 1) in headings)):
        walk.site = line.text
    elif not _DOMAIN.match(line.text):
        walk.section = line.text


def _date_from_line(draft: _Draft | None, k: int, line: Line, layout: Layout) -> None:
    """Date an undated draft by a date line below it, when the layout or its text allows."""
    if draft is None or draft.date is not None:
        return
    if k in layout.trailing_dates:
        draft.date, draft.date_source = layout.trailing_dates[k], "date_line_after_article"
    elif draft.body and line.dates:
        # A date line closing an undated story ("... text. / 04.02.2026") is its date.
        timed = [m for m in line.dates if m.time is not None]
        draft.date, draft.date_source = (timed or list(line.dates))[0], "date_line_after_article"


def _add_body_line(walk: _Walk, line: Line, has_headlines: bool) -> None:
    """Append a text line to the current draft (or to a new untitled one)."""
    draft = walk.current
    if draft is None:
        # Text above the first headline: an untitled article only when the page has none.
        if has_headlines:
            logger.debug("line %d: text above the first headline skipped", line.number)
            return
        draft = walk.open(line.number, None)
    draft.body.append((line.number, line.text))
    if line.source_url and not draft.source_url:
        draft.source_url = line.source_url


def _title_and_body(draft: _Draft) -> tuple[str | None, list[str]]:
    """Return a draft's cleaned headline and paragraphs, undoing headline/body repeats."""
    title = " ".join(draft.title.split()) if draft.title else None
    body = [text for _, text in draft.body]
    if not title:
        return title, body
    if not normalize_title(title):
        return None, body  # "-" and other punctuation-only headline slots
    if body and len(title) * 2 > sum(map(len, body)) and normalize_title(title) == normalize_title(" ".join(body)):
        title = _shorten(title)  # the headline line repeats the whole text
    elif not body and len(title) > 250 and _SENTENCE.match(title):
        body, title = [title], _shorten(title)  # a whole text on the headline line
    if len(body) > 1 and normalize_title(body[0]) == normalize_title(title):
        body = body[1:]  # a teaser block that restates its headline
    return title, body


def _publication_date(draft: _Draft, layout: Layout) -> tuple[DateMatch | None, str]:
    """Return a draft's date and how it was found, falling back on the page's date."""
    match, date_source = draft.date, draft.date_source
    if match is not None and not plausible_date(match.date):
        match = None  # a far-future date line is no publication date: the page's date may be
    if match is None and layout.page_date is not None and plausible_date(layout.page_date.date):
        match, date_source = layout.page_date, "page_header"
    return match, date_source


def _finish(draft: _Draft, name: str, layout: Layout, site: str | None) -> RawItem:
    """Return the RawItem of a draft: title and body cleaned, date and language decided."""
    title, body = _title_and_body(draft)
    # An untitled draft is found by its first paragraph; a titled (or empty) one by its headline.
    origin_line = draft.line if draft.title is not None or not draft.body else draft.body[0][0]
    match, date_source = _publication_date(draft, layout)
    published = None
    if match is not None and match.time is not None:
        published = dt.datetime.combine(match.date, match.time)
    text = " ".join([title or "", *body])
    # The site name only stands in for a source link the story lacks.
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


def _repeat_key(item: RawItem) -> tuple[str, str] | None:
    """Return what identifies a story's repeats on the page: its headline, else its text's start."""
    if item.title:
        return ("title", normalize_title(item.title))
    if item.body:
        return ("body", normalize_title(" ".join(item.body))[:300])
    return None


def _combine(first: RawItem, repeat: RawItem) -> RawItem:
    """Return one item for a story and its repeat: the first's identity, the longer text."""
    longer = (
        repeat if len(normalize_title(" ".join(repeat.body))) > len(normalize_title(" ".join(first.body))) else first
    )
    return RawItem(
        origin=first.origin,
        title=first.title,
        body=longer.body,
        date=first.date or repeat.date,
        date_source=first.date_source if first.date else repeat.date_source,
        published=first.published or repeat.published,
        language=longer.language,
        source=first.source,
        source_url=first.source_url or repeat.source_url,
        sections=tuple(dict.fromkeys(first.sections + repeat.sections)),
        tags=first.tags,
        summary=first.summary,
    )


def _merge(items: list[RawItem]) -> list[RawItem]:
    """Return items with within-page repeats (same story under another heading) merged."""
    out: list[RawItem] = []
    index: dict[tuple[str, str], int] = {}
    for item in items:
        key = _repeat_key(item)
        if key is None:
            out.append(item)  # an empty headline slot is its own (rejected) item
            continue
        # A key of a few letters ("Video", "-") says too little to call two items one story.
        if len(key[1]) < 8 or key not in index:
            index.setdefault(key, len(out))
            out.append(item)
            continue
        first = out[index[key]]
        if first.date and item.date and first.date != item.date:
            out.append(item)  # same headline, different day: two stories
            continue
        out[index[key]] = _combine(first, item)
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


def _looks_binary(text: str) -> bool:
    """Return True when the start of a file holds too many control characters to be text."""
    sample = text[:20000]
    return bool(sample) and len(_BINARY.findall(sample)) > max(8, len(sample) // 50)


def _drop_link_list(items: list[RawItem], shown: str) -> list[RawItem]:
    """Return items without the bare headlines that sit beside an article page's one story."""
    if sum(1 for i in items if i.body) != 1:
        return items
    # Beside the one story with text (an article page), a bare headline (no text, no
    # source link) is a link list entry (sidebar, "top news"), not a story of the page.
    links = [i for i in items if i.title and not i.body and not i.source_url]
    if links:
        logger.info("%s: skipped %d bare headlines without text (a link list)", shown, len(links))
        items = [i for i in items if not (i.title and not i.body and not i.source_url)]
    return items


def _problems(shown: str, items: list[RawItem], passed_over: dict[str, list[dt.date]]) -> list[Problem]:
    """Return the problems of a page: undated items whose only dates were implausible, or no items."""
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
    return problems


def _parse(text: str, name: str, shown: str) -> SourceResult:
    """Return the articles of one page text dump (`read_text_dump` without its safety net)."""
    if _looks_binary(text):
        return SourceResult.rejected(
            shown, FORMAT, 0, "the file does not look like text", "check the file's format and encoding"
        )
    lines = classify_lines(text)
    seq, layout = find_layout(lines)
    drafts, site = _walk(seq, layout)
    source = _site_source(site)
    items = [_finish(d, name, layout, source) for d in drafts]
    # Kept per origin before merging: a merged item must still report the dates it lost.
    # Only an undated item can have lost one, and a merged item is undated only if its
    # first part was.
    passed_over = {
        item.origin: _implausible_dates(d, layout) for d, item in zip(drafts, items, strict=True) if item.date is None
    }
    items = _merge([i for i in items if i.title or i.body or i.date or i.source_url])
    items = _drop_link_list(items, shown)
    problems = _problems(shown, items, passed_over)
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
