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
_HTML_ROOTS = {"html", "head", "body", "article", "main", "div", "section", "p", "h1", "h2", "meta", "title", "table"}
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html", re.IGNORECASE)
# An HTML document that starts with stray text (a scraper's header line) still opens <html> early.
_HTML_EARLY = re.compile(r"^\s*<(?:html|head|body)[\s>]", re.IGNORECASE | re.MULTILINE)
_JSONL_SAMPLE = 50


def _root_element(text: str) -> tuple[str, str] | None:
    """Return (prefix, local name) of the first element after the prolog, if the text starts with one."""
    prolog = _PROLOG.match(text)
    rest = text[prolog.end() if prolog else 0 :]
    match = _ROOT.match(rest)
    if not match:
        return None
    return (match.group(1) or "").rstrip(":").lower(), match.group(2).lower()


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
    head = text[:8192]
    stripped = head.lstrip()
    if stripped.startswith("<"):
        root = _root_element(head)
        if _HTML_DOCTYPE.search(head[:1024]):
            return "html"
        if root:
            prefix, local = root
            if local in _FEED_ROOTS or (local == "rdf" and prefix):
                return "feed"
            if local in _HTML_ROOTS:
                return "html"
            return "xml"
    if _HTML_EARLY.search(head):
        return "html"
    lines = [line for line in text.split("\n", _JSONL_SAMPLE * 4)[: _JSONL_SAMPLE * 4] if line.strip()]
    if lines and lines[0].lstrip().startswith("{"):
        # One broken line must not turn a JSONL file into a text dump: the first object
        # parsing, or most lines parsing, is enough.
        try:
            first_ok = isinstance(json.loads(lines[0]), dict)
        except ValueError:
            first_ok = False
        if first_ok or _jsonl_share(lines) >= 0.5:
            return "jsonl"
        if name.lower().endswith((".jsonl", ".ndjson")):
            return "jsonl"
    if stripped.startswith(("[", "{")):
        try:
            json.loads(text)
        except ValueError:
            pass  # a text dump may well start with a bracket
        else:
            return "json"
    if lines and name.lower().endswith((".jsonl", ".ndjson")) and lines[0].lstrip()[:1] in "{[":
        return "jsonl"
    return "text"
