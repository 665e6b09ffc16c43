"""Classify the lines of a page text dump by shape: blank, boilerplate, date, source, text.

Input: the decoded text of one page. Output: one `Line` per input line with its kind and
the metadata found on it (dates, a `Source : URL` marker, a date glued to a headline).
Pure functions, no I/O. Deciding which text line is a headline is `text_structure`'s job.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

from generator.models import collapse_spaces
from generator.sources.dates import DateMatch, find_dates

logger = logging.getLogger(__name__)

BLANK = "blank"
BOILER = "boiler"
RELATED = "related"  # "Read also:" and the like: the lines after it list other pages
MORE = "more"  # "More" / "Подробнее": boilerplate that closes a teaser block
DATE = "date"
SOURCE = "source"
TEXT = "text"


@dataclass(frozen=True)
class Line:
    """One line of a page dump with the role its shape suggests."""

    number: int  # 1-based line number in the input
    text: str  # whitespace-normalised, boilerplate residue and a glued Source marker removed
    kind: str
    dates: tuple[DateMatch, ...] = ()  # the dates of a date line
    source_url: str | None = None  # a `Source : URL` marker on the line
    title_date: DateMatch | None = None  # a date glued to the start or end of a headline
    title_text: str | None = None  # the line without that date ("" for a `- DATE` placeholder)

    @property
    def words(self) -> int:
        """Return the number of whitespace-separated words."""
        return len(self.text.split())


_TOKEN_SPLIT = re.compile(r"[\s,|•·/]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
# CMS residue: WordPress/Visual Composer/Divi shortcodes and the like, never prose. Generic
# `[word]` is kept: quotations use it ("the courts [and] the categories").
_SHORTCODE = re.compile(
    r"\[/?(?:(?:vc|et_pb|fusion|su|av|cs|td|tdb|mk|rev)_[a-z0-9_]*|caption|embed|gallery|playlist|audio|video)"
    r"(?:\s[^\]]*)?\]",
    re.IGNORECASE,
)
_SOURCE_WORDS = "source|sources|источник|дереккөз|дерек көзі|quelle|fuente|fonte|kaynak"
# A source marker alone on a line, or glued to the end of the last body sentence
# ("...countries.Source : https://...", "...of KazakhstanSource : https://..."): glued to a
# word only when capitalised, so "resource: https://..." stays text.
_SOURCE_TAIL = re.compile(
    rf"\s*(?:(?<![^\W\d_])(?i:{_SOURCE_WORDS})|{_SOURCE_WORDS.title()})"
    r"\s*:\s*(https?://\S+)\s*$"
)
_URL_ONLY = re.compile(r"^(?:https?://\S+)$", re.IGNORECASE)

_TICKER = re.compile(r"^[•·*\-\s]*[A-Z]{3}\s*/\s*[A-Z]{3}\s*[=:]\s*[-+]?[\d.,]+")
_MORE = re.compile(
    r"^(?:more|read more|read full|more news|all news|show more|load more|continue reading|details|"
    r"подробнее|читать далее|читать полностью|далее|все новости|показать ещё|показать еще|"
    r"толығырақ|толық оқу|барлық жаңалықтар|weiterlesen|mehr|mehr lesen|alle nachrichten|"
    r"lire la suite|leer más|leggi tutto)\s*[»›→>.…:]*$",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^(?:read also|also read|see also|related|related news|related articles|related stories|"
    r"more on this topic|other news|most read|читайте также|смотрите также|"
    r"по теме|другие новости|похожие новости|тағы оқыңыз|"
    r"сондай-ақ оқыңыз|басқа жаңалықтар|lesen sie auch|mehr zum thema|weitere nachrichten|"
    r"das könnte sie auch interessieren)(?![^\W\d_])\s*(?P<colon>:?)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_PAGER = re.compile(
    r"^(?:(?:viewing|showing|displaying)\s+(?:results?|items?|entries|news)?\s*\d+\s*[-–]\s*\d+\s+(?:of|из|von)\s+\d+"
    r"|(?:page|страница|seite|бет)\s+\d+(?:\s+(?:of|из|von)\s+\d+)?)\s*$",
    re.IGNORECASE,
)
_NAV_TOKEN = re.compile(
    r"^(?:\d+|…|\.\.\.|next|prev|previous|first|last|older|newer|далее|назад|вперед|вперёд|следующая|"
    r"предыдущая|первая|последняя|weiter|zurück|келесі|алдыңғы|[»«›‹<>→←]+)$",
    re.IGNORECASE,
)
_SOCIAL_TOKEN = re.compile(
    r"^(?:share|shares|share this|tweet|print|email|e-mail|mail|copy|link|поделиться|печать|бөлісу|teilen|"
    r"drucken|facebook|fb|twitter|x|telegram|whatsapp|vk|vkontakte|вконтакте|ok|одноклассники|instagram|"
    r"youtube|linkedin|viber|threads|tiktok|pinterest|reddit|flipboard):?$",
    re.IGNORECASE,
)
_COUNTER = re.compile(
    r"^(?:(?:views?|просмотр\w*|қаралым\w*|aufrufe|comments?|комментари\w*)\s*:?\s*\d[\d\s]*"
    r"|\d[\d\s]*\s*(?:views?|просмотр\w*|қаралым\w*|aufrufe|comments?|комментари\w*)|👁\s*\d[\d\s]*)$",
    re.IGNORECASE,
)
_CHROME = re.compile(
    r"^(?:(?:tags|теги|тегтер|schlagwörter|stichwörter|keywords|photo|фото|сурет|foto|bild)\s*:"
    r"|©|\(c\)\s|copyright\b|all rights reserved|все права защищены|барлық құқықтар|alle rechte vorbehalten"
    r"|(?:home|главная|басты бет|startseite)\s*[/»›>|])",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^(?:about|about us|contacts?|contact us|privacy|privacy policy|terms of use|terms and conditions|advertising|"
    r"subscribe|newsletter|sitemap|rss|search|menu|login|log in|sign in|sign up|register|"
    r"о нас|о проекте|контакты|реклама|подписаться|поиск|меню|войти|регистрация|политика конфиденциальности|"
    r"біз туралы|байланыс|жарнама|іздеу|impressum|datenschutz|datenschutzerklärung|kontakt|werbung|abonnieren|"
    r"suche|anmelden|advertisement|sponsored|anzeige|реклама на сайте)$",
    re.IGNORECASE,
)
# Calls to action between stories: short lines that ask the reader to follow or share.
_PROMO = re.compile(
    r"^(?:subscribe|sign up|follow us|share (?:this|on)|join us|download our app|"
    r"подписывайтесь|подпишитесь|читайте нас|следите за|присоединяйтесь|делитесь|"
    r"жазылыңыз|бізді|folgen sie|abonnieren sie|teilen sie)\b",
    re.IGNORECASE,
)
# Author lines: metadata, not text ("By Jane Doe", "Автор: Иван Петров", "Von Max Muster").
_BYLINE = re.compile(
    r"^(?i:by|author|authors|written by|автор|авторы|текст|von|autor|autorin)\s*:?\s+"
    r"(?:[A-ZА-ЯЁÄÖÜ][\w.'’-]*\s*){1,4}(?:,\s*[\w .'’-]{1,40})?$"
)
# Relative times carry no date we can trust without knowing when the page was saved.
_RELATIVE_TIME = re.compile(
    r"^(?:\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago"
    r"|\d+\s+(?:секунд\w*|минут\w*|час\w*|дн\w*|день|недел\w*)\s+назад"
    r"|vor\s+\d+\s+(?:sekunden|minuten|stunden?|tagen?|wochen?)"
    r"|\d+\s+(?:минут|сағат|күн)\s+бұрын"
    r"|(?:just now|today|yesterday|только что|сегодня|вчера|heute|gestern|бүгін|кеше)(?:,?\s*\d{1,2}:\d{2})?)$",
    re.IGNORECASE,
)
_COOKIE_BUTTON = re.compile(r"^(?:accept|accept all|i agree|got it|ok|принять|согласен|понятно|akzeptieren)$", re.I)
# The patterns above that make a whole line BOILER, tried in one call (in C, not Python).
# They carry no flag but IGNORECASE, which is kept per pattern.
_WHOLE_LINE_BOILER = re.compile(
    "|".join(
        f"(?{'i' if p.flags & re.IGNORECASE else ''}:{p.pattern})"
        for p in (_TICKER, _PAGER, _COUNTER, _CHROME, _FOOTER, _RELATIVE_TIME, _COOKIE_BUTTON)
    )
)
_COOKIE = re.compile(r"\bcookies?\b|куки|файлы cookie", re.IGNORECASE)
_COOKIE_CONSENT = re.compile(r"\b(?:use|using|accept|consent|policy|используем|политик|verwende|nutzen)", re.I)
_HAS_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
# "- 04.02.2026": a headline slot whose title is empty (the dash stands in for it).
_PLACEHOLDER = re.compile(r"^[-–—]\s+\S")
# Words that may sit on a date line next to the date: labels, weekdays, units, counters.
_DATE_LABELS = re.compile(
    r"\b(?:date|dated|published|updated|posted|modified|created|last|of|publication|on|at|am|pm|views?|"
    r"today|yesterday|публикации|публикация|обновления|изменено|создано|жарияланған|күні|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|"
    r"дата|опубликовано|обновлено|от|в|г|года|просмотр\w*|сегодня|вчера|"
    r"понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|пн|вт|ср|чт|пт|сб|вс|"
    r"жарияланды|жаңартылды|ж|жылы|бүгін|кеше|дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі|"
    r"veröffentlicht|aktualisiert|stand|um|uhr|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"heute|gestern)\b\.?",
    re.IGNORECASE,
)
_BYLINE_PART = re.compile(r"\b(?:by|von|автор|author)\b:?\s+[^\d|•·]{1,50}", re.IGNORECASE)
# How far from either end of a line a headline's date may sit (date, time and separators).
_EDGE = 60
# What may separate a headline from its date: spaces, dashes, bars, bullets, commas.
_TITLE_DATE_SEP = " \t-–—|•·,/:(["


def _clean(raw: str) -> str:
    """Return a raw line without CMS shortcodes, control characters and extra whitespace."""
    if "[" in raw:
        raw = _SHORTCODE.sub(" ", raw)
    if not raw.isprintable():
        raw = _CONTROL.sub("", raw)
    text = raw if raw.isascii() else unicodedata.normalize("NFC", raw)  # ASCII is NFC already
    if "\u00ad" in text:
        text = text.replace("\u00ad", "")
    return collapse_spaces(text)


def _source_tail(line: str) -> re.Match[str] | None:
    """Return the match of a `Source : URL` marker ending the line, if there is one."""
    at = line.rfind("http")
    if at < 0:
        return None
    # Search only the marker's neighbourhood: the pattern is costly across a long body line.
    return _SOURCE_TAIL.search(line, max(0, at - 40))


def _is_boilerplate(text: str) -> str | None:
    """Return the boilerplate kind of a whole line (BOILER, MORE, RELATED) or None."""
    if _WHOLE_LINE_BOILER.match(text) or (len(text) <= 70 and _BYLINE.match(text)):
        return BOILER
    if len(text) < 120 and _PROMO.match(text):
        return BOILER
    if _MORE.match(text):
        return MORE
    related = _RELATED.match(text)
    kind = _related_kind(related, text) if related else None
    if kind:
        return kind
    # The length guard spares most body lines a call: they are longer than any link row.
    if len(text) < 160 and _is_link_row(text):
        return BOILER
    if len(text) < 400 and _COOKIE.search(text) and _COOKIE_CONSENT.search(text):
        return BOILER  # a cookie banner's text (its buttons are in `_WHOLE_LINE_BOILER`)
    return None


def _related_kind(related: re.Match[str], text: str) -> str | None:
    """Return the kind of a line that opens with "Read also" and the like, or None for text."""
    if not related.group("rest"):
        return RELATED  # the heading of a list of other pages on the lines below
    if related.group("colon") and len(text) < 250:
        return BOILER  # "Read also: Other headline" on one line
    return None  # "Related news is ...": a sentence that happens to start with the words


def _is_link_row(text: str) -> bool:
    """Return True for a row of pager or share links ("1 2 3 next", "Share | Facebook")."""
    tokens = [t for t in _TOKEN_SPLIT.split(text) if t]
    if not tokens or len(tokens) > 12:
        return False
    return all(_NAV_TOKEN.match(t) for t in tokens) or all(_SOCIAL_TOKEN.match(t) for t in tokens)


# "Astana, 4 February 2026": a place name before the date (and nothing after it but labels).
_PLACE_DATELINE = re.compile(r"^\s*[^\W\d_][^\W\d_'’.-]*(?:[\s-][^\W\d_][^\W\d_'’.-]*)?\s*[,–—-]\s*$")
# Stands in for the unknown year while testing whether a yearless line is a date line
# (a leap year, so that "29 февраля" is still a date).
_PROBE_YEAR = 2000


def _date_line(text: str, default_year: int | None) -> tuple[DateMatch, ...] | None:
    """Return the dates of a line that holds only dates (plus labels and counters), else None.

    The tuple is empty for a date line whose year is unknown: the page has no full date.
    """
    found = find_dates(text, default_year or _PROBE_YEAR)
    if not found:
        return None
    rest = []
    pos = 0
    for match in found:
        rest.append(text[pos : match.start])
        pos = match.end
    rest.append(text[pos:])
    lead, tail = (_DATE_LABELS.sub(" ", _BYLINE_PART.sub(" ", part)) for part in (rest[0], " ".join(rest[1:])))
    if _HAS_LETTER.search(tail) or (_HAS_LETTER.search(lead) and not _PLACE_DATELINE.match(lead)):
        return None
    if default_year is None:
        found = [m for m in found if m.has_year]
    return tuple(found)


def _date_at_end(text: str, default_year: int | None) -> tuple[DateMatch, str] | None:
    """Return a full date closing a headline ("Headline - 04.02.2026") and the headline."""
    # Only the ends of the line matter: searching them alone keeps long body lines cheap.
    offset = max(0, len(text) - _EDGE)
    tail = find_dates(text[offset:], default_year) if _DIGIT.search(text, offset) else []
    if not tail:
        return None
    last = tail[-1]
    last = replace(last, start=last.start + offset, end=last.end + offset)
    if last.has_year and last.end >= len(text.rstrip(" .)|")) and last.start > 0:
        before = text[: last.start]
        # Only a separator may part headline and date: a date run into a word is part of the text.
        if not before.strip() or before[-1] in _TITLE_DATE_SEP:
            return last, before.rstrip(_TITLE_DATE_SEP)
    return None


def _date_at_start(text: str, default_year: int | None) -> tuple[DateMatch, str] | None:
    """Return a full date opening a headline ("04.02.2026 | Headline") and the headline."""
    head = find_dates(text[:_EDGE], default_year) if _DIGIT.search(text, 0, _EDGE) else []
    if not head:
        return None
    first = head[0]
    # A leading date counts only when something marks it off from the words after it: a
    # body sentence that opens with "4 February 2026, officials said ..." is not a headline.
    if first.start != 0 or not first.has_year or len(text) - first.end >= 250:
        return None
    after = text[first.end :]
    sep = re.match(r"\s*[|–—•·]\s*|\s+-\s+", after)
    if sep is None and not _HAS_LETTER.search(first.text):
        sep = re.match(r"\s+(?=[^\W\d_])", after)  # "04.02.2026 Headline": numeric dates stand apart
    if sep or (first.time is not None and after[:1].isspace()):
        title = after[sep.end() if sep else 0 :].strip()
        if title and not title.endswith("."):
            return first, title
    return None


def _is_label(title: str) -> bool:
    """Return True for one or two bare words (a category or place), too little for a headline."""
    words = title.split()
    return 0 < len(words) <= 2 and len(title) <= 25 and not re.search(r"[.!?…]$", title)


def page_year(lines: list[str]) -> int | None:
    """Return the most common year among full dates in the page, to date yearless ones."""
    years: Counter[int] = Counter()
    for line in lines:
        if len(line) < 300:
            years.update(m.date.year for m in find_dates(line) if m.has_year)
    return years.most_common(1)[0][0] if years else None


def classify_lines(text: str) -> list[Line]:
    """Return every line of a page dump with its kind and metadata."""
    raw_lines = text.splitlines()
    # Yearless dates ("4 февраля") take the year the page's full dates mostly have.
    year = page_year(raw_lines)
    return [_classify(number, raw, year) for number, raw in enumerate(raw_lines, 1)]


def _classify(number: int, raw: str, year: int | None) -> Line:
    """Return one raw line as a Line: blank, boilerplate or source marker, else `_classify_text`."""
    line = _clean(raw)
    if not line:
        return Line(number, "", BLANK if not raw.strip() else BOILER)
    source_url = None
    tail = _source_tail(line)
    if tail:
        # The marker is cut off first so that the rest of the line is judged on its own.
        source_url = tail.group(1).rstrip(".,;)")
        line = line[: tail.start()].rstrip()
        if not line:
            return Line(number, "", SOURCE, source_url=source_url)
    if _URL_ONLY.match(line):
        return Line(number, line, BOILER)
    kind = _is_boilerplate(line)
    if kind:
        return Line(number, line, kind, source_url=source_url)
    return _classify_text(number, line, source_url, year)


def _classify_text(number: int, line: str, source_url: str | None, year: int | None) -> Line:
    """Return a cleaned, non-boilerplate line as a date line, a (dated) text line or BOILER."""
    if len(line) < 120:
        dates = _date_line(line, year)
        if dates and _PLACEHOLDER.match(line) and dates[0].start > 0:
            return Line(number, line, TEXT, source_url=source_url, title_date=dates[-1], title_text="")
        if dates is not None:
            return Line(number, line, DATE, dates=dates, source_url=source_url)
    if not _HAS_LETTER.search(line):
        return Line(number, line, BOILER)  # counters, "***", lone numbers, pager digits
    # The end is tried first: with a date at both ends, the closing one is the headline's.
    found = _date_at_end(line, year) or _date_at_start(line, year)
    if found is None:
        return Line(number, line, TEXT, source_url=source_url)
    match, title = found
    if _is_label(title):
        # "Politics | 04.02.2026": a category next to a date is a date line, not a headline.
        return Line(number, line, DATE, dates=(match,), source_url=source_url)
    return Line(number, line, TEXT, source_url=source_url, title_date=match, title_text=title)
