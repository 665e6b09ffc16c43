"""An article body's two forms: plain paragraphs and the Markdown of a content file.

Sources and curation handle plain text: paragraphs separated by a blank line, spaces
collapsed. Ingest turns it into Markdown once, as it writes a content file (`to_markdown`);
whatever reads a content file's body as text (curation comparing it, a page describing it)
goes back with `to_plain`. Pure.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from generator.models import collapse_spaces

logger = logging.getLogger(__name__)

_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_BLOCK_START = re.compile(r"^(\s*)([#>]|[-*+](?=\s)|={3,}|-{3,})")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])(?=\s)")
# Either start above.
_ANY_START = re.compile(r"\s*(?:[#>]|[-*+]\s|={3,}|-{3,}|\d+[.)]\s)")

_LINK = re.compile(r"(?<!\\)!?\[([^\]\n]*)\]\([^)\n]*\)")
_BLOCK_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)", re.MULTILINE)
# Emphasis and code spans: a run of `*`, `_` or backticks around text, not inside a word
# (`snake_case` and `2 * 3 * 4` stay as they are) and not escaped.
_EMPHASIS = re.compile(r"(?<![\w\\*`])(\*{1,3}|_{1,3}|`+)(?=\S)(.+?)(?<=[^\s\\])\1(?![\w*`])")
# CommonMark: a backslash escapes any ASCII punctuation character.
_BACKSLASH = re.compile(r"\\([!-/:-@\[-`{-~])")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Return plain paragraphs as one plain body: spaces collapsed, empty ones dropped."""
    return "\n\n".join(filter(None, map(collapse_spaces, paragraphs)))


def to_markdown(plain: str) -> str:
    """Return a plain body (see `join_paragraphs`) as Markdown that renders as the same text."""
    paragraphs = plain.split("\n\n")
    # Most bodies need no escape: they are their own Markdown.
    if "<" not in plain and not any(map(_ANY_START.match, paragraphs)):
        return plain
    out = []
    for text in paragraphs:
        if not text:
            continue
        # Scraped text is never HTML: neutralise anything that could open a tag, and
        # escape line starts Markdown would read as headings, quotes or lists.
        if "<" in text:
            text = _TAG_START.sub("&lt;", text)
        if _BLOCK_START.match(text):
            text = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        if _ORDERED_START.match(text):
            text = _ORDERED_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
        out.append(text)
    return "\n\n".join(out)


def to_plain(markdown: str) -> str:
    """Return a content file's Markdown body as the plain text a reader sees.

    A stripper, not a renderer: it keeps the text of links and images, drops heading,
    quote and list marks at line starts and emphasis and code marks, and undoes
    backslash escapes and the `&lt;`, `&gt;` and `&amp;` entities (what ingest writes is
    undone exactly). Paragraphs stay separated by blank lines.
    """
    text = markdown
    # Most bodies are ingest's: plain paragraphs without any of these marks.
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    text = _BLOCK_MARK.sub("", text)
    if "*" in text or "_" in text or "`" in text:
        text = _EMPHASIS.sub(r"\2", text)
    if "\\" in text:
        text = _BACKSLASH.sub(r"\1", text)
    if "&" in text:
        for entity, char in _ENTITIES:
            text = text.replace(entity, char)
    return text
