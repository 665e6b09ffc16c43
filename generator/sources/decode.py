"""Turn the bytes of one raw input into text.

Input: the file's bytes. Output: a `Decoded` (text with LF line ends, the encoding used and
how it was chosen) or `NotText` raised for binary or empty input. BOMs win, then strict
UTF-8, then a consistent in-document declaration, then charset-normalizer's best guess.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

logger = logging.getLogger(__name__)

#: Signatures of common binary formats that could land in a raw folder by mistake.
_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
    b"BZh",
    b"\xfd7zXZ",
    b"RIFF",
    b"OggS",
    b"\x00\x00\x01\x00",
    b"SQLite format 3",
    b"\xd0\xcf\x11\xe0",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = (
    re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE),
    re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE),
)
# C0 controls other than tab and newline are never text; they survive as noise otherwise.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UTF16_SAMPLE = 4096
# How much worse (charset-normalizer "chaos", 0..1) a declared encoding may read than the best guess.
_DECLARED_SLACK = 0.1


class NotText(ValueError):
    """The input cannot be read as text; carries the message and the hint for a Problem."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Decoded:
    """Text of one input, the codec that produced it and why that codec was chosen."""

    text: str
    encoding: str
    method: str  # bom, utf-8, declared, detected
    replaced: int = 0  # undecodable characters replaced by U+FFFD


def declared_encoding(data: bytes) -> str | None:
    """Return the encoding named by an XML declaration or a meta charset, if it is a known codec."""
    head = data[:4096]
    for pattern in _DECLARED:
        match = pattern.search(head)
        if match:
            name = match.group(1).decode("ascii", "replace")
            try:
                return codecs.lookup(name).name
            except LookupError:
                logger.debug("unknown declared encoding %r", name)
    return None


def _bomless_utf16(data: bytes) -> str | None:
    """Return the UTF-16 codec of BOM-less UTF-16 text (in one or two scripts), else None."""
    sample = data[:_UTF16_SAMPLE]
    units = len(sample) // 2
    if units < 4 or b"\x00" not in sample:
        return None
    for codec, high, low in (("utf-16-le", sample[1::2], sample[0::2]), ("utf-16-be", sample[0::2], sample[1::2])):
        # The high byte of text's code units takes a few values: 00 for the spaces, digits and
        # line ends of every script, 04 for Cyrillic, 03 for Greek ...; its low byte is seldom NUL.
        if low[:units].count(0) > 0.05 * units or high[:units].count(0) < 0.05 * units:
            continue
        if sum(n for _, n in Counter(high[:units]).most_common(3)) < 0.9 * units:
            continue
        text = sample[: units * 2].decode(codec, errors="replace")
        # Binary data can have the byte pattern too, but not as printable characters.
        if sum(not (c.isprintable() or c in "\t\n\r") for c in text) <= 0.01 * len(text):
            return codec
    return None


def _finish(raw: str, encoding: str, method: str) -> Decoded:
    """Return the Decoded value with normalized line ends and control characters removed."""
    # Every U+FEFF goes, not only a leading BOM: UTF-16 written in pieces (`str.encode("utf-16")`
    # per line or field, appended writes) has one at each join, often between a headline and
    # its date. As a zero-width no-break space it is deprecated (U+2060 took that role).
    text = raw.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    if not text.strip():
        raise NotText("empty file", "it has no text; remove it or add content")
    return Decoded(text, encoding, method, raw.count("\ufffd"))


def decode_bytes(data: bytes) -> Decoded:
    """Return the text of a raw input, or raise NotText for empty or binary input."""
    if not data.strip():
        raise NotText("empty file", "it has no text; remove it or add content")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _finish(data[len(bom) :].decode(codec, errors="replace"), codec, "bom")
    if data.startswith(_MAGIC):
        raise NotText("binary file, not text", "remove it or convert it")
    utf16 = _bomless_utf16(data)
    if utf16:
        return _finish(data.decode(utf16, errors="replace"), utf16, "detected")
    # Text never carries NUL bytes (BOM-less UTF-16 was handled just above).
    if b"\x00" in data[:65536]:
        raise NotText("binary file, not text", "remove it or convert it")
    try:
        return _finish(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass  # not UTF-8: fall through to the declaration and detection
    return _decode_other(data)


def _decode_other(data: bytes) -> Decoded:
    """Return non-UTF-8 text in its declared encoding when that reads cleanly, else the detected one."""
    declared = declared_encoding(data)
    matches = from_bytes(data)
    best = matches.best()
    if declared and declared not in ("utf-8", "utf-16", "utf-32"):
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            logger.debug("declared encoding %s does not decode the input", declared)
        else:
            # A declaration is trusted only when it reads about as cleanly as the best guess:
            # templates often keep a stale `iso-8859-1` over cp1251 text.
            own = from_bytes(data, cp_isolation=[declared]).best()
            if best is None or own is None or own.chaos <= best.chaos + _DECLARED_SLACK:
                return _finish(text, declared, "declared")
            logger.debug("declared %s reads worse than detected %s", declared, best.encoding)
    if best is None:
        raise NotText("binary file, not text", "remove it or convert it")
    codec = codecs.lookup(best.encoding).name
    return _finish(data.decode(codec, errors="replace"), codec, "detected")
