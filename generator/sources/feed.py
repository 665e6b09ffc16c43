"""Read an RSS 0.9x/1.0 (RDF)/2.0 or Atom feed into RawItems, one per entry.

Input: decoded feed text and the file's name. Output: a `SourceResult`: title, http(s)
link, local date (the zone the feed wrote), plain-text body from content or summary,
categories, language and source per entry. A malformed feed yields what feedparser
recovers plus a problem at the line of the XML error. feedparser lives here only.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from typing import Any

import feedparser

from generator.models import Problem, RawItem, Severity, SourceResult
from generator.sources.html_page import html_to_paragraphs
from generator.sources.values import clean_text, host_name, parse_timestamp, pick_language, safe_url, unique

logger = logging.getLogger(__name__)

_ENCODING_DECL = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""", re.IGNORECASE)
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_ENTRY_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(item|entry)[\s>/]")
# feedparser notes these while still parsing the whole document; they are not damage.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _safe_char_refs(text: str) -> str:
    """Return text with character references to surrogates, NUL or beyond Unicode made U+FFFD."""

    def fix(match: re.Match[str]) -> str:
        hex_digits, digits = match.groups()
        value = int(hex_digits, 16) if hex_digits else int(digits)
        bad = value == 0 or 0xD800 <= value <= 0xDFFF or value > 0x10FFFF
        return "&#xFFFD;" if bad else match.group(0)

    # feedparser's lenient parser crashes on `&#xD800;` (it encodes the character to UTF-8).
    return _CHAR_REF.sub(fix, text)


def _entry_lines(text: str, count: int) -> list[int]:
    """Return the line of each <item>/<entry> start tag, or [] when they cannot be matched to entries."""
    lines = []
    for match in _ENTRY_START.finditer(text):
        lines.append(text.count("\n", 0, match.start()) + 1)
    return lines if len(lines) >= count else []


def _bozo_problem(parsed: Any, shown: str, recovered: int) -> Problem | None:
    """Return the problem of a malformed feed (None when feedparser's complaint is harmless)."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, _HARMLESS):
        logger.debug("%s: %s", shown, exc)
        return None
    line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else 0
    message = getattr(exc, "getMessage", lambda: str(exc))()
    if recovered:
        return Problem(
            shown,
            line or 0,
            f"malformed feed: {message}",
            f"fix the XML there; the {recovered} entries feedparser recovered were read",
            Severity.WARNING,
        )
    return Problem(shown, line or 0, f"malformed feed: {message}; no entries could be read", "fix the XML there")


def _text_field(entry: Any, key: str) -> str:
    """Return an entry field as plain text, stripping HTML when the feed marked it as markup."""
    value = entry.get(key) or ""
    detail = entry.get(f"{key}_detail") or {}
    if "html" in (detail.get("type") or "") or "<" in value or "&" in value:
        return " ".join(html_to_paragraphs(value))
    return clean_text(value)


def _body(entry: Any) -> tuple[str, ...]:
    """Return the entry's longest text (full content over summary) as plain paragraphs."""
    candidates = [c.get("value") or "" for c in entry.get("content") or []]
    candidates.append(entry.get("summary") or "")
    best = max(candidates, key=len)
    return html_to_paragraphs(best)


def _link(entry: Any, base: str | None) -> str | None:
    """Return the entry's alternate link (or a permalink guid) if it is http(s)."""
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate":
            url = safe_url(link.get("href"), base)
            if url:
                return url
    url = safe_url(entry.get("link"), base)
    if url is None and entry.get("guidislink", True):
        url = safe_url(entry.get("id"), base)
    return url


def _date(entry: Any) -> tuple[str, dt.date | None, dt.datetime | None]:
    """Return (date source, local date, aware datetime) from the entry's own date strings."""
    # feedparser's *_parsed values are in UTC, which can move the date a day; the raw string
    # keeps the publisher's zone and so its local date.
    for key in ("published", "updated", "created", "dc_date"):
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            date, published = parse_timestamp(raw)
            if date:
                return "feed", date, published
    return "", None, None


def read_feed(text: str, name: str, shown: str) -> SourceResult:
    """Return one item per feed entry, plus the feed's problems."""
    # The text is decoded already: make the declaration agree, and hand feedparser a stream
    # so that it never treats the input as a URL or a file name.
    data = _safe_char_refs(_ENCODING_DECL.sub(r'\1"utf-8"', text, count=1)).encode("utf-8")
    try:
        parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=True, sanitize_html=True)
    except Exception as exc:  # feedparser's lenient fallback parser has crashes of its own on broken XML
        logger.debug("feedparser failed on %s", shown, exc_info=True)
        return SourceResult.rejected(
            shown,
            "feed",
            0,
            f"malformed feed: feedparser could not read it ({type(exc).__name__}: {exc})",
            "check the XML with a validator and fix it",
        )
    feed = parsed.get("feed") or {}
    entries = parsed.get("entries") or []
    problems: list[Problem] = []
    lines = _entry_lines(text, len(entries))
    feed_link = safe_url(feed.get("link"))
    source = clean_text(feed.get("title") or "") or host_name(feed_link)
    feed_lang = feed.get("language")
    items = []
    for n, entry in enumerate(entries):
        line = lines[n] if lines else 1
        title = _text_field(entry, "title")
        body = _body(entry)
        if not title and not body:
            problems.append(
                Problem(shown, line, "feed entry has neither a title nor a text", "nothing to publish; it was skipped")
            )
            continue
        summary = _text_field(entry, "summary") if entry.get("content") else ""
        date_source, date, published = _date(entry)
        link = _link(entry, feed_link)
        if link is None and entry.get("link"):
            problems.append(
                Problem(
                    shown,
                    line,
                    f'link "{str(entry.get("link"))[:60]}" is not an http(s) URL and was dropped',
                    "only http and https links are kept",
                    Severity.WARNING,
                )
            )
        terms = unique(t.get("label") or t.get("term") or "" for t in entry.get("tags") or [])
        declared = (entry.get("title_detail") or {}).get("language") or feed_lang
        items.append(
            RawItem(
                origin=f"{name}:{line}",
                title=title or None,
                body=body,
                date=date,
                date_source=date_source,
                published=published,
                language=pick_language(declared, " ".join([title, *body])),
                source=source or None,
                source_url=link,
                # A feed's categories are the publisher's sections; the first is its main one.
                sections=terms[:1],
                tags=terms,
                summary=summary if summary and not " ".join(body).startswith(summary) else None,
            )
        )
    bozo = _bozo_problem(parsed, shown, len(items))
    if bozo:
        problems.insert(0, bozo)
    elif not entries:
        problems.append(
            Problem(shown, 1, "feed has no entries", "nothing to read; remove it or fetch it again", Severity.WARNING)
        )
    return SourceResult(shown, "feed", items=tuple(items), problems=tuple(problems), raw_count=len(entries))
