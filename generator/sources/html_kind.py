"""Decide what kind of page an HTML page is: one article, a listing, or not an article.

Input: the parsed page, its `PageMeta` and `PageMarkers` (read before scripts and form
controls are removed). Output: a `PageKind` with the listing's blocks or, for a page that
is neither, a named reason (a contact page, an error page, search results, a tag index).
The decision weighs evidence from the markup, never the site: article-level markup, how
much of the text sits in one block, repeated dated item blocks, forms and contact links.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import urlsplit

from generator.sources.dates import find_dates, plausible_date
from generator.sources.html_listing import Block, dated_blocks, find_listing, item_parts
from generator.sources.html_page import Document, Element, PageMeta, element_text
from generator.sources.html_tree import attr, document_of, iter_tags, parent_of, remove_furniture

logger = logging.getLogger(__name__)

Kind = Literal["article", "listing", "not an article"]
ARTICLE: Final = "article"
LISTING: Final = "listing"
NOT_ARTICLE: Final = "not an article"
_BODY_CHARS = 1000  # less text than this in the main block is no article body to outweigh other evidence
_DOMINANT = 2  # an article body outweighs each teaser block by at least this factor
_MIN_BODY = 200  # ... and is at least this long

# Named non-article pages, by what the page calls itself (title, h1, URL path). Short
# titles only: "Contact tracing app launched" is a news headline, not a contact page.
_CONTACT = re.compile(
    r"^(?:contacts?|contact us|contact information|get in touch|kontakt|kontakte|impressum|контакты|"
    r"наши контакты|связаться с нами|обратная связь|байланыс|байланыс ақпараты)$",
    re.IGNORECASE,
)
_ERROR = re.compile(
    r"^(?:error\s*)?(?:40[034]|410|50[03])$|\berror\s*(?:40[034]|410|50[03])\b|\b404\b.*\b(?:error|not found)\b|"
    r"page (?:not found|does not exist|cannot be found)|^not found$|^error$|страница не найдена|ошибка 404|"
    r"seite nicht gefunden|бет табылмады",
    re.IGNORECASE,
)
_SEARCH = re.compile(
    r"^search$|^search results?\b|\bresults for\b|you searched for|^поиск$|результаты поиска|suchergebnisse|"
    r"^іздеу$|іздеу нәтижелері",
    re.IGNORECASE,
)
_TAG_INDEX = re.compile(r"^(?:tags?|all tags|tag cloud|topics|теги|метки|тегтер|schlagwörter)$", re.IGNORECASE)
_CONTACT_PATH = re.compile(r"/(?:contacts?|contact-us|kontakt|impressum|kontakty)(?:[/.]|$)", re.IGNORECASE)
_SEARCH_PATH = re.compile(r"/search(?:[/.?]|$)|[?&](?:s|q|query|search)=", re.IGNORECASE)
_TAGS_PATH = re.compile(r"/tags/?$", re.IGNORECASE)


@dataclass(frozen=True)
class PageMarkers:
    """Evidence read from the raw page before form controls and scripts are removed."""

    contact_form: bool  # a form asking for an e-mail address or a message
    contact_links: bool  # mailto:/tel: links or an <address>


@dataclass(frozen=True)
class PageKind:
    """The decision for one page: its kind, a listing's blocks, or why it is not an article."""

    kind: Kind
    reason: str = ""  # for NOT_ARTICLE: "a contact page", "an error page", ...
    blocks: list[Block] = field(default_factory=list)


def read_markers(doc: Document) -> PageMarkers:
    """Return the page's contact evidence (call before `strip_never_text` drops form controls)."""
    contact_form = any(
        form.find("textarea") is not None
        or any(
            attr(i, "type").lower() == "email" or "mail" in attr(i, "name").lower() for i in iter_tags(form, "input")
        )
        for form in iter_tags(doc, "form")
    )
    hrefs = (attr(a, "href") for a in iter_tags(doc, "a"))
    contact_links = any(h.startswith(("mailto:", "tel:")) for h in hrefs) or doc.find("address") is not None
    return PageMarkers(contact_form=contact_form, contact_links=contact_links)


def _paragraph_chars(tree: Element, taken: Collection[int] = ()) -> dict[int, tuple[Element, int]]:
    """Return, per parent of <p> elements not in `taken` (ids), that parent and its paragraphs' characters."""
    # Keyed by id(): a bs4 Tag hashes and compares by its markup, so equal blocks would merge.
    chars: dict[int, tuple[Element, int]] = {}
    for p in iter_tags(tree, "p"):
        parent = parent_of(p)
        if parent is not None and id(p) not in taken:
            count = chars.get(id(parent), (parent, 0))[1]
            chars[id(parent)] = (parent, count + len(element_text(p)))
    return chars


def main_text_chars(doc: Element) -> tuple[int, Element | None]:
    """Return the characters of paragraph text in the page's richest block, and that block."""
    chars = _paragraph_chars(doc)
    if not chars:
        return 0, None
    block, count = max(chars.values(), key=lambda pair: pair[1])
    return count, block


def _self_names(doc: Element, meta: PageMeta) -> list[str]:
    """Return what the page calls itself: its titles and first h1, without site suffixes."""
    h1 = next((element_text(h) for h in iter_tags(doc, "h1") if element_text(h)), "")
    return [n.strip(" :|-—") for n in (meta.title, meta.head_title, h1) if n]


def _url_path(meta: PageMeta) -> str:
    if not meta.canonical:
        return ""
    parts = urlsplit(meta.canonical)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def non_article_reason(doc: Element, meta: PageMeta, markers: PageMarkers, body_chars: int) -> str:
    """Return why a page with little article text is not an article ("a contact page"), or ""."""
    if meta.declares_article or body_chars >= _BODY_CHARS:
        return ""
    short = [n for n in _self_names(doc, meta) if len(n.split()) <= 6]
    return _named_reason(short, _url_path(meta), markers.contact_form or markers.contact_links)


def _named_reason(short: list[str], path: str, contact_evidence: bool) -> str:
    """Return the kind of non-article page its short names or URL path say it is, or ""."""
    if any(_ERROR.search(n) for n in short):
        return "an error page"
    if contact_evidence and (any(_CONTACT.match(n) for n in short) or _CONTACT_PATH.search(path)):
        return "a contact page"
    if any(_SEARCH.search(n) for n in short) or _SEARCH_PATH.search(path):
        return "search results"
    if any(_TAG_INDEX.match(n) for n in short) or _TAGS_PATH.search(path):
        return "a tag index"
    return ""


def _item_elements(blocks: list[Block]) -> set[int]:
    """Return the ids of every element of the blocks' stories, a flat list's sibling runs included."""
    return {id(el) for b in blocks for part in item_parts(b.element, b.title) for el in iter_tags(part)}


def _body_outside(tree: Element, taken: set[int]) -> int:
    """Return the paragraph characters of the richest block whose paragraphs belong to no story."""
    return max((count for _, count in _paragraph_chars(tree, taken).values()), default=0)


def _own_headline(tree: Element, taken: set[int], meta: PageMeta) -> bool:
    """Return True when the page has a dated headline of its own: an h1 outside every story, with a date."""
    site = (meta.site_name or "").casefold()
    h1 = next((h for h in iter_tags(tree, "h1") if id(h) not in taken and element_text(h)), None)
    if h1 is None or element_text(h1).casefold() == site:
        return False
    if meta.dates:
        return True
    # A dateline beside the headline ("Posted on 1 September 2017"), outside every story.
    head = parent_of(h1)
    if head is None or any(id(el) in taken for el in iter_tags(head)):
        return False
    return any(plausible_date(d.date) for d in find_dates(element_text(head)))


def _article_outweighs(meta: PageMeta, blocks: list[Block]) -> bool:
    """Return True when one article body outside the story blocks dwarfs every one of them."""
    # Measured in the page without its furniture, where the blocks were found.
    tree = document_of(blocks[0].element)
    taken = _item_elements(blocks)
    # Without article markup, the page must show a headline of its own outside the stories.
    if not (meta.declares_article or _own_headline(tree, taken, meta)):
        return False
    body_chars = _body_outside(tree, taken)
    if body_chars < _MIN_BODY:
        return False
    longest = max(sum(len(element_text(part)) for part in item_parts(b.element, b.title)) for b in blocks)
    return body_chars >= _DOMINANT * longest


def decide_kind(doc: Document, meta: PageMeta, markers: PageMarkers) -> PageKind:
    """Return the kind of a parsed page (scripts removed): article, listing or not an article.

    A listing's blocks live in the page with its furniture removed; any other page is left whole.
    """
    body_chars = main_text_chars(doc)[0]
    reason = non_article_reason(doc, meta, markers, body_chars)
    # Menus and related strips repeat linked headlines too: stories are looked for without them.
    removal = remove_furniture(doc)
    page = _classify(doc, meta, reason)
    if page.kind != LISTING:
        removal.restore()  # the article reader and its date search read the whole page
    return page


def _classify(tree: Document, meta: PageMeta, reason: str) -> PageKind:
    """Return the kind of a page with its furniture removed, given why it may be no article."""
    blocks = find_listing(tree, meta.site_name)
    # Search results and a tag index with dated stories are still a stream of stories.
    if reason and not (reason in ("search results", "a tag index") and blocks and dated_blocks(blocks)):
        return PageKind(NOT_ARTICLE, reason)
    if blocks and meta.declares_article and not dated_blocks(blocks):
        # A page that calls itself an article, with linked subheadings but no dated
        # stories, is one article with sections, not a listing.
        return PageKind(ARTICLE, "undated blocks on an article page")
    if blocks and _article_outweighs(meta, blocks):
        # Dated teasers ("more stories", "read also") beside one long article body are its sidebar.
        return PageKind(ARTICLE, "teaser blocks beside a dominant article body")
    if blocks:
        return PageKind(LISTING, f"{len(blocks)} repeated story blocks", blocks)
    return PageKind(ARTICLE)
