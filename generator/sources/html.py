"""Read an HTML page: a single article, or a listing of several stories.

Input: decoded HTML text and the file's name. Output: a `SourceResult` with one item for
an article page (`html_article`) or one per story for a listing page (`html_listing`);
the choice is structural (repeated headline blocks and no dominant article body).
"""

from __future__ import annotations

import logging

from generator.models import SourceResult
from generator.sources.html_article import read_article
from generator.sources.html_listing import dated_blocks, find_listing, read_listing
from generator.sources.html_page import parse_document, read_page_meta, strip_never_text

logger = logging.getLogger(__name__)


def read_html(text: str, name: str, shown: str) -> SourceResult:
    """Return the items of an HTML page (article or listing) and the problems found."""
    root = parse_document(text)
    if root is None:
        return SourceResult.rejected(
            shown, "html", 1, "not a readable HTML document", "check that the file is a saved web page"
        )
    # JSON-LD lives in <script>: read the page's own metadata before scripts are removed.
    meta = read_page_meta(root)
    strip_never_text(root)
    blocks = find_listing(root, meta.site_name)
    if blocks and meta.declares_article and not dated_blocks(blocks):
        # A page that calls itself an article, with linked subheadings but no dated
        # stories, is one article with sections, not a listing.
        logger.debug("%s: %d undated blocks on an article page: read as one article", shown, len(blocks))
        blocks = []
    if blocks:
        logger.debug("%s: listing page with %d blocks", shown, len(blocks))
        return read_listing(blocks, meta, name, shown)
    return read_article(text, root, meta, name, shown)
