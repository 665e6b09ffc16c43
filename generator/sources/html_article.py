"""Read a single-article HTML page into one RawItem.

Input: the page text, its parsed tree (scripts removed) and `PageMeta`. Output: a
`SourceResult` with one item (trafilatura's main text; title, dates, language, canonical
URL, site, sections and tags from the markup) or a problem when the page has no text.
trafilatura (and its htmldate) lives here only; its date is the weakest candidate. A date
candidate that cannot be a publication date (`plausible_date`) is passed over.
"""

from __future__ import annotations

import copy
import logging

import trafilatura

from generator.models import Problem, RawItem, SourceResult
from generator.sources.dates import find_dates, implausible_problem, plausible_date
from generator.sources.html_page import (
    SHORT_TEXT,
    DateCandidate,
    HtmlElement,
    PageMeta,
    clean_body,
    element_paragraphs,
    element_text,
    is_boilerplate,
    prune_boilerplate,
)
from generator.sources.values import clean_text, parse_timestamp, pick_language

logger = logging.getLogger(__name__)

# Order of trust: what the publisher states for this article, then what is merely nearby.
DATE_PRIORITY = ("meta", "json_ld", "time_element", "visible", "htmldate")
_VISIBLE_WINDOW = 6  # text elements before/after the title searched for a visible date


def find_title_element(root: HtmlElement, site_name: str | None) -> HtmlElement | None:
    """Return the page's article heading: the first h1 inside article/main, else the first real h1."""
    h1s = [h for h in root.iter("h1") if element_text(h)]
    site = (site_name or "").casefold()
    # A site logo wrapped in h1 is not the article's title.
    h1s = [h for h in h1s if element_text(h).casefold() != site and not _inside_boilerplate(h)]
    for h1 in h1s:
        if any(anc.tag in ("article", "main") for anc in h1.iterancestors()):
            return h1
    return h1s[0] if h1s else None


def _inside_boilerplate(el: HtmlElement) -> bool:
    return any(isinstance(anc.tag, str) and is_boilerplate(anc) for anc in el.iterancestors())


def _time_element_date(scope: HtmlElement) -> DateCandidate | None:
    """Return the date of the first <time> in the article scope that is not in a related box."""
    for time_el in scope.iter("time"):
        if _inside_boilerplate(time_el):
            continue
        date, published = parse_timestamp(time_el.get("datetime") or element_text(time_el))
        if date and plausible_date(date):
            return DateCandidate(date, published, "time_element")
    return None


def _visible_date(root: HtmlElement, title_el: HtmlElement | None) -> DateCandidate | None:
    """Return a date written in a short text element next to the title (a dateline or byline)."""
    if title_el is None:
        return None
    leaves = [el for el in root.iter() if (isinstance(el.tag, str) and (el.text or "").strip()) or el is title_el]
    try:
        at = leaves.index(title_el)
    except ValueError:
        return None
    after = leaves[at + 1 : at + 1 + _VISIBLE_WINDOW]
    before = list(reversed(leaves[max(0, at - _VISIBLE_WINDOW) : at]))
    for el in after + before:
        text = element_text(el)
        if len(text) > SHORT_TEXT or _inside_boilerplate(el):
            continue
        match = next((m for m in find_dates(text) if plausible_date(m.date)), None)
        if match:
            return DateCandidate(match.date, None, "visible")
    return None


def choose_date(candidates: list[DateCandidate]) -> DateCandidate | None:
    """Return the most trusted plausible date candidate, the visible local date over a UTC timestamp's."""
    # A placeholder ("0001-01-01") or a far-future date is no publication date: the next
    # candidate is.
    ranked = sorted((c for c in candidates if plausible_date(c.date)), key=lambda c: DATE_PRIORITY.index(c.source))
    if not ranked:
        return None
    best = ranked[0]
    offset = best.published.utcoffset() if best.published else None
    if offset is not None and not offset:
        # A UTC timestamp's calendar date can be the day before the publisher's local date;
        # a date printed on the page next to the title is the local one.
        for other in ranked[1:]:
            if other.source in ("time_element", "visible") and abs((other.date - best.date).days) == 1:
                return DateCandidate(other.date, best.published, best.source)
    return best


def _trafilatura_text(text: str) -> tuple[tuple[str, ...], DateCandidate | None]:
    """Return trafilatura's main-text paragraphs and its (htmldate) date candidate."""
    try:
        doc = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            deduplicate=False,
            # original_date: the publication date, not the last modification; no full-text
            # search, which picks up any date in the body.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # a third-party extractor failure falls back to our own paragraphs
        logger.warning("trafilatura failed (%s: %s); using the page's paragraphs", type(exc).__name__, exc)
        return (), None
    if doc is None:
        return (), None
    # bare_extraction returns a slotted Document (a dict only with as_dict=True).
    text_out = (doc.get("text") if isinstance(doc, dict) else doc.text) or ""
    date_out = doc.get("date") if isinstance(doc, dict) else doc.date
    body = tuple(p for p in (clean_text(line) for line in str(text_out).split("\n")) if p)
    candidate = None
    if date_out:
        date, published = parse_timestamp(str(date_out))
        if date:
            candidate = DateCandidate(date, published, "htmldate")
    return body, candidate


def _fallback_paragraphs(root: HtmlElement) -> tuple[str, ...]:
    """Return paragraphs of the article/main element (furniture removed) when trafilatura finds none."""
    tree = copy.deepcopy(root)
    prune_boilerplate(tree)
    scope = tree
    for tag in ("main", "article"):
        found = next(tree.iter(tag), None)
        if found is not None:
            scope = found
    paragraphs = [element_text(p) for p in scope.iter("p")]
    if not any(paragraphs):
        paragraphs = list(element_paragraphs(scope))
    return tuple(p for p in paragraphs if p)


def read_article(text: str, root: HtmlElement, meta: PageMeta, name: str, shown: str) -> SourceResult:
    """Return the one article of an HTML page, or a problem when it has no text."""
    title_el = find_title_element(root, meta.site_name)
    h1_text = element_text(title_el) if title_el is not None else ""
    title = meta.title or h1_text or meta.head_title
    line = title_el.sourceline if title_el is not None and title_el.sourceline else 1
    if title_el is None:
        article_el = next(iter(root.iter("article")), None)
        line = article_el.sourceline if article_el is not None and article_el.sourceline else 1

    extracted, htmldate = _trafilatura_text(text)
    body = clean_body(extracted, title)
    if not body:
        # trafilatura gives up on some pages (huge text nodes, bare markup): use our own.
        body = clean_body(_fallback_paragraphs(root), title)
    if not body:
        what = f' under "{title}"' if title else ""
        return SourceResult.rejected(
            shown,
            "html",
            line,
            f"no article text found in the HTML page{what}",
            "the page may be rendered by scripts or be a login/error page; save the rendered page",
            raw_count=1,
        )

    scope = title_el.getparent() if title_el is not None else root
    while scope is not None and scope.tag not in ("article", "main", "body") and scope.getparent() is not None:
        scope = scope.getparent()
    candidates = list(meta.dates)
    for found in (_time_element_date(scope if scope is not None else root), _visible_date(root, title_el), htmldate):
        if found:
            candidates.append(found)
    chosen = choose_date(candidates)
    if chosen and len({c.date for c in candidates}) > 1:
        logger.debug("%s: date candidates %s; chose %s", shown, candidates, chosen)
    problems: tuple[Problem, ...] = ()
    if chosen is None and candidates:
        # Every date the page gave was implausible: say so, not just "no date found".
        problems = (implausible_problem(shown, line, title, (c.date for c in candidates)),)

    sample = " ".join([title or "", *body[:5]])
    item = RawItem(
        origin=f"{name}:{line}",
        title=title,
        body=body,
        date=chosen.date if chosen else None,
        date_source=chosen.source if chosen else "",
        published=chosen.published if chosen else None,
        language=pick_language(meta.language, sample),
        source=meta.site_name,
        source_url=meta.canonical,
        sections=meta.sections,
        tags=meta.tags,
        summary=meta.summary,
    )
    return SourceResult(shown, "html", items=(item,), problems=problems, raw_count=1)
