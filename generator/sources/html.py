"""Read an HTML page: a single article, a listing of several stories, or not an article.

Input: decoded HTML text and the file's name. Output: a `SourceResult` with one item for
an article page (`html_article`), one per story for a listing page (`html_listing`), or a
problem naming what the page is instead (a contact page, an error page...). The kind is
decided once per page from its markup and text (`html_kind`). The page is parsed once, into
a BeautifulSoup tree (`html_tree`), which every step reads; trafilatura and htmldate get the text.
"""

from __future__ import annotations

import logging

from generator.models import SourceResult
from generator.sources.html_article import read_article
from generator.sources.html_kind import LISTING, NOT_ARTICLE, decide_kind, read_markers
from generator.sources.html_listing import read_listing
from generator.sources.html_page import parse_document, read_page_meta, strip_never_text

logger = logging.getLogger(__name__)


def read_html(text: str, name: str, shown: str) -> SourceResult:
    """Return the items of an HTML page (article or listing) and the problems found."""
    doc = parse_document(text)
    if doc is None:
        return SourceResult.rejected(
            shown, "html", 1, "not a readable HTML document", "check that the file is a saved web page"
        )
    # JSON-LD lives in <script> and contact forms in <input>: read both before they are removed.
    meta = read_page_meta(doc)
    markers = read_markers(doc)
    strip_never_text(doc)
    page = decide_kind(doc, meta, markers)
    logger.debug("%s: %s page (%s)", shown, page.kind, page.reason or "no other evidence")
    if page.kind == NOT_ARTICLE:
        return SourceResult.rejected(
            shown,
            "html",
            1,
            f"not an article: {page.reason}",
            "no article text; remove it from the sources",
            raw_count=1,
        )
    if page.kind == LISTING:
        return read_listing(page.blocks, meta, name, shown)
    return read_article(text, doc, meta, name, shown)
