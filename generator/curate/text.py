"""Turn an article's Markdown body back into plain text and words for the curation stage.

Input: body Markdown as ingest writes it (plain paragraphs, `&lt;` and backslash escapes).
Output: plain paragraphs, casefolded word tokens and normalised titles. No side effects.
"""

from __future__ import annotations

import logging
import re
import unicodedata

logger = logging.getLogger(__name__)

_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
# Ingest escapes line starts Markdown would read as headings, quotes or lists.
_BACKSLASH = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|=])")
_BLANK_LINE = re.compile(r"\n\s*\n")
#: A word: letters/digits, possibly joined by hyphens or apostrophes (`clean-up`, `e-scooters`).
WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_JOINERS = ("-", "'", "’")
_JOINER_RE = re.compile(r"[-'’]")
_WORD_CHARS = re.compile(r"\w+")


def plain_text(markdown: str) -> str:
    """Return Markdown written by ingest as the plain text it stands for."""
    text = _BACKSLASH.sub(r"\1", markdown)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def paragraphs(markdown: str) -> list[str]:
    """Return the non-empty plain-text paragraphs of a Markdown body, whitespace collapsed."""
    out = []
    for block in _BLANK_LINE.split(plain_text(markdown)):
        text = " ".join(block.split())
        if text:
            out.append(text)
    return out


def words(text: str) -> list[str]:
    """Return casefolded words; a hyphenated compound yields itself and its parts."""
    found = WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())
    if not any(mark in text for mark in _JOINERS):
        return found
    out: list[str] = []
    for word in found:
        if "-" in word or "'" in word or "’" in word:
            # "kazakhstan’s" is "kazakhstan"; "clean-up" is itself, "clean" and "up".
            if "-" in word:
                out.append(word.replace("’", "").replace("'", ""))
            out.extend(p for p in _JOINER_RE.split(word) if len(p) > 1)
        else:
            out.append(word)
    return out


def fast_words(text: str) -> list[str]:
    """Return casefolded runs of letters and digits (for comparing texts, not for keywords)."""
    return _WORD_CHARS.findall(text.casefold())


def normalize_title(title: str) -> str:
    """Return a title reduced to casefolded letters and digits, for comparisons."""
    title = unicodedata.normalize("NFKC", title).casefold()
    return "".join(ch for ch in title if ch.isalnum())


def canonical_url(url: str) -> str:
    """Return a URL with scheme and host lowercased, fragment and trailing slash dropped."""
    url = url.strip().split("#", 1)[0]
    match = re.match(r"^(https?)://([^/?#]+)(.*)$", url, re.IGNORECASE)
    if not match:
        return url
    scheme, host, rest = match.groups()
    rest = rest.rstrip("/") if rest not in ("", "/") else ""
    return f"{scheme.lower()}://{host.lower()}{rest}"


def url_host(url: str) -> str:
    """Return the lowercased host of an http(s) URL without `www.`, or ""."""
    match = re.match(r"^https?://([^/?#:]+)", url.strip(), re.IGNORECASE)
    return match.group(1).lower().removeprefix("www.") if match else ""
