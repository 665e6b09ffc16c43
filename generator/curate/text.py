"""Split plain text into paragraphs and words for the curation stage.

Input: plain text (a candidate's body: paragraphs separated by blank lines). Output:
paragraphs and casefolded word tokens. No side effects.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator

from generator.models import collapse_spaces

logger = logging.getLogger(__name__)

_BLANK_LINE = re.compile(r"\n\s*\n")
#: A word: letters/digits, possibly joined by hyphens or apostrophes (`clean-up`, `e-scooters`).
WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_JOINERS = ("-", "'", "’")
_JOINER_RE = re.compile(r"[-'’]")
_WORD_CHARS = re.compile(r"\w+")
# For ASCII text (most bodies), casefold is lower(), NFKC changes nothing and a Unicode
# letter class is [a-z0-9]: the same words come from an ASCII regex, or with no joiner in
# the text from one bytes.translate + split, several times faster than the Unicode regex.
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_KEEP_ASCII_ALNUM = bytes(b if 48 <= b <= 57 or 97 <= b <= 122 else 32 for b in range(256))
_KEEP_ASCII_WORD_CHARS = bytes(b if 48 <= b <= 57 or 97 <= b <= 122 or b == 95 else 32 for b in range(256))


def iter_paragraphs(text: str) -> Iterator[str]:
    """Yield the non-empty paragraphs of a plain body, whitespace collapsed."""
    # Lazily, so a caller that needs the first few does not clean them all.
    for block in _BLANK_LINE.split(text):
        para = collapse_spaces(block)
        if para:
            yield para


def paragraphs(text: str) -> list[str]:
    """Return the non-empty paragraphs of a plain body, whitespace collapsed."""
    return list(iter_paragraphs(text))


def words(text: str) -> list[str]:
    """Return casefolded words; a hyphenated compound yields itself and its parts."""
    joined = any(mark in text for mark in _JOINERS)
    if text.isascii():
        lowered = text.lower()
        if not joined:
            return lowered.encode("ascii").translate(_KEEP_ASCII_ALNUM).decode("ascii").split()
        found = _ASCII_WORD_RE.findall(lowered)
    else:
        found = WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())
    if not joined:
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
    if text.isascii():
        return text.lower().encode("ascii").translate(_KEEP_ASCII_WORD_CHARS).decode("ascii").split()
    return _WORD_CHARS.findall(text.casefold())
