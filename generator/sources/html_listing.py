"""Split an HTML listing page (repeated title/date/teaser or full-post blocks) into items.

Input: a parsed page (scripts removed) and its `PageMeta`. Output: the blocks found by
`find_listing` and, from them, a `SourceResult` with one item per story (title, date,
teaser or body, absolute http(s) link, the headings above it as sections). No extractor
splits listings, so this is structural: repeated sibling blocks that each hold a headline.
A story's date, link and text come from its own boundary only: its block, or in a flat list
(date line, headline, teaser, "read more" as siblings) the run of siblings it repeats in.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

from generator.models import Problem, RawItem, Severity, SourceResult
from generator.sources.dates import find_dates, plausible_date
from generator.sources.html_page import (
    SHORT_TEXT,
    HtmlElement,
    PageMeta,
    clean_body,
    element_paragraphs,
    element_text,
    prune_boilerplate,
)
from generator.sources.values import clean_text, parse_timestamp, pick_language, safe_url, unique

logger = logging.getLogger(__name__)

MIN_BLOCKS = 3  # fewer repeated blocks than this is an article with extras, not a listing
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TITLE_TAGS = {"a", "div", "span", "p", "strong", "b"}
_TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|headline|heading)(?:$|[-_])")
_SECTION_CLASS = re.compile(r"(?:^|[-_])(?:section|rubric|category)[-_]?(?:title|name|heading)(?:$|[-_])")
_MIN_TEASER = 30  # characters of non-title text that make a block more than a bare link


@dataclass(frozen=True)
class Block:
    """One repeated listing block: its element, its title element and the heading above it."""

    element: HtmlElement
    title: HtmlElement
    section: str | None


def _level(el: HtmlElement) -> int:
    """Return a heading's level (1-6); a non-heading title counts as level 7."""
    return int(el.tag[1]) if el.tag in _HEADINGS else 7


def _has_title_class(el: HtmlElement) -> bool:
    return any(_TITLE_CLASS.search(name) for name in (el.get("class") or "").lower().split())


def _is_title(el: HtmlElement) -> bool:
    """Return True for a headline: a heading, or a title-classed link or link holder outside headings."""
    if el.tag in _HEADINGS:
        return bool(element_text(el))
    if el.tag not in _TITLE_TAGS or not _has_title_class(el) or not element_text(el):
        return False
    if el.tag != "a" and next(el.iter("a"), None) is None:
        return False
    # The outermost title-classed element is the headline, not the link inside it.
    return not any(anc.tag in _HEADINGS or _has_title_class(anc) for anc in el.iterancestors())


def _title_link(title: HtmlElement, block: HtmlElement) -> HtmlElement | None:
    """Return the link of a block's headline: in it, around it, or a block link with its text."""
    if title.tag == "a" and title.get("href"):
        return title
    for a in title.iter("a"):
        if a.get("href"):
            return a
    for anc in title.iterancestors():
        if anc.tag == "a" and anc.get("href"):
            return anc
        if anc is block:
            break
    text = element_text(title).casefold()
    for a in block.iter("a"):
        if a.get("href") and element_text(a).casefold() == text:
            return a
    return None


def _shape(el: HtmlElement) -> tuple[str, str]:
    return el.tag, " ".join(sorted((el.get("class") or "").split()))


def _unit_offset(siblings: list[HtmlElement], starts: list[int]) -> int:
    """Return how many siblings before each repeat belong to its story (a date line above a headline)."""
    # An element of the same shape right before every repeat (a date line above each
    # headline) opens the story; the previous story's "read more" line does not, because the
    # first repeat has no previous story to copy it from.
    shortest = min(b - a for a, b in itertools.pairwise(starts))
    k = 0
    while k + 1 < shortest and starts[0] > k and len({_shape(siblings[s - k - 1]) for s in starts}) == 1:
        k += 1
    return k


def _unit(siblings: list[HtmlElement], starts: list[int], at: int) -> list[HtmlElement]:
    """Return the run of siblings that is the story of the repeat `starts[at]`."""
    k = _unit_offset(siblings, starts)
    begin = starts[at] - k
    if at + 1 < len(starts):
        return siblings[begin : starts[at + 1] - k]
    # The last story ends where the siblings stop looking like a story (a footer, a contact box).
    seen = {_shape(el) for el in siblings[starts[0] - k : begin]}
    longest = max(b - a for a, b in itertools.pairwise(starts))
    end = begin + k + 1
    while end < len(siblings) and end - begin < longest and _shape(siblings[end]) in seen:
        end += 1
    return siblings[begin:end]


def item_parts(block: HtmlElement, title: HtmlElement) -> list[HtmlElement]:
    """Return the elements of one story: its block, or in a flat list the run of siblings it repeats in."""
    parent = block.getparent()
    thin = len(element_text(block)) <= len(element_text(title))
    if parent is None or not (thin or _date_in([block], title) is None):
        return [block]
    siblings = [el for el in parent if isinstance(el.tag, str)]
    starts = [i for i, el in enumerate(siblings) if _shape(el) == _shape(block)]
    if len(starts) < 2:
        return [block]
    unit = _unit(siblings, starts, next(n for n, i in enumerate(starts) if siblings[i] is block))
    if thin:
        return unit
    # A block that holds its own text takes only its date line from around it, no promo boxes.
    return [el for el in unit if el is block or (len(element_text(el)) <= SHORT_TEXT and _date_in([el], title))]


def _attribute_dates(el: HtmlElement) -> Iterator[str]:
    """Yield the attribute values of an element that may hold a machine-readable date."""
    # `<abbr title="2024-03-03">`, `<meta itemprop="datePublished" content=…>`, `data-date=…`;
    # a link's title is a headline, and may hold a year of its own.
    for key, value in el.attrib.items():
        named = key == "datetime" or (key.startswith("data-") and ("date" in key or "time" in key))
        titled = key == "title" and el.tag in ("abbr", "span")
        if named or titled or (key == "content" and "date" in (el.get("itemprop") or "").lower()):
            yield value


def _date_in(parts: list[HtmlElement], title: HtmlElement) -> tuple[str, dt.date, dt.datetime | None] | None:
    """Return (date source, date, published) from a story's <time>, date attributes, else its text."""
    # A placeholder (0001-01-01) or far-future date is no publication date: the next one is tried.
    elements = [el for part in parts for el in part.iter() if isinstance(el.tag, str)]
    for el in elements:
        if el.tag == "time":
            date, published = parse_timestamp(el.get("datetime") or element_text(el))
            if date and plausible_date(date):
                return "time_element", date, published
    for el in elements:
        for value in _attribute_dates(el):
            date, published = parse_timestamp(value)
            if date and plausible_date(date):
                return "attribute", date, published
    title_text = element_text(title)
    text = " ".join(element_text(part) for part in parts).replace(title_text, " ", 1)
    found = [d for d in find_dates(text) if plausible_date(d.date)]
    if found:
        return "visible", found[0].date, None
    found = find_dates(title_text)
    if found and found[-1].end == len(title_text) and plausible_date(found[-1].date):
        return "visible", found[-1].date, None
    return None


def _block_date(block: HtmlElement, title: HtmlElement) -> tuple[str, dt.date, dt.datetime | None] | None:
    """Return (date source, date, published) of a story, looked for inside its own boundary only."""
    return _date_in(item_parts(block, title), title)


def _is_item(block: HtmlElement, title: HtmlElement) -> bool:
    """Return True when a block is a story: a linked headline, or a headline with a date."""
    linked = _title_link(title, block) is not None
    dated = _block_date(block, title) is not None
    extra = len(element_text(block)) - len(element_text(title))
    return (linked and (dated or extra >= _MIN_TEASER)) or (dated and extra >= _MIN_TEASER)


def _signature(block: HtmlElement, title: HtmlElement) -> tuple[str, str, str]:
    return block.tag, " ".join(sorted((block.get("class") or "").split())), title.tag


def find_listing(root: HtmlElement, site_name: str | None = None) -> list[Block]:
    """Return the story blocks of a listing page, or [] when the page is a single article."""
    tree = copy.deepcopy(root)
    prune_boilerplate(tree)
    titles = [el for el in tree.iter() if isinstance(el.tag, str) and _is_title(el)]
    if len(titles) < MIN_BLOCKS:
        return []
    counts: Counter[HtmlElement] = Counter()
    for title in titles:
        for anc in title.iterancestors():
            counts[anc] += 1
    # A block is the largest ancestor of a headline that holds no other headline.
    blocks: dict[HtmlElement, HtmlElement] = {}
    for title in titles:
        block = title
        parent = block.getparent()
        while parent is not None and parent.tag not in ("body", "html") and counts[parent] == 1:
            block = parent
            parent = block.getparent()
        blocks[title] = block
    items = [(t, b) for t, b in blocks.items() if _is_item(b, t)]
    shapes = Counter(_signature(b, t) for t, b in items)
    items = [(t, b) for t, b in items if shapes[_signature(b, t)] >= 2]
    if len(items) < MIN_BLOCKS:
        return []

    # One long text outside the blocks means an article page with a related-stories strip.
    item_chars = sum(len(element_text(b)) for _, b in items)
    # Sets hold the elements themselves: lxml reuses a node's proxy only while it is referenced,
    # so id() of a transient proxy is not a stable key.
    in_blocks = {el for _, b in items for el in b.iter()}
    outside = sum(len(element_text(p)) for p in tree.iter("p") if p not in in_blocks)
    if outside > item_chars and outside > 500:
        logger.debug("page has %d chars outside %d blocks: treated as an article", outside, len(items))
        return []

    site = (site_name or "").casefold()
    item_titles = {t for t, _ in items}
    block_of = {el: (t, b) for t, b in items for el in b.iter()}
    result: list[Block] = []
    section: tuple[int, str] | None = None
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if el in item_titles:
            title, block = block_of[el]
            name = section[1] if section and section[0] <= _level(title) else None
            result.append(Block(block, title, name))
            continue
        if el in block_of:
            continue
        heading = el.tag in _HEADINGS or bool(_SECTION_CLASS.search((el.get("class") or "").lower()))
        text = element_text(el) if heading else ""
        if heading and text and text.casefold() != site and len(text) <= 80:
            section = (_level(el) if el.tag in _HEADINGS else 0, text)
    return result


def dated_blocks(blocks: list[Block]) -> bool:
    """Return True when most blocks carry a date of their own (a news listing, not sections)."""
    dated = sum(1 for b in blocks if _block_date(b.element, b.title) is not None)
    return dated * 2 >= len(blocks)


def _strip_date_suffix(title: str) -> str:
    """Return a headline without a date glued to its end (`TITLE 04.02.2026`)."""
    found = find_dates(title)
    if found and found[-1].end == len(title) and found[-1].start > 0:
        return title[: found[-1].start].rstrip(" -–—|,")
    return title


def _dropped_link(href: str, title: str, at: Problem, has_base: bool) -> Problem:
    """Return the warning for a story link that was dropped, saying why."""
    short = title[:60]
    if not has_base and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href.strip()):
        message = f'link of "{short}" is relative and the page has no base URL; it was dropped'
        hint = "save the page with its <link rel=canonical> or <base href>"
    else:
        message = f'link of "{short}" is not an http(s) URL and was dropped'
        hint = "only http and https links are kept"
    return replace(at, message=message, hint=hint, severity=Severity.WARNING)


_READ_MORE = re.compile(
    r"^(?:continue reading|read more|read the rest|read full (?:story|article)|full story|more|weiterlesen|mehr|"
    r"mehr lesen|mehr erfahren|zum artikel|подробнее|читать далее|читать дальше|далее|толығырақ|әрі қарай)"
    r"(?:\W*$|\s+[\"“«„'].*$)",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^\W*(?:posted|published|updated|by|von|am|veröffentlicht|опубликовано|обновлено|жарияланды)\b", re.I
)
_DATE_CLASS = re.compile(r"date|time|meta|byline|posted|datum|дата")


# "3 days ago", "vor 2 Tagen", "вчера": a date only relative to the page's own date.
_AGO = re.compile(
    r"\b(?:(?P<n>\d{1,3})\s*(?P<unit>[^\W\d_]+)\s+(?:ago|назад|бұрын)|vor\s+(?P<vn>\d{1,3})\s+(?P<vunit>[^\W\d_]+)"
    r"|(?P<word>yesterday|today|вчера|сегодня|gestern|heute|кеше|бүгін))\b",
    re.IGNORECASE,
)
_AGO_DAYS = {"yesterday": 1, "вчера": 1, "gestern": 1, "кеше": 1}
# Unit stems → days; a time of day ("5 hours ago") is the page's own day.
_UNIT_DAYS: tuple[tuple[str, int], ...] = (
    *(("week", 7), ("недел", 7), ("woche", 7), ("апта", 7)),
    *(("day", 1), ("tag", 1), ("дн", 1), ("ден", 1), ("күн", 1)),
    *(("hour", 0), ("hr", 0), ("min", 0), ("мин", 0), ("час", 0), ("stund", 0), ("сағат", 0)),
)


def _days_ago(match: re.Match[str]) -> int | None:
    """Return how many days back a relative date points, or None for a unit that is no time span."""
    if match.group("word"):
        return _AGO_DAYS.get(match.group("word").casefold(), 0)
    number = int(match.group("n") or match.group("vn"))
    unit = (match.group("unit") or match.group("vunit")).casefold()
    return next((number * days for stem, days in _UNIT_DAYS if unit.startswith(stem)), None)


def _relative_date(parts: list[HtmlElement], meta: PageMeta) -> tuple[str, dt.date, None] | None:
    """Return ("relative", date, None) from a short "3 days ago" line, counted back from the page's date."""
    if not meta.dates:
        return None  # without the page's own date there is nothing to count back from
    for el in (el for part in parts for el in part.iter() if isinstance(el.tag, str)):
        text = element_text(el)
        match = _AGO.search(text) if len(text) <= SHORT_TEXT else None
        days = _days_ago(match) if match else None
        if days is not None:
            return "relative", meta.dates[0].date - dt.timedelta(days=days), None
    return None


def _is_field(el: HtmlElement, headline: str) -> bool:
    """Return True for a story's headline, date line or "read more" link: fields, not body text."""
    text = element_text(el)
    if el.tag == "time" or ((el.tag == "a" or el.tag in _HEADINGS) and text == headline):
        return True
    if not text or len(text) > SHORT_TEXT:
        return False
    if el.tag == "a":
        return bool(_READ_MORE.match(text))
    if len(text) <= 40 and any(parse_timestamp(value)[0] for value in _attribute_dates(el)):
        return True  # `<abbr title="2024-03-03">Sunday</abbr>`: the date's display text
    found = find_dates(text)
    if not found:
        return len(text) <= 40 and _AGO.search(text) is not None
    # "Posted on March 3, 2024 by X", "12. März 2024 | Rathaus": a line mostly made of its date.
    covered = sum(d.end - d.start for d in found) >= 0.4 * len(text)
    named = bool(_DATE_CLASS.search((el.get("class") or "").lower()))
    return covered or named or bool(_BYLINE.match(text))


def _item_body(parts: list[HtmlElement], headline: str, title: str) -> tuple[str, ...]:
    """Return a story's body from its own elements, without its headline, date lines or "read more" link."""
    paragraphs: list[str] = []
    for part in parts:
        if _is_field(part, headline):
            continue
        body_el = copy.deepcopy(part)
        for el in list(body_el.iter()):
            if el is not body_el and isinstance(el.tag, str) and _is_field(el, headline):
                el.drop_tree()
        paragraphs.extend(element_paragraphs(body_el))
    return clean_body(tuple(paragraphs), title)


def read_listing(blocks: list[Block], meta: PageMeta, name: str, shown: str) -> SourceResult:
    """Return one item per story of a listing page; a story under two headings gets both sections."""
    items: list[RawItem] = []
    keys: dict[str, int] = {}
    problems: list[Problem] = []
    for block in blocks:
        title = _strip_date_suffix(element_text(block.title))
        line = block.title.sourceline or 1
        link_el = _title_link(block.title, block.element)
        href = link_el.get("href") if link_el is not None else None
        link = safe_url(href, meta.base_url)
        if href and not link:
            problems.append(_dropped_link(href, title, Problem(shown, line, ""), meta.base_url is not None))
        parts = item_parts(block.element, block.title)
        dated = _date_in(parts, block.title) or _relative_date(parts, meta)
        body = _item_body(parts, element_text(block.title), title)
        key = link or clean_text(title).casefold()
        section = (block.section,) if block.section else ()
        if key in keys:
            # The same story under a second heading: one item, both sections.
            at = keys[key]
            old = items[at]
            items[at] = replace(old, sections=unique([*old.sections, *section]))
            continue
        keys[key] = len(items)
        items.append(
            RawItem(
                origin=f"{name}:{line}",
                title=title or None,
                body=body,
                date=dated[1] if dated else None,
                date_source=dated[0] if dated else "",
                published=dated[2] if dated else None,
                language=pick_language(meta.language, " ".join([title, *body])),
                source=meta.site_name,
                source_url=link,
                sections=unique([*section, *meta.sections]) if section else meta.sections,
                tags=(),
            )
        )
    # A story repeated under a second heading is one story, not a duplicate to count.
    return SourceResult(shown, "html", items=tuple(items), problems=tuple(problems), raw_count=len(items))
