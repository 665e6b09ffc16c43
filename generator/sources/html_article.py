"""Read a single-article HTML page into one RawItem.

Input: the page text, its BeautifulSoup tree (scripts removed) and `PageMeta`. Output: a
`SourceResult` with one item (trafilatura's main text; title, dates, language, canonical
URL, site, sections and tags from the markup) or a problem when the page has no text.
trafilatura lives here only; the date is chosen among the page's candidates by `html_dates`.
"""

from __future__ import annotations

import copy
import logging

import trafilatura

from generator.models import Problem, RawItem, SourceResult
from generator.sources.dates import implausible_problem
from generator.sources.html_body import strip_notices
from generator.sources.html_dates import choose_date, describe, find_date_candidates
from generator.sources.html_page import (
    DateCandidate,
    Document,
    Element,
    PageMeta,
    clean_body,
    element_paragraphs,
    element_text,
    is_boilerplate,
    prune_boilerplate,
)
from generator.sources.html_tree import ancestors, iter_tags
from generator.sources.values import clean_text, parse_timestamp, pick_language

logger = logging.getLogger(__name__)


def find_title_element(doc: Document, site_name: str | None) -> Element | None:
    """Return the page's article heading: the first h1 inside article/main, else the first real h1."""
    h1s = [h for h in iter_tags(doc, "h1") if element_text(h)]
    site = (site_name or "").casefold()
    # A site logo wrapped in h1 is not the article's title.
    h1s = [h for h in h1s if element_text(h).casefold() != site and not _inside_boilerplate(h)]
    for h1 in h1s:
        if any(anc.name in ("article", "main") for anc in ancestors(h1)):
            return h1
    return h1s[0] if h1s else None


def _inside_boilerplate(el: Element) -> bool:
    return any(is_boilerplate(anc) for anc in ancestors(el))


def _trafilatura_text(text: str, precise: bool = True) -> tuple[tuple[str, ...], DateCandidate | None]:
    """Return trafilatura's main-text paragraphs and, from a `precise` run, its (htmldate) date candidate."""
    try:
        doc = trafilatura.bare_extraction(
            text,
            with_metadata=precise,
            include_comments=False,
            include_tables=False,
            favor_precision=precise,
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


def _fallback_paragraphs(doc: Document) -> tuple[str, ...]:
    """Return paragraphs of the article/main element (furniture removed) when trafilatura finds none."""
    tree = copy.deepcopy(doc)
    prune_boilerplate(tree)
    scope: Element = tree
    for tag in ("main", "article"):
        found = next(iter_tags(tree, tag), None)
        if found is not None:
            scope = found
    paragraphs = [element_text(p) for p in iter_tags(scope, "p")]
    if not any(paragraphs):
        paragraphs = list(element_paragraphs(scope))
    return tuple(p for p in paragraphs if p)


def _extract_body(text: str, doc: Document, title: str | None) -> tuple[tuple[str, ...], DateCandidate | None]:
    """Return the cleaned article body (precise extraction, else a fuller one, else ours) and htmldate's date."""
    extracted, htmldate = _trafilatura_text(text)
    body = strip_notices(clean_body(extracted, title))
    # Precision mode sometimes keeps only a notice or one part of the text; a recall run
    # that finds at least twice the words has the article. (Cheap next to parsing the page.)
    fuller = strip_notices(clean_body(_trafilatura_text(text, precise=False)[0], title))
    if _words(fuller) >= 2 * _words(body):
        body = fuller
    if not body:
        # trafilatura gives up on some pages (huge text nodes, bare markup): use our own.
        body = strip_notices(clean_body(_fallback_paragraphs(doc), title))
    return body, htmldate


def _words(paragraphs: tuple[str, ...]) -> int:
    return sum(len(p.split()) for p in paragraphs)


def read_article(text: str, doc: Document, meta: PageMeta, name: str, shown: str) -> SourceResult:
    """Return the one article of an HTML page, or a problem when it has no text."""
    title_el = find_title_element(doc, meta.site_name)
    h1_text = element_text(title_el) if title_el is not None else ""
    title = meta.title or h1_text or meta.head_title
    # The item's origin line: its headline's, else its <article>'s (the parse set every element's).
    line_el = title_el if title_el is not None else doc.find("article")
    line = (line_el.sourceline if line_el is not None else None) or 1

    body, _ = _extract_body(text, doc, title)  # trafilatura's date: see find_date_candidates
    if not body:
        return _no_text(shown, line, title)

    chosen, problems = _article_date(text, doc, meta, title_el, shown, line, title)
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


def _no_text(shown: str, line: int, title: str | None) -> SourceResult:
    """Return the rejection of a page in which no article text was found."""
    what = f' under "{title}"' if title else ""
    return SourceResult.rejected(
        shown,
        "html",
        line,
        f"no article text found in the HTML page{what}",
        "the page may be rendered by scripts or be a login/error page; save the rendered page",
        raw_count=1,
    )


def _article_date(
    text: str, doc: Document, meta: PageMeta, title_el: Element | None, shown: str, line: int, title: str | None
) -> tuple[DateCandidate | None, tuple[Problem, ...]]:
    """Return the page's chosen publication date, and a problem when every date it gave was implausible."""
    candidates = find_date_candidates(text, doc, meta, title_el)
    chosen = choose_date(candidates)
    if chosen and len({c.date for c in candidates}) > 1:
        logger.debug("%s: date candidates %s; chose %s", shown, describe(candidates), chosen)
    if chosen is None and candidates:
        # Every date the page gave was implausible: say so, not just "no date found".
        return None, (implausible_problem(shown, line, title, (c.date for c in candidates)),)
    return chosen, ()
