"""Tests for the day-first multilingual date finder (generator/sources/dates.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.models import Severity
from generator.sources.dates import DateMatch, find_dates, implausible_problem, parse_date, plausible_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numeric dates are day-first
        ("04.02.2026", D(2026, 2, 4)),
        ("04/02/2026", D(2026, 2, 4)),
        ("4.2.2026", D(2026, 2, 4)),
        ("12.01.26", D(2026, 1, 12)),
        ("2026.02.04", D(2026, 2, 4)),
        # ISO dates and datetimes
        ("2025-12-19", D(2025, 12, 19)),
        ("2025-12-19T10:20:00+05:00", D(2025, 12, 19)),
        ("2025-12-19T10:20:00Z", D(2025, 12, 19)),
        # English
        ("12 December 2025", D(2025, 12, 12)),
        ("December 12, 2025", D(2025, 12, 12)),
        ("Dec. 3, 2025", D(2025, 12, 3)),
        ("3 Dec 2025", D(2025, 12, 3)),
        ("the 12th of January 2026", D(2026, 1, 12)),
        ("Wednesday, 4 February 2026", D(2026, 2, 4)),
        # Russian, several cases and the year word
        ("4 февраля 2026", D(2026, 2, 4)),
        ("4 февраля 2026 г.", D(2026, 2, 4)),
        ("4 февраля 2026 года", D(2026, 2, 4)),
        ("1 мая 2025", D(2025, 5, 1)),
        ("30 марта 2025", D(2025, 3, 30)),
        ("12 ДЕКАБРЯ 2025", D(2025, 12, 12)),
        ("3 янв. 2026", D(2026, 1, 3)),
        # Kazakh, year first and day first, inflected month names, Russian look-alike letters
        ("2026 жылғы 4 ақпан", D(2026, 2, 4)),
        ("2026 ж. 4 ақпан", D(2026, 2, 4)),
        ("4 ақпан 2026", D(2026, 2, 4)),
        ("4 ақпан 2026 ж.", D(2026, 2, 4)),
        ("2025 жылғы 15 желтоқсанда", D(2025, 12, 15)),
        ("16 желтоқсан 2025 жыл", D(2025, 12, 16)),
        ("1 қыркүйек 2025", D(2025, 9, 1)),
        ("1 кыркуйек 2025", D(2025, 9, 1)),
        ("10 қаңтар 2026", D(2026, 1, 10)),
        ("22 наурыз 2026", D(2026, 3, 22)),
        ("7 мамыр 2026", D(2026, 5, 7)),
        ("7 маусым 2026", D(2026, 6, 7)),
        ("6 шілде 2026", D(2026, 7, 6)),
        ("30 тамыз 2026", D(2026, 8, 30)),
        ("25 қазан 2026", D(2026, 10, 25)),
        ("12 сәуір 2026", D(2026, 4, 12)),
        ("15 қараша 2026", D(2026, 11, 15)),
        # German
        ("4. Februar 2026", D(2026, 2, 4)),
        ("12. Dezember 2025", D(2025, 12, 12)),
        ("1. März 2026", D(2026, 3, 1)),
        ("3. Mai 2026", D(2026, 5, 3)),
        # French and Spanish come along cheaply
        ("4 février 2026", D(2026, 2, 4)),
        ("4 de febrero de 2026", D(2026, 2, 4)),
    ],
)
def test_parse_date_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31.02.2026",  # no such day
        "30.13.2026",  # no such month
        "01.01.1989",  # implausibly old
        "01.01.2101",  # implausibly far
        "version 1.2.3",
        "KGS/USD = 0.01144 0%",
        "Price 12.50 dollars",
        "Call 8714 43 22079",
        "no digits at all",
        "",
    ],
)
def test_rejects_impossible_or_non_dates(text: str) -> None:
    assert find_dates(text, default_year=2026) == []
    assert parse_date(text) is None


def test_numeric_dates_are_day_first() -> None:
    assert parse_date("05/04/2026") == D(2026, 4, 5)
    assert parse_date("13/04/2026") == D(2026, 4, 13)


def test_date_without_year_needs_default_year() -> None:
    assert find_dates("29 июня") == []
    assert parse_date("January 12th") is None
    (match,) = find_dates("29 июня", default_year=2025)
    assert match.date == D(2025, 6, 29)
    assert match.has_year is False
    assert parse_date("January 12th", default_year=2024) == D(2024, 1, 12)
    assert parse_date("Dec 12", default_year=2025) == D(2025, 12, 12)


def test_full_date_has_year() -> None:
    (match,) = find_dates("On 4 February 2026 the forum opened")
    assert match.has_year is True
    assert match.text == "4 February 2026"


def test_time_after_date_is_kept_in_span() -> None:
    (match,) = find_dates("Published 4.2.2026, 19:20 by staff")
    assert match.date == D(2026, 2, 4)
    assert match.time == dt.time(19, 20)
    assert match.text == "4.2.2026, 19:20"


def test_time_before_date_and_twelve_hour_clock() -> None:
    (match,) = find_dates("12:30, 4 марта 2026")
    assert (match.date, match.time, match.start) == (D(2026, 3, 4), dt.time(12, 30), 0)
    (pm,) = find_dates("Wed, 4 Feb 2026 10:00 pm")
    assert pm.time == dt.time(22, 0)


def test_iso_datetime_time() -> None:
    (match,) = find_dates("2025-12-19T08:05:00+05:00")
    assert match.time == dt.time(8, 5)


def test_invalid_time_is_not_part_of_the_match() -> None:
    (match,) = find_dates("04.02.2026 25:70")
    assert match.time is None
    assert match.text == "04.02.2026"


def test_every_date_left_to_right_with_spans() -> None:
    text = " date 2025-12-19 18.12.2025, 19:20 28841"
    found = find_dates(text)
    assert [m.date for m in found] == [D(2025, 12, 19), D(2025, 12, 18)]
    assert all(isinstance(m, DateMatch) for m in found)
    for m in found:
        assert text[m.start : m.end] == m.text
    assert found[1].time == dt.time(19, 20)


def test_date_range_takes_the_first_day() -> None:
    assert parse_date("Strasbourg, January 29-30, 2026 – the Bureau") == D(2026, 1, 29)


def test_ambiguous_short_words_are_not_months_without_a_year() -> None:
    # "ago", "set", "mag" are words in English or Italian before they are months.
    assert find_dates("it happened 12 ago", default_year=2026) == []
    assert parse_date("12 agosto 2025") == D(2025, 8, 12)


def test_long_text_is_fast_enough_to_scan() -> None:
    text = ("The meeting was held in the city and discussed many issues. " * 200) + "04.02.2026"
    assert [m.date for m in find_dates(text)] == [D(2026, 2, 4)]


TODAY = D(2026, 2, 4)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (D(1, 1, 1), False),  # a CMS placeholder
        (D(1970, 1, 1), False),  # a zero Unix timestamp
        (D(1989, 12, 31), False),
        (D(1990, 1, 1), True),
        (TODAY, True),
        (D(2026, 2, 6), True),  # a zone or two ahead of the clock
        (D(2026, 2, 7), False),
        (D(2999, 1, 1), False),
        (dt.date.max, False),
    ],
)
def test_plausible_publication_dates(date: dt.date, expected: bool) -> None:
    assert plausible_date(date, TODAY) is expected


def test_plausible_date_defaults_to_today_and_never_overflows() -> None:
    assert plausible_date(dt.date.today())
    assert not plausible_date(dt.date.today() + dt.timedelta(days=3))
    assert plausible_date(D(2026, 1, 1), today=dt.date.max)
    assert not plausible_date(dt.date.min, today=dt.date.max)


def test_implausible_problem_names_the_title_and_the_reason() -> None:
    problem = implausible_problem("raw/x.html", 7, "Placeholder story", [D(1, 1, 1), dt.date.max])
    assert problem.severity is Severity.WARNING
    assert str(problem).startswith(
        'raw/x.html:7: no plausible date for "Placeholder story" (its date 0001-01-01 is before 1990; '
        "its date 9999-12-31 is in the future"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Japanese and Chinese, Korean
        ("2019年1月23日", D(2019, 1, 23)),
        ("公開日: 2019年01月23日 10:05", D(2019, 1, 23)),
        ("2019 年 1 月 23 日", D(2019, 1, 23)),
        ("2019년 1월 23일", D(2019, 1, 23)),
        # Arabic-Indic, Persian and full-width digits
        ("٢٣/٠١/٢٠١٩", D(2019, 1, 23)),
        ("۲۳.۰۱.۲۰۱۹", D(2019, 1, 23)),
        ("２０１９-０１-２３", D(2019, 1, 23)),
        # Arabic month names, both series, alone or together, with harakat
        ("٢٣ يناير ٢٠١٩", D(2019, 1, 23)),
        ("24 نيسان / أبريل 2020", D(2020, 4, 24)),
        ("23 كانون الثّاني 2019", D(2019, 1, 23)),
        ("5 تشرين الأول 2020", D(2020, 10, 5)),
        # Portuguese, Dutch, Indonesian, Turkish
        ("12 de março de 2020", D(2020, 3, 12)),
        ("3 maart 2020", D(2020, 3, 3)),
        ("17 Agustus 2020", D(2020, 8, 17)),
        ("29 Ekim 2020", D(2020, 10, 29)),
    ],
)
def test_non_latin_and_more_languages(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_non_ascii_digits_keep_the_original_text_and_span() -> None:
    text = "نشر في ٢٣/٠١/٢٠١٩"
    (match,) = find_dates(text)
    assert (match.date, match.text) == (D(2019, 1, 23), "٢٣/٠١/٢٠١٩")
    assert text[match.start : match.end] == match.text


def test_words_that_are_months_only_with_a_year() -> None:
    # Portuguese "out" and Dutch "mei" are common words elsewhere.
    assert find_dates("3 out of 5 voters") == []
    assert parse_date("3 out 2020") == D(2020, 10, 3)
