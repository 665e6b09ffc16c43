"""Tell the format of a decoded raw input from its content.

Input: decoded text (and the file name, used only to break a tie). Output: one of
`html`, `feed`, `jsonl`, `json`, `xml`, `text`. No I/O; the extension never overrides
what the content clearly is.
"""

from __future__ import annotations

import json
import logging
import re

logger = logging.getLogger(__name__)

FORMATS = ("html", "feed", "jsonl", "json", "xml", "text")

# Skip what may precede the root element: XML declaration, comments, processing
# instructions and a doctype, in any order.
_PROLOG = re.compile(r"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_FEED_ROOTS = {"rss", "feed", "rdf", "channel"}
# Every element name of HTML (WHATWG, plus common obsolete ones and embedded svg/math roots).
# A word list reads better than a hundred quoted names.
_HTML_ELEMENTS = frozenset(
    """a abbr acronym address area article aside audio b base basefont bdi bdo big blockquote body br
    button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div
    dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head
    header hgroup hr html i iframe img input ins kbd label legend li link main map mark marquee math menu
    meta meter nav nobr noframes noscript object ol optgroup option output p param picture pre progress
    q rp rt ruby s samp script search section select slot small source span strike strong style sub
    summary sup svg table tbody td template textarea tfoot th thead time title tr track tt u ul var
    video wbr""".split()  # noqa: SIM905
)
# Roots that make a document HTML whatever follows them: no XML vocabulary starts with these.
_HTML_ROOTS = {"html", "head", "body", "meta", "link", "base", "style", "script", "noscript", "div", "p"}
_HTML_ROOTS.update(("article", "main", "section", "header", "nav", "h1", "h2", "h3"))
# Other roots name an element of HTML and often of some XML vocabulary too (data, title, map,
# table): there the document is HTML when most of its elements are HTML's (or custom elements).
_HTML_SHARE = 0.7
_XHTML_NS = re.compile(r"""\sxmlns\s*=\s*["']http://www\.w3\.org/1999/xhtml["']""")
_OPEN_TAG = re.compile(r"<([A-Za-z_][\w.:-]*)")
# Script and style bodies and comments hold no elements (`a<b` in a script is not a tag),
# also when the sample ends inside one.
_NOT_MARKUP = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL | re.IGNORECASE)
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html", re.IGNORECASE)
# An HTML document that starts with stray text (a scraper's header line) still opens <html> early.
_HTML_EARLY = re.compile(r"^\s*<(?:html|head|body)[\s>]", re.IGNORECASE | re.MULTILINE)
# What may precede a document's first character: whitespace and stray byte order marks.
_LEADING = " \t\r\n\ufeff"
_JSONL_SAMPLE = 50


def _root_element(text: str) -> tuple[str, str, int] | None:
    """Return (prefix, local name, offset) of the first element after the prolog, if the text starts with one."""
    prolog = _PROLOG.match(text)
    start = prolog.end() if prolog else 0
    match = _ROOT.match(text, start)
    if not match:
        return None
    return (match.group(1) or "").rstrip(":").lower(), match.group(2).lower(), start


def _is_html(head: str, prefix: str, local: str, start: int) -> bool:
    """Return whether markup whose first element is `prefix:local` (at start) is HTML rather than XML."""
    if prefix or local not in _HTML_ELEMENTS:
        return False
    if local in _HTML_ROOTS or _XHTML_NS.search(head, start, head.find(">", start)):
        return True
    # Prefixed names (o:p, fb:like) are extensions in either kind of document: they do not count.
    names = [m.group(1).lower() for m in _OPEN_TAG.finditer(_NOT_MARKUP.sub(" ", head[start:]))]
    names = [name for name in names if ":" not in name] or [local]
    html = sum(name in _HTML_ELEMENTS or "-" in name for name in names)
    return html >= _HTML_SHARE * len(names)


def _jsonl_share(lines: list[str]) -> float:
    """Return the share of sampled non-blank lines that parse as JSON objects."""
    sample = lines[:_JSONL_SAMPLE]
    good = 0
    for line in sample:
        try:
            good += isinstance(json.loads(line), dict)
        except ValueError:
            continue
    return good / len(sample) if sample else 0.0


def detect_format(text: str, name: str = "") -> str:
    """Return the format of a decoded input: html, feed, jsonl, json, xml or text."""
    head = text[:8192].lstrip(_LEADING)
    markup = _markup_format(head) if head.startswith("<") else None
    if markup:
        return markup
    if _HTML_EARLY.search(head):
        return "html"
    lines = [line for line in text.split("\n", _JSONL_SAMPLE * 4)[: _JSONL_SAMPLE * 4] if line.strip()]
    if _is_jsonl(lines, name):
        return "jsonl"
    if head.startswith(("[", "{")) and _is_json(text):
        return "json"
    if lines and name.lower().endswith((".jsonl", ".ndjson")) and lines[0].lstrip()[:1] in "{[":
        return "jsonl"
    return "text"


def _markup_format(head: str) -> str | None:
    """Return html, feed or xml for markup by its doctype or first element; None if it has neither."""
    if _HTML_DOCTYPE.search(head[:1024]):
        return "html"
    root = _root_element(head)
    if not root:
        return None
    prefix, local, start = root
    if local in _FEED_ROOTS or (local == "rdf" and prefix):
        return "feed"
    return "html" if _is_html(head, prefix, local, start) else "xml"


def _is_jsonl(lines: list[str], name: str) -> bool:
    """Return whether non-blank lines that open with an object are JSON Lines."""
    if not lines or not lines[0].lstrip().startswith("{"):
        return False
    # One broken line must not turn a JSONL file into a text dump: the first object
    # parsing, or most lines parsing, is enough.
    try:
        first_ok = isinstance(json.loads(lines[0]), dict)
    except ValueError:
        first_ok = False
    return first_ok or _jsonl_share(lines) >= 0.5 or name.lower().endswith((".jsonl", ".ndjson"))


def _is_json(text: str) -> bool:
    """Return whether the whole text parses as JSON."""
    try:
        json.loads(text)
    except ValueError:
        return False  # a text dump may well start with a bracket
    return True
