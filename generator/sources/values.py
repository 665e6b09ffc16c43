"""Normalize the field values every reader produces: timestamps, languages, URLs, paragraphs.

Input: strings as found in pages, feeds and JSON objects. Output: typed values for a
`RawItem` (dates, aware datetimes, language codes, http(s) URLs, plain-text paragraphs),
or None when a value cannot be trusted. Pure functions, no I/O, no third-party libraries.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from generator.models import url_host
from generator.sources.dates import parse_date
from generator.sources.language import detect_language

logger = logging.getLogger(__name__)

_ISO_PREFIX = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_CYRILLIC_LANGS = {"ru", "kk", "uk", "be", "bg", "sr", "mk", "ky", "tg", "mn", "tt", "ba"}
#: Three-letter and mistaken codes seen in the wild → the ISO 639-1 code.
_LANG_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en", "deu": "de", "ger": "de", "qaz": "kk"}
# Detection beats a declared language only with enough text to judge, or when the scripts differ.
_DETECT_MIN_CHARS = 150
_LANGUAGE_SAMPLE = 1000  # title and first paragraphs decide; more text only costs time
_SHORT_SAMPLE = 60  # below this, a Latin-script guess is noise
_SURROGATE = re.compile("[\ud800-\udfff]")
_URL_SCHEMES = ("http", "https")


def parse_timestamp(value: str) -> tuple[dt.date | None, dt.datetime | None]:
    """Return (local date, aware datetime or None) of an ISO 8601, RFC 822 or free-text date."""
    value = value.strip()
    if not value:
        return None, None
    if _ISO_PREFIX.match(value):
        try:
            stamp = dt.datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
        except ValueError:
            stamp = None
        if stamp is not None:
            # The date as written is the publisher's local date; only a zone makes a moment.
            return stamp.date(), stamp if stamp.tzinfo else None
    if re.match(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", value):
        try:
            stamp = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            stamp = None
        if stamp is not None:
            return stamp.date(), stamp if stamp.tzinfo else None
    return parse_date(value), None


def normalize_language(code: str | None) -> str | None:
    """Return the primary ISO 639-1 subtag of a language tag (`ru-RU`, `ru_RU` → `ru`), or None."""
    if not code:
        return None
    primary = re.split(r"[-_\s,;]", code.strip().lower(), maxsplit=1)[0]
    primary = _LANG_ALIASES.get(primary, primary)
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def pick_language(declared: str | None, text: str) -> str | None:
    """Return the declared language verified against the text (detection wins when it can judge)."""
    declared = normalize_language(declared)
    text = text[:_LANGUAGE_SAMPLE]
    detected = detect_language(text) if text.strip() else None
    if detected is None:
        return declared
    if len(text) < _SHORT_SAMPLE and detected not in _CYRILLIC_LANGS:
        # A few Latin words say little (function-word votes); Cyrillic letters say a lot.
        return declared
    if declared is None or detected == declared:
        return detected
    scripts_differ = (declared in _CYRILLIC_LANGS) != (detected in _CYRILLIC_LANGS)
    if scripts_differ or len(text) >= _DETECT_MIN_CHARS:
        logger.debug("declared language %s, text reads as %s", declared, detected)
        return detected
    return declared


def safe_url(href: str | None, base: str | None = None) -> str | None:
    """Return href made absolute against base if it is an http(s) URL with a host, else None."""
    if not href:
        return None
    href = href.strip()
    # Whitespace or control characters inside a URL mean it is not one (or is an injection).
    if not href or re.search(r"[\s\x00-\x1f\x7f<>\"\ud800-\udfff]", href):
        return None
    try:
        if base and not urlsplit(href).scheme:
            href = urljoin(base, href)
        parts = urlsplit(href)
        if parts.scheme.lower() not in _URL_SCHEMES or not parts.hostname:
            return None
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a usable URL
        return None
    return href


def host_name(url: str | None) -> str | None:
    """Return the host of an http(s) URL without a leading `www.`, or None."""
    return url_host(url) or None if url else None


def clean_text(text: str) -> str:
    """Return text with runs of whitespace collapsed and lone surrogates replaced."""
    # JSON `\ud800` escapes decode to lone surrogates, which no UTF-8 file can hold.
    return " ".join(_SURROGATE.sub("\ufffd", text).split())


def text_to_paragraphs(text: str) -> tuple[str, ...]:
    """Return plain text split into paragraphs: by blank lines if it has any, else by lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.split("\n")
    return tuple(p for p in (clean_text(c) for c in chunks) if p)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Return non-empty, whitespace-collapsed values once each (case-insensitively), in order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        value = clean_text(value)
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return tuple(out)
