"""Split an HTML listing page (repeated title/date/teaser or full-post blocks) into items.

Input: a parsed page (scripts and furniture removed) and its `PageMeta`. Output: the blocks found by
`find_listing` and, from them, a `SourceResult` with one item per story (title, date,
teaser or body, absolute http(s) link, the headings above it as sections). No extractor
splits listings, so this is structural: repeated sibling blocks that each hold a headline.
A story's date, link and text come from its own boundary only: its block, or in a flat list
(date line, headline, teaser, "read more" as siblings) the run of siblings it repeats in.
"""

from __future__ import annotations

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
    Document,
    Element,
    PageMeta,
    clean_body,
    element_paragraphs,
    element_text,
)
from generator.sources.html_tree import ancestors, attr, child_tags, iter_tags, parent_of
from generator.sources.values import clean_text, parse_timestamp, pick_language, safe_url, unique

logger = logging.getLogger(__name__)

MIN_BLOCKS = 3  # fewer repeated blocks than this is an article with extras, not a listing
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TITLE_TAGS = {"a", "div", "span", "p", "strong", "b"}
_TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|headline|heading)(?:$|[-_])")
_SECTION_CLASS = re.compile(r"(?:^|[-_])(?:section|rubric|category)[-_]?(?:title|name|heading)(?:$|[-_])")
_MIN_TEASER = 30  # characters of non-title text that make a block more than a bare link


# eq=False: elements compare by identity (a bs4 Tag's own == and hash compare its markup).
@dataclass(frozen=True, eq=False)
class Block:
    """One repeated listing block: its element, its title element and the heading above it."""

    element: Element
    title: Element
    section: str | None


@dataclass(frozen=True, eq=False)
class _Story:
    """A headline and its block, the largest element around it that holds no other headline."""

    title: Element
    block: Element


def _level(el: Element) -> int:
    """Return a heading's level (1-6); a non-heading title counts as level 7."""
    return int(el.name[1]) if el.name in _HEADINGS else 7


def _has_title_class(el: Element) -> bool:
    return any(_TITLE_CLASS.search(name) for name in attr(el, "class").lower().split())


def _is_title(el: Element) -> bool:
    """Return True for a headline: a heading, or a title-classed link or link holder outside headings."""
    if el.name in _HEADINGS:
        return bool(element_text(el))
    if el.name not in _TITLE_TAGS or not _has_title_class(el) or not element_text(el):
        return False
    if el.name != "a" and el.find("a") is None:
        return False
    # The outermost title-classed element is the headline, not the link inside it.
    return not any(anc.name in _HEADINGS or _has_title_class(anc) for anc in ancestors(el))


def _title_link(title: Element, block: Element) -> Element | None:
    """Return the link of a block's headline: in it, around it, or a block link with its text."""
    for a in iter_tags(title, "a"):
        if attr(a, "href"):
            return a
    for anc in ancestors(title):
        if anc.name == "a" and attr(anc, "href"):
            return anc
        if anc is block:
            break
    text = element_text(title).casefold()
    for a in iter_tags(block, "a"):
        if attr(a, "href") and element_text(a).casefold() == text:
            return a
    return None


def _shape(el: Element) -> tuple[str, str]:
    return el.name, " ".join(sorted(attr(el, "class").split()))


def _unit_offset(siblings: list[Element], starts: list[int]) -> int:
    """Return how many siblings before each repeat belong to its story (a date line above a headline)."""
    # An element of the same shape right before every repeat (a date line above each
    # headline) opens the story; the previous story's "read more" line does not, because the
    # first repeat has no previous story to copy it from.
    shortest = min(b - a for a, b in itertools.pairwise(starts))
    k = 0
    while k + 1 < shortest and starts[0] > k and len({_shape(siblings[s - k - 1]) for s in starts}) == 1:
        k += 1
    return k


def _unit(siblings: list[Element], starts: list[int], at: int) -> list[Element]:
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


def item_parts(block: Element, title: Element) -> list[Element]:
    """Return the elements of one story: its block, or in a flat list the run of siblings it repeats in."""
    parent = parent_of(block)
    thin = len(element_text(block)) <= len(element_text(title))
    if parent is None or not (thin or _date_in([block], title) is None):
        return [block]
    siblings = child_tags(parent)
    starts = [i for i, el in enumerate(siblings) if _shape(el) == _shape(block)]
    if len(starts) < 2:
        return [block]
    unit = _unit(siblings, starts, next(n for n, i in enumerate(starts) if siblings[i] is block))
    if thin:
        return unit
    # A block that holds its own text takes only its date line from around it, no promo boxes.
    return [el for el in unit if el is block or (len(element_text(el)) <= SHORT_TEXT and _date_in([el], title))]


def _attribute_dates(el: Element) -> Iterator[str]:
    """Yield the attribute values of an element that may hold a machine-readable date."""
    # `<abbr title="2024-03-03">`, `<meta itemprop="datePublished" content=…>`, `data-date=…`;
    # a link's title is a headline, and may hold a year of its own.
    for key in el.attrs:
        named = key == "datetime" or (key.startswith("data-") and ("date" in key or "time" in key))
        titled = key == "title" and el.name in ("abbr", "span")
        if named or titled or (key == "content" and "date" in attr(el, "itemprop").lower()):
            yield attr(el, key)


def _date_in(parts: list[Element], title: Element) -> tuple[str, dt.date, dt.datetime | None] | None:
    """Return (date source, date, published) from a story's <time>, date attributes, else its text."""
    # A placeholder (0001-01-01) or far-future date is no publication date: the next one is tried.
    elements = [el for part in parts for el in iter_tags(part)]
    return _markup_date(elements) or _text_date(parts, title)


def _markup_date(elements: list[Element]) -> tuple[str, dt.date, dt.datetime | None] | None:
    """Return (date source, date, published) of the first plausible <time>, else date attribute."""
    for el in elements:
        if el.name == "time":
            date, published = parse_timestamp(attr(el, "datetime") or element_text(el))
            if date and plausible_date(date):
                return "time_element", date, published
    for el in elements:
        for value in _attribute_dates(el):
            date, published = parse_timestamp(value)
            if date and plausible_date(date):
                return "attribute", date, published
    return None


def _text_date(parts: list[Element], title: Element) -> tuple[str, dt.date, dt.datetime | None] | None:
    """Return ("visible", date, None) of the first plausible date in a story's text, else ending its title."""
    title_text = element_text(title)
    text = " ".join(element_text(part) for part in parts).replace(title_text, " ", 1)
    found = [d for d in find_dates(text) if plausible_date(d.date)]
    if found:
        return "visible", found[0].date, None
    found = find_dates(title_text)
    if found and found[-1].end == len(title_text) and plausible_date(found[-1].date):
        return "visible", found[-1].date, None
    return None


def _block_date(block: Element, title: Element) -> tuple[str, dt.date, dt.datetime | None] | None:
    """Return (date source, date, published) of a story, looked for inside its own boundary only."""
    return _date_in(item_parts(block, title), title)


def _is_item(block: Element, title: Element) -> bool:
    """Return True when a block is a story: a linked headline, or a headline with a date."""
    linked = _title_link(title, block) is not None
    dated = _block_date(block, title) is not None
    extra = len(element_text(block)) - len(element_text(title))
    return (linked and (dated or extra >= _MIN_TEASER)) or (dated and extra >= _MIN_TEASER)


def _signature(story: _Story) -> tuple[str, str, str]:
    """Return what repeats between the blocks of one listing: block tag and classes, headline tag."""
    return (*_shape(story.block), story.title.name)


def find_listing(tree: Document, site_name: str | None = None) -> list[Block]:
    """Return the story blocks of a listing page (furniture removed), or [] when it is a single article."""
    # The caller removes the furniture (`remove_furniture`): menus and related strips repeat
    # linked headlines too, and it decides whether the page gets it back (an article) or not.
    titles = [el for el in iter_tags(tree) if _is_title(el)]
    if len(titles) < MIN_BLOCKS:
        return []
    stories = _repeated_stories(_story_blocks(titles))
    if len(stories) < MIN_BLOCKS or _article_beside(tree, stories):
        return []
    return _with_sections(tree, stories, site_name)


def _story_blocks(titles: list[Element]) -> list[_Story]:
    """Return each headline with its block: its largest ancestor (below <body>) that holds no other headline."""
    # Keyed by id(): a bs4 Tag hashes by its markup, which is slow and merges equal elements.
    counts = Counter(id(anc) for title in titles for anc in ancestors(title))
    stories = []
    for title in titles:
        block = title
        parent = parent_of(block)
        while parent is not None and parent.name not in ("body", "html") and counts[id(parent)] == 1:
            block = parent
            parent = parent_of(block)
        stories.append(_Story(title, block))
    return stories


def _repeated_stories(stories: list[_Story]) -> list[_Story]:
    """Return the blocks that are stories (linked or dated, with text) and repeat a shape at least twice."""
    # A lone block of its kind is a page part (a featured box, the article itself), not a list entry.
    items = [s for s in stories if _is_item(s.block, s.title)]
    shapes = Counter(_signature(s) for s in items)
    return [s for s in items if shapes[_signature(s)] >= 2]


def _article_beside(tree: Element, stories: list[_Story]) -> bool:
    """Return True when more paragraph text lies outside the stories than in them (an article with a strip)."""
    item_chars = sum(len(element_text(s.block)) for s in stories)
    in_blocks = {id(el) for s in stories for el in iter_tags(s.block)}
    outside = sum(len(element_text(p)) for p in iter_tags(tree, "p") if id(p) not in in_blocks)
    if outside > item_chars and outside > 500:
        logger.debug("page has %d chars outside %d blocks: treated as an article", outside, len(stories))
        return True
    return False


def _section_heading(el: Element, site: str) -> tuple[int, str] | None:
    """Return (level, text) when an element is a section heading (a heading or section-classed title)."""
    named = bool(_SECTION_CLASS.search(attr(el, "class").lower()))
    if el.name not in _HEADINGS and not named:
        return None
    text = element_text(el)
    # The site's name in a heading is its logo; a long "heading" is a story's text.
    if not text or text.casefold() == site or len(text) > 80:
        return None
    return (_level(el) if el.name in _HEADINGS else 0, text)


def _with_sections(tree: Element, stories: list[_Story], site_name: str | None) -> list[Block]:
    """Return the stories as blocks in page order, each under the nearest section heading above it."""
    site = (site_name or "").casefold()
    by_title = {id(s.title): s for s in stories}
    in_block = {id(el) for s in stories for el in iter_tags(s.block)}
    result: list[Block] = []
    section: tuple[int, str] | None = None
    for el in iter_tags(tree):
        story = by_title.get(id(el))
        if story is not None:
            # A heading of a lower level than the story's headline (h2 over h3 stories) names its section.
            name = section[1] if section and section[0] <= _level(el) else None
            result.append(Block(story.block, story.title, name))
        elif id(el) not in in_block:
            section = _section_heading(el, site) or section
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


def _relative_date(parts: list[Element], meta: PageMeta) -> tuple[str, dt.date, None] | None:
    """Return ("relative", date, None) from a short "3 days ago" line, counted back from the page's date."""
    if not meta.dates:
        return None  # without the page's own date there is nothing to count back from
    for el in (el for part in parts for el in iter_tags(part)):
        text = element_text(el)
        match = _AGO.search(text) if len(text) <= SHORT_TEXT else None
        days = _days_ago(match) if match else None
        if days is not None:
            return "relative", meta.dates[0].date - dt.timedelta(days=days), None
    return None


def _is_field(el: Element, headline: str) -> bool:
    """Return True for a story's headline, date line or "read more" link: fields, not body text."""
    text = element_text(el)
    if el.name == "time" or ((el.name == "a" or el.name in _HEADINGS) and text == headline):
        return True
    if not text or len(text) > SHORT_TEXT:
        return False
    if el.name == "a":
        return bool(_READ_MORE.match(text))
    return _is_date_line(el, text)


def _is_date_line(el: Element, text: str) -> bool:
    """Return True for a short element that shows a date or its age, or a byline with one."""
    if len(text) <= 40 and any(parse_timestamp(value)[0] for value in _attribute_dates(el)):
        return True  # `<abbr title="2024-03-03">Sunday</abbr>`: the date's display text
    found = find_dates(text)
    if not found:
        return len(text) <= 40 and _AGO.search(text) is not None
    # "Posted on March 3, 2024 by X", "12. März 2024 | Rathaus": a line mostly made of its date.
    covered = sum(d.end - d.start for d in found) >= 0.4 * len(text)
    named = bool(_DATE_CLASS.search(attr(el, "class").lower()))
    return covered or named or bool(_BYLINE.match(text))


def _item_body(parts: list[Element], headline: str, title: str) -> tuple[str, ...]:
    """Return a story's body from its own elements, without its headline, date lines or "read more" link."""
    paragraphs: list[str] = []
    for part in parts:
        if _is_field(part, headline):
            continue
        fields = {id(el) for el in iter_tags(part) if el is not part and _is_field(el, headline)}
        paragraphs.extend(element_paragraphs(part, skip=fields))
    return clean_body(tuple(paragraphs), title)


def _story_item(block: Block, meta: PageMeta, name: str, shown: str) -> tuple[RawItem, Problem | None]:
    """Return the item of one listing story, and a warning when its link had to be dropped."""
    title = _strip_date_suffix(element_text(block.title))
    line = block.title.sourceline or 1
    link_el = _title_link(block.title, block.element)
    href = attr(link_el, "href") if link_el is not None else None
    link = safe_url(href, meta.base_url)
    problem = None
    if href and not link:
        problem = _dropped_link(href, title, Problem(shown, line, ""), meta.base_url is not None)
    parts = item_parts(block.element, block.title)
    dated = _date_in(parts, block.title) or _relative_date(parts, meta)
    body = _item_body(parts, element_text(block.title), title)
    item = RawItem(
        origin=f"{name}:{line}",
        title=title or None,
        body=body,
        date=dated[1] if dated else None,
        date_source=dated[0] if dated else "",
        published=dated[2] if dated else None,
        language=pick_language(meta.language, " ".join([title, *body])),
        source=meta.site_name,
        source_url=link,
        sections=unique([block.section, *meta.sections]) if block.section else meta.sections,
        tags=(),
    )
    return item, problem


def read_listing(blocks: list[Block], meta: PageMeta, name: str, shown: str) -> SourceResult:
    """Return one item per story of a listing page; a story under two headings gets both sections."""
    items: list[RawItem] = []
    keys: dict[str, int] = {}
    problems: list[Problem] = []
    for block in blocks:
        item, problem = _story_item(block, meta, name, shown)
        if problem is not None:
            problems.append(problem)
        key = item.source_url or clean_text(item.title or "").casefold()
        if key in keys:
            # The same story under a second heading: one item, both sections.
            at = keys[key]
            extra = (block.section,) if block.section else ()
            items[at] = replace(items[at], sections=unique([*items[at].sections, *extra]))
            continue
        keys[key] = len(items)
        items.append(item)
    # A story repeated under a second heading is one story, not a duplicate to count.
    return SourceResult(shown, "html", items=tuple(items), problems=tuple(problems), raw_count=len(items))
