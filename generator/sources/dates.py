"""Find calendar dates in scraped text: day-first numeric, ISO, and month names.

Input: any string. Output: `DateMatch` values (date, span, optional time) left to right.
Pure regular expressions, no I/O: numeric dates are day-first, month names are English,
Russian (every case), Kazakh (with inflections), German, French, Spanish, Italian, Portuguese,
Dutch, Indonesian, Turkish and Arabic; Japanese/Chinese `2019年1月23日` and Korean
`2019년 1월 23일` forms; Arabic-Indic, Persian and full-width digits read as ASCII ones.
`plausible_date` is the one rule every reader applies to a date candidate it picks (the
only function here that reads the clock, for "today", unless given one).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from generator.models import Problem, Severity, short_title

logger = logging.getLogger(__name__)

MIN_YEAR = 1990
MAX_YEAR = 2100
#: No news item in a digest predates this; placeholders such as 0001-01-01 or 1970-01-01 do.
EARLIEST_DATE = dt.date(MIN_YEAR, 1, 1)
#: A publication date may run ahead of the machine's clock by a time zone or two, not more.
FUTURE_DAYS = 2


def implausible_reason(date: dt.date, today: dt.date | None = None) -> str:
    """Return why a date cannot be a publication date ("" when it can be)."""
    if date < EARLIEST_DATE:
        return f"its date {date.isoformat()} is before {MIN_YEAR}"
    today = today or dt.date.today()
    # Ordinals, not a timedelta: today may be date.max in a test, and must not overflow.
    if date.toordinal() > today.toordinal() + FUTURE_DAYS:
        return f"its date {date.isoformat()} is in the future"
    return ""


def plausible_date(date: dt.date, today: dt.date | None = None) -> bool:
    """Return True for a date that can be a publication date: from 1990 to two days after today."""
    return not implausible_reason(date, today)


def implausible_problem(shown: str, line: int, title: str | None, dates: Iterable[dt.date]) -> Problem:
    """Return the warning for an item whose only dates were implausible (and so were ignored)."""
    title = " ".join((title or "").split())
    short = short_title(title)
    what = f' for "{short}"' if short else ""
    reasons = "; ".join(dict.fromkeys(implausible_reason(d) for d in dates))
    return Problem(
        shown,
        line,
        f"no plausible date{what} ({reasons}: not a publication date, ignored)",
        "fix the date in the input or set --default-date",
        Severity.WARNING,
    )


@dataclass(frozen=True)
class DateMatch:
    """One date found in a string: `text[start:end]` is the matched text (time included)."""

    date: dt.date
    start: int
    end: int
    time: dt.time | None
    has_year: bool
    text: str


# Latin-script month words (full names and common abbreviations) → month number.
_LATIN_MONTHS: dict[str, int] = {}
for _month, _words in enumerate(
    (
        # en, de, fr, es, it; then pt, nl, id, tr
        "january jan januar jänner jaenner janvier janv enero gennaio gen janeiro januari ocak",
        "february feb febr februar feber février fevrier févr fevr febrero febbraio fevereiro fev februari şubat",
        "march mar märz maerz mär mrz mars marzo março maart maret mart",
        "april apr avril avr abril abr aprile nisan",
        "may mai mayo maggio mag maio mei mayıs",
        "june jun juni juin junio giugno giu junho haziran",
        "july jul juli juillet juil julio luglio lug julho temmuz",
        "august aug août aout agosto ago augustus agustus ağustos",
        "september sep sept septembre septiembre setiembre settembre set setembro eylül",
        "october oct oktober okt octobre octubre ottobre ott outubro out ekim",
        "november nov novembre noviembre novembro kasım",
        "december dec dezember dez décembre decembre déc diciembre dicembre dic dezembro desember aralık",
    ),
    start=1,
):
    for _word in _words.split():
        _LATIN_MONTHS[_word] = _month

# Words that are month abbreviations only when a day number sits right next to them; the
# Romance ones ("gen", "set", "ago", "mag") are common words in other languages, so they
# are read only as full month forms after a day ("12 ago" in English is not August).
_AMBIGUOUS = {"gen", "set", "ago", "mag", "giu", "lug", "ott", "dic", "abr", "avr", "mars", "out", "mei", "mart", "fev"}

# Russian month stems with their case endings (nominative, genitive, prepositional, dative,
# instrumental), plus abbreviations.
_RU_MONTHS = (
    (r"январ(?:ь|я|е|ю|ём|ем)|янв", 1),
    (r"феврал(?:ь|я|е|ю|ём|ем)|февр?", 2),
    (r"март(?:а|е|у|ом)?|мар", 3),
    (r"апрел(?:ь|я|е|ю|ем)|апр", 4),
    (r"ма(?:й|я|е|ю|ем)", 5),
    (r"июн(?:ь|я|е|ю|ем)?", 6),
    (r"июл(?:ь|я|е|ю|ем)?", 7),
    (r"август(?:а|е|у|ом)?|авг", 8),
    (r"сентябр(?:ь|я|е|ю|ём|ем)|сент?", 9),
    (r"октябр(?:ь|я|е|ю|ём|ем)|окт", 10),
    (r"ноябр(?:ь|я|е|ю|ём|ем)|нояб?", 11),
    (r"декабр(?:ь|я|е|ю|ём|ем)|дек", 12),
)

# Kazakh month names; inflections (ақпанда, қаңтардың, наурызға ...) are letter suffixes.
_KK_MONTHS = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
    "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
)  # fmt: skip
# Sites without a Kazakh keyboard type the Russian look-alike letters.
_KK_LOOKALIKE = str.maketrans("әғқңөұүһі", "агкноууhи")
_KK_CLASS = {"ә": "[әа]", "ғ": "[ғг]", "қ": "[қк]", "ң": "[ңн]", "ө": "[өо]", "ұ": "[ұу]", "ү": "[үу]", "і": "[іи]"}


# Arabic month names: the Levantine (Syriac) and the Egyptian/Gulf (Latin) series, often
# written together ("نيسان / أبريل"); hamza and alif forms vary between sites.
_AR_MONTHS = (
    ("كانون الثاني", "يناير"),
    ("شباط", "فبراير"),
    ("آذار|اذار", "مارس"),
    ("نيسان", "أبريل|ابريل|إبريل"),
    ("أيار|ايار", "مايو"),
    ("حزيران", "يونيو|يونيه"),
    ("تموز", "يوليو|يوليه"),
    ("آب|اب", "أغسطس|اغسطس|آغسطس"),
    ("أيلول|ايلول", "سبتمبر"),
    ("تشرين الأول|تشرين الاول", "أكتوبر|اكتوبر"),
    ("تشرين الثاني", "نوفمبر"),
    ("كانون الأول|كانون الاول", "ديسمبر"),
)
_AR_MARKS = re.compile("[\u064b-\u0652\u0640]")
# Arabic-Indic, Persian (Extended Arabic-Indic) and full-width digits are the ASCII ones.
_DIGIT_MAP = str.maketrans(
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    "0123456789" * 3,
)


def _kk_pattern(name: str) -> str:
    return "".join(_KK_CLASS.get(ch, ch) for ch in name)


_LETTER_END = r"(?![^\W\d_])"
_LATIN_ALT = "|".join(sorted((re.escape(w) for w in _LATIN_MONTHS), key=len, reverse=True))
_RU_ALT = "|".join(p for p, _ in _RU_MONTHS)
_KK_ALT = "|".join(_kk_pattern(n) for n in _KK_MONTHS)
_AR_WORDS = sorted((w for pair in _AR_MONTHS for names in pair for w in names.split("|")), key=len, reverse=True)
# Harakat (the shadda in "الثّاني") may follow any letter of a month word.
_AR_ONE = "|".join("".join(re.escape(ch) + "[\u064b-\u0652\u0640]*" for ch in w) for w in _AR_WORDS)
_AR_ALT = rf"(?:{_AR_ONE})(?:\s*/\s*(?:{_AR_ONE}))?"
_MONTH = rf"(?:(?:{_KK_ALT})[^\W\d_]{{0,6}}|(?:{_RU_ALT}|{_LATIN_ALT}|{_AR_ALT}){_LETTER_END})"
_LATIN_MONTH = rf"(?:{_LATIN_ALT}){_LETTER_END}"
_YEAR_WORD = r"(?:\s*(?:года|год|г\.|г(?![^\W\d_])|ж\.|жылы|жылғы|жыл))?"

_DATE_RE = re.compile(
    rf"""
    (?P<iso>(?<![\d.])(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})
        (?:[T\ ](?P<ih>\d{{2}}):(?P<imin>\d{{2}})(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?(?!\d))
    |(?P<cjk>(?<!\d)(?P<cy>\d{{4}})\s*[年년]\s*(?P<cm>\d{{1,2}})\s*[月월]\s*(?P<cd>\d{{1,2}})\s*[日일]?(?!\d))
    |(?P<ymd>(?<![\d.])(?P<yy>\d{{4}})[./](?P<ym>\d{{1,2}})[./](?P<yd>\d{{1,2}})(?![\d]))
    |(?P<kk>(?<![\d.])(?P<ky>\d{{4}})\s*(?:жылғы|жылы|ж\.|г\.|года)?\s*(?P<kd>\d{{1,2}})(?:-?[ші])?[-\s]\s*(?P<km>{_MONTH}))
    |(?P<num>(?<![\d.,/])(?P<nd>\d{{1,2}})(?P<ns>[./])(?P<nm>\d{{1,2}})(?P=ns)(?P<ny>\d{{4}}|\d{{2}})(?!\d|[.,/]\d))
    |(?P<dmy>(?<![\d.,/])(?P<dd>\d{{1,2}})(?:st|nd|rd|th|er|-?го|-?ші|-?сі|-?і|-?ы)?\.?
        (?:\s*[-–]\s*\d{{1,2}}\.?)?[\s-]+(?:(?:of|de)\s+)?(?P<dm>{_MONTH})\.?
        (?:,?\s+(?:de\s+)?(?P<dy>\d{{4}})(?!\d){_YEAR_WORD})?)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_MDY_RE = re.compile(
    rf"""(?P<mdy>(?P<mm>{_LATIN_MONTH})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:\s*[-–]\s*\d{{1,2}}(?!\d))?
        (?:,?\s+(?P<my>\d{{4}})(?!\d))?)""",
    re.IGNORECASE | re.VERBOSE,
)
# Every date has a digit: matching only where a run of digits starts (or at a month name
# just before one) costs a few attempts per line instead of one per character.
_DIGITS = re.compile(r"\d+")
_MONTH_BEFORE = re.compile(rf"(?<![^\W\d_])(?:{_LATIN_MONTH})\.?\s+$", re.IGNORECASE)
_MONTH_WINDOW = 16
_TIME_AFTER = re.compile(
    r"\s*(?:[,|–—-]|\bat\b|\bв\b|\bum\b|\bà\b|\balle\b)?\s*(?P<h>\d{1,2})[:](?P<mi>\d{2})(?::\d{2})?"
    r"(?:\s*(?P<ap>[ap])\.?m\.?(?![^\W\d_]))?(?!\d)",
    re.IGNORECASE,
)
_TIME_BEFORE = re.compile(r"(?<![\d:])(?P<h>\d{1,2}):(?P<mi>\d{2})\s*[,|–—-]?\s*$")
_HAS_DIGIT = re.compile(r"\d")


def _month_number(word: str) -> int | None:
    """Return the month of a matched month word, or None when it is not one."""
    word = word.lower().rstrip(".")
    if word in _LATIN_MONTHS:
        return _LATIN_MONTHS[word]
    first = _AR_MARKS.sub("", word).split("/")[0].strip()
    for number, pair in enumerate(_AR_MONTHS, 1):
        if any(first in names.split("|") for names in pair):
            return number
    base = word.translate(_KK_LOOKALIKE)
    for number, name in enumerate(_KK_MONTHS, 1):
        if base.startswith(name.translate(_KK_LOOKALIKE)):
            return number
    for pattern, number in _RU_MONTHS:
        if re.fullmatch(pattern, word):
            return number
    return None


def _year(text: str | None, default_year: int | None) -> tuple[int | None, bool]:
    if text is None:
        return default_year, False
    year = int(text)
    if len(text) == 2:
        # Two-digit years only occur in day-first numeric dates; 90-99 are the 1990s.
        year += 1900 if year >= 90 else 2000
    return year, True


def _make_date(year: int | None, month: int | None, day: int) -> dt.date | None:
    if year is None or month is None or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _make_time(hour: str | None, minute: str | None, ampm: str | None = None) -> dt.time | None:
    if hour is None or minute is None:
        return None
    h, m = int(hour), int(minute)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    if h > 23 or m > 59:
        return None
    return dt.time(h, m)


def _core(match: re.Match[str], default_year: int | None) -> tuple[dt.date | None, bool, dt.time | None]:
    """Return (date, has_year, time from an ISO datetime) for one core match."""
    kind = match.lastgroup
    g = match.group
    if kind == "iso":
        date = _make_date(int(g("iy")), int(g("im")), int(g("id")))
        return date, True, _make_time(g("ih"), g("imin"))
    if kind == "cjk":
        return _make_date(int(g("cy")), int(g("cm")), int(g("cd"))), True, None
    if kind == "ymd":
        return _make_date(int(g("yy")), int(g("ym")), int(g("yd"))), True, None
    if kind == "kk":
        return _make_date(int(g("ky")), _month_number(g("km")), int(g("kd"))), True, None
    if kind == "num":
        year, has_year = _year(g("ny"), default_year)
        return _make_date(year, int(g("nm")), int(g("nd"))), has_year, None
    if kind == "dmy":
        word = g("dm")
        if word.lower().rstrip(".") in _AMBIGUOUS and g("dy") is None:
            return None, False, None
        year, has_year = _year(g("dy"), default_year)
        return _make_date(year, _month_number(word), int(g("dd"))), has_year, None
    if kind == "mdy":
        word = g("mm")
        if word.lower().rstrip(".") in _AMBIGUOUS:
            return None, False, None
        year, has_year = _year(g("my"), default_year)
        return _make_date(year, _month_number(word), int(g("md"))), has_year, None
    return None, False, None


def find_dates(text: str, default_year: int | None = None) -> list[DateMatch]:
    """Return every date in text, left to right; a date without a year takes default_year."""
    if not text or not _HAS_DIGIT.search(text):
        return []
    # One character for one: the spans found in the normalized text are those of the original.
    original, text = text, text.translate(_DIGIT_MAP)
    found: list[DateMatch] = []
    pos = 0
    for run in _DIGITS.finditer(text):
        at = run.start()
        if at < pos:
            continue
        match = _match_at(text, pos, at)
        if match is None:
            continue
        date, has_year, time = _core(match, default_year)
        if date is None:
            continue
        start, end = match.span()
        pos = end
        if time is None:
            start, end, time = _timed_span(text, start, end)
        found.append(DateMatch(date, start, end, time, has_year, original[start:end]))
    return found


def _match_at(text: str, pos: int, at: int) -> re.Match[str] | None:
    """Return the date match at a digit run, opening at a month name just before it if there is one."""
    match = None
    month = _MONTH_BEFORE.search(text, max(pos, at - _MONTH_WINDOW), at)
    if month:
        match = _MDY_RE.match(text, month.start())
    if match is None:
        match = _DATE_RE.match(text, at)
    return match


def _timed_span(text: str, start: int, end: int) -> tuple[int, int, dt.time | None]:
    """Return a date's span widened to the time written after it (else before it), and that time."""
    after = _TIME_AFTER.match(text, end)
    if after:
        time = _make_time(after.group("h"), after.group("mi"), after.group("ap"))
        if time is not None:
            return start, after.end(), time
    before = _TIME_BEFORE.search(text, max(0, start - 12), start)
    if before:
        time = _make_time(before.group("h"), before.group("mi"))
        if time is not None:
            return before.start(), end, time
    return start, end, None


def parse_date(text: str, default_year: int | None = None) -> dt.date | None:
    """Return the first date in text, or None."""
    found = find_dates(text, default_year)
    return found[0].date if found else None
