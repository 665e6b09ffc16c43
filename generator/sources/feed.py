"""Read an RSS 0.9x/1.0 (RDF)/2.0 or Atom feed into RawItems, one per entry.

Input: decoded feed text and the file's name. Output: a `SourceResult`: title, http(s)
link, local date (the zone the feed wrote), plain-text body from content or summary,
categories, language and source per entry. A feed that is not well-formed yields what can
be recovered (after repairing stray `&`, `<` and HTML entities, else what feedparser's
lenient parser reads) plus a warning at the line of the XML error; one with nothing
recoverable is rejected. feedparser lives here only.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html.entities
import io
import logging
import re
from dataclasses import dataclass
from typing import Any

import feedparser

from generator.models import Problem, RawItem, Severity, SourceResult
from generator.sources.dates import implausible_problem, plausible_date
from generator.sources.html_page import html_to_paragraphs
from generator.sources.values import clean_text, host_name, parse_timestamp, pick_language, safe_url, unique

logger = logging.getLogger(__name__)

_ENCODING_DECL = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""", re.IGNORECASE)
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_XML_DECL = re.compile(r"<\?xml[^>]*?>")  # feedparser's test, which adds one when it fails
_ENTRY_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(item|entry)[\s>/]")
# feedparser notes these while still parsing the whole document; they are not damage.
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
# The damage hand-written feeds most often have: an `&` that starts no reference, a `<` that
# starts no markup ("<5%"), an HTML entity XML does not know (&nbsp;). CDATA may hold them all.
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_STRAY_AMP = re.compile(r"&(?!(?:[A-Za-z][\w.-]*|#[0-9]+|#[xX][0-9a-fA-F]+);)")
_STRAY_LT = re.compile(r"<(?![A-Za-z_:/!?])")
_NAMED_REF = re.compile(r"&([A-Za-z][\w.-]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


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


def _repair(text: str) -> str:
    """Return feed text with stray `&` and `<` escaped and HTML entities made character references."""

    def entity(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(f"{name};")
        return "".join(f"&#{ord(c)};" for c in chars) if chars else f"&amp;{name};"

    parts = _CDATA.split(text)
    for k in range(0, len(parts), 2):  # odd parts are CDATA sections, kept as they are
        parts[k] = _STRAY_LT.sub("&lt;", _NAMED_REF.sub(entity, _STRAY_AMP.sub("&amp;", parts[k])))
    return "".join(parts)


def _parse(text: str) -> Any:
    """Return feedparser's result for decoded feed text (raises where feedparser crashes)."""
    # The text is decoded already: make the declaration agree, and hand feedparser a stream
    # so that it never treats the input as a URL or a file name.
    data = _safe_char_refs(_ENCODING_DECL.sub(r'\1"utf-8"', text, count=1)).encode("utf-8")
    return feedparser.parse(io.BytesIO(data), resolve_relative_uris=True, sanitize_html=True)


def _xml_error(parsed: Any, shown: str) -> Exception | None:
    """Return the XML error of a feed that is not well-formed (None when feedparser's complaint is harmless)."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, _HARMLESS):
        logger.debug("%s: %s", shown, exc)
        return None
    return exc if isinstance(exc, Exception) else ValueError(str(exc))


def _not_well_formed(error: Exception, text: str) -> tuple[int, str]:
    """Return the line in text and the message of a feed's XML error (or of feedparser's crash on it)."""
    line = error.getLineNumber() if hasattr(error, "getLineNumber") else 0
    if line and not _XML_DECL.match(text):
        line -= 1  # feedparser parses a declaration line of its own put before the text
    if hasattr(error, "getMessage"):
        # expat says "not well-formed (invalid token)": the sentence says the first half already.
        message = error.getMessage().removeprefix("not well-formed (").removesuffix(")")
    else:
        message = f"feedparser could not read it: {type(error).__name__}: {error}"
    return line or 0, f"feed is not well-formed XML ({message})"


def _text_field(entry: Any, key: str) -> str:
    """Return an entry field as plain text, stripping HTML when the feed marked it as markup."""
    value = entry.get(key) or ""
    detail = entry.get(f"{key}_detail") or {}
    if "html" in (detail.get("type") or "") or "<" in value or "&" in value:
        return " ".join(html_to_paragraphs(value))
    return clean_text(value)


# --- publisher furniture ---------------------------------------------------------------------
# Feed bodies carry the publisher's page furniture: share rows, ad markers, newsletter and
# "follow us" prompts, "continue reading" links, WordPress's "The post X appeared first on Y".
# It is recognised by shape (a short paragraph made almost only of this vocabulary, a lone
# marker, a trailing credit line), never by one site's exact strings, so real sentences stay.
_AD_MARKER = re.compile(
    r"^\W*(?:advertisement|advertising|sponsored|ad|реклама|жарнама|anzeige|werbung)\W*$", re.IGNORECASE
)
_FIRST_ON = re.compile(
    r"appeared first on|erschien zuerst auf|впервые появил\w* на|появил\w* сначала на|алғаш рет .{1,60}(?:пайда болды|жарияланды)",
    re.IGNORECASE,
)
# A "continue reading" prompt glued to the end of an excerpt; WordPress's "[…]" cut mark.
_MORE_SUFFIX = re.compile(
    r"(?:(?<=[.!?…»\"”)\]])|^)\s*(?:Continue reading|Read more|Weiterlesen|Mehr lesen|Читать далее|"
    r"Читать дальше|Подробнее|Толығырақ)\b[^.!?]{0,80}$"
)
_CUT_MARK = re.compile(r"([.!?…]?)\s*\[(?:…|\.\.\.)\]$")
_FURNITURE_WORDS = re.compile(r"https?://\S+|@\w+|[^\W\d_]+")
# Prompts: a furniture line has at least one of these.
_PROMPTS = frozenset(
    " ".join(
        (
            "share shares sharing tweet subscribe follow like join sign click tap read continue download",  # en
            "advertisement",  # en
            "поделиться поделитесь подписывайтесь подпишитесь подписаться следите читайте присоединяйтесь",  # ru
            "нажмите реклама подробнее",  # ru
            "бөлісу бөлісіңіз жазылыңыз жазылу қосылыңыз оқыңыз жарнама толығырақ",  # kk
            "teilen abonnieren abonniere folgen folge klicken lesen weiterlesen anzeige werbung",  # de
        )
    ).split()
)
# Places and glue words of such prompts; any other word makes the line text.
_PROMPT_CONTEXT = frozenset(
    " ".join(
        (
            "facebook twitter x telegram whatsapp viber instagram youtube linkedin pinterest reddit vk",  # en
            "vkontakte tiktok threads loading e mastodon bluesky email mail print newsletter newsletters rss",  # en
            "feed channel page social media network networks more here reading full story article this post",  # en
            "up us on to our in the and or at for via with a me my now free news latest updates get by it of",  # en
            "всё все вконтакте вк одноклассники ок канал канале рассылку рассылка соцсетях сетях социальных",  # ru
            "страницу далее дальше здесь тут по на в нас наш нашем наши нашу наших и или к сейчас новости",  # ru
            "біздің бізді және арқылы парақшамызға арнамызға желілерде әлеуметтік телеграм",  # kk
            "auf uns unseren unserem unser unsere den dem der die und oder sie jetzt hier bei im mehr kanal",  # de
        )
    ).split()
)


def _is_furniture(para: str) -> bool:
    """Return True for a short paragraph that is an ad marker or a share/subscribe/follow/read-more prompt."""
    if _AD_MARKER.match(para):
        return True
    words = _FURNITURE_WORDS.findall(para.casefold())
    if not words or len(words) > 20 or len(para) > 200:
        return False
    if not any(w in _PROMPTS for w in words):
        return False
    links = sum(1 for w in words if w.startswith(("http", "@")))
    other = sum(1 for w in words if w not in _PROMPTS and w not in _PROMPT_CONTEXT) - links
    return other * 5 < len(words)  # at most one word in five is not a prompt's


def _without_furniture(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    """Return paragraphs without publisher furniture and repeats; the text of real sentences is kept."""
    out: list[str] = []
    seen: set[str] = set()
    for n, para in enumerate(paragraphs):
        trailing = n >= len(paragraphs) - 2
        if _is_furniture(para) or (trailing and len(para) <= 300 and _FIRST_ON.search(para)):
            continue
        para = _MORE_SUFFIX.sub("", para).rstrip()
        # "[…]" after a whole sentence says nothing; after a cut one it is the ellipsis.
        para = _CUT_MARK.sub(lambda m: m.group(1) or "…", para)
        key = " ".join(_FURNITURE_WORDS.findall(para.casefold()))
        if not para or key in seen:
            continue  # the same paragraph twice (a standfirst repeated as the body's first) is shown once
        seen.add(key)
        out.append(para)
    return tuple(out)


def _repeats_body(summary: str, body: tuple[str, ...]) -> bool:
    """Return True when a summary is the body's opening (perhaps cut short), not text of its own."""
    said = _FURNITURE_WORDS.findall(summary.casefold())
    start = _FURNITURE_WORDS.findall(" ".join(body).casefold())[: len(said)]
    if len(said) < 3:
        return start == said
    # The last word of an excerpt may be cut ("Wedn…"); a near-copy differs in a word or two.
    return start[: len(said) - 1] == said[:-1] or difflib.SequenceMatcher(None, said, start).ratio() >= 0.9


def _body(entry: Any) -> tuple[str, ...]:
    """Return the entry's longest text (full content over summary) as plain paragraphs."""
    candidates = [c.get("value") or "" for c in entry.get("content") or []]
    candidates.append(entry.get("summary") or "")
    best = max(candidates, key=len)
    return _without_furniture(html_to_paragraphs(best))


def _summary(entry: Any, body: tuple[str, ...]) -> str | None:
    """Return the entry's description when it is a standfirst of its own, not the body's opening again."""
    if not entry.get("content"):
        return None  # the description is the body already
    summary = " ".join(_without_furniture(html_to_paragraphs(entry.get("summary") or "")))
    text = " ".join(body)
    if not summary or text.startswith(summary):
        return None
    # A shortened opening ("… the grid." of "… the grid on Wednesday") is recognised as such
    # where the article is shown; a near-copy (other quotes, spaces, words) would be shown
    # twice, so the lede is made from the body instead.
    if _repeats_body(summary, body) and not text.startswith(summary.rstrip(" .…[]")):
        return None
    return summary


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


def _date(entry: Any) -> tuple[str, dt.date | None, dt.datetime | None, list[dt.date]]:
    """Return (date source, local date, aware datetime, implausible dates passed over) of an entry."""
    # feedparser's *_parsed values are in UTC, which can move the date a day; the raw string
    # keeps the publisher's zone and so its local date.
    passed: list[dt.date] = []
    for key in ("published", "updated", "created", "dc_date"):
        # dict.get: the entry's own field, not feedparser's deprecated `updated` → `published` alias.
        raw = dict.get(entry, key)
        if isinstance(raw, str) and raw.strip():
            date, published = parse_timestamp(raw)
            if date and plausible_date(date):
                return "feed", date, published, passed
            if date:
                passed.append(date)  # a placeholder or far-future date: try the next field
    return "", None, None, passed


def _parse_repaired(text: str, shown: str) -> Any:
    """Return feedparser's result for the repaired text, or None where feedparser crashes on it."""
    try:
        return _parse(_repair(text))
    except Exception:
        logger.debug("feedparser failed on the repaired %s", shown, exc_info=True)
        return None


def _parse_leniently(text: str, shown: str) -> tuple[Any, Exception | None]:
    """Return feedparser's result (None when unreadable) and the feed's XML error, if any."""
    parsed: Any = None
    try:
        parsed = _parse(text)
        error = _xml_error(parsed, shown)
    except Exception as exc:  # feedparser's lenient fallback parser has crashes of its own on broken XML
        logger.debug("feedparser failed on %s", shown, exc_info=True)
        error = exc
    if error is not None:
        # feedparser's lenient parser cuts an entry short at a stray `<` and sometimes drops
        # the entries after the damage: when the repaired text is well-formed, read that.
        repaired = _parse_repaired(text, shown)
        if repaired is not None and (parsed is None or _xml_error(repaired, shown) is None):
            logger.debug("%s: reading the repaired feed", shown)
            parsed = repaired
    return parsed, error


@dataclass(frozen=True)
class _Feed:
    """What every entry of one feed shares: where it came from and its defaults."""

    name: str
    shown: str
    link: str | None
    source: str | None
    language: str | None


def _link_problem(entry: Any, link: str | None, feed: _Feed, line: int) -> Problem | None:
    """Return the warning for an entry link that was dropped, if it was."""
    if link is not None or not entry.get("link"):
        return None
    return Problem(
        feed.shown,
        line,
        f'link "{str(entry.get("link"))[:60]}" is not an http(s) URL and was dropped',
        "only http and https links are kept",
        Severity.WARNING,
    )


def _terms(entry: Any) -> tuple[str, ...]:
    """Return the entry's categories, each once, in the feed's order."""
    return unique(t.get("label") or t.get("term") or "" for t in entry.get("tags") or [])


def _read_entry(entry: Any, feed: _Feed, line: int, problems: list[Problem]) -> RawItem | None:
    """Return the item of one feed entry (None when it has nothing to publish), adding its problems."""
    title = _text_field(entry, "title")
    body = _body(entry)
    if not title and not body:
        problems.append(
            Problem(feed.shown, line, "feed entry has neither a title nor a text", "nothing to publish; it was skipped")
        )
        return None
    date_source, date, published, implausible = _date(entry)
    if date is None and implausible:
        problems.append(implausible_problem(feed.shown, line, title or None, implausible))
    link = _link(entry, feed.link)
    link_problem = _link_problem(entry, link, feed, line)
    if link_problem is not None:
        problems.append(link_problem)
    terms = _terms(entry)
    declared = (entry.get("title_detail") or {}).get("language") or feed.language
    return RawItem(
        origin=f"{feed.name}:{line}",
        title=title or None,
        body=body,
        date=date,
        date_source=date_source,
        published=published,
        language=pick_language(declared, " ".join([title, *body])),
        source=feed.source,
        source_url=link,
        # A feed's categories are the publisher's sections; the first is its main one.
        sections=terms[:1],
        tags=terms,
        summary=_summary(entry, body),
    )


def _read_entries(parsed: Any, text: str, name: str, shown: str, problems: list[Problem]) -> list[RawItem]:
    """Return the items of a parsed feed's entries, adding their problems."""
    feed = parsed.get("feed") or {}
    entries = parsed.get("entries") or []
    lines = _entry_lines(text, len(entries))
    feed_link = safe_url(feed.get("link"))
    source = clean_text(feed.get("title") or "") or host_name(feed_link)
    shared = _Feed(name, shown, feed_link, source or None, feed.get("language"))
    items = []
    for n, entry in enumerate(entries):
        item = _read_entry(entry, shared, lines[n] if lines else 1, problems)
        if item is not None:
            items.append(item)
    return items


def read_feed(text: str, name: str, shown: str) -> SourceResult:
    """Return one item per feed entry, plus the feed's problems."""
    parsed, error = _parse_leniently(text, shown)
    if parsed is None:
        return SourceResult.rejected(
            shown,
            "feed",
            0,
            f"malformed feed: feedparser could not read it ({type(error).__name__}: {error})",
            "check the XML with a validator and fix it",
        )
    entries = parsed.get("entries") or []
    problems: list[Problem] = []
    items = _read_entries(parsed, text, name, shown, problems)
    if error is not None:
        line, message = _not_well_formed(error, text)
        if not items:
            # Nothing recoverable: the input is rejected whole, with the XML error only.
            return SourceResult.rejected(
                shown, "feed", line, f"{message}; no items could be recovered", "fix the XML there", len(entries)
            )
        recovered = f"{len(items)} item{'' if len(items) == 1 else 's'} recovered"
        problems.insert(
            0,
            Problem(
                shown,
                line,
                f"{message}; {recovered}",
                "fix the XML there; items near the damage may be incomplete",
                Severity.WARNING,
            ),
        )
    elif not entries:
        problems.append(
            Problem(shown, 1, "feed has no entries", "nothing to read; remove it or fetch it again", Severity.WARNING)
        )
    return SourceResult(shown, "feed", items=tuple(items), problems=tuple(problems), raw_count=len(entries))
