"""JSON Lines: one article object per line; bad lines are reported and skipped."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.models import Severity
from generator.sources import read_source
from generator.sources.jsonl import read_jsonl

INPUTS = Path(__file__).parent / "fixtures" / "inputs"


def read(lines: list[object]) -> tuple:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines)
    result = read_jsonl(text + "\n", "x.jsonl", "raw/x.jsonl")
    return result.items, [str(p) for p in result.problems]


def test_fixture_file() -> None:
    result = read_source(INPUTS / "articles.jsonl", "articles.jsonl")
    assert result.format == "jsonl"
    assert result.raw_count == 3
    wage, bridge, ballet = result.items
    assert wage.origin == "articles.jsonl:1"
    assert wage.title == "Kazakhstan raises minimum wage to 93,000 tenge"
    assert wage.date == dt.date(2026, 2, 4)
    assert wage.source == "Labour Weekly"
    assert wage.source_url == "https://scraper.example/kz/min-wage"
    assert wage.sections == ("Economy",)
    assert wage.tags == ("wages", "labour")
    assert wage.body == (
        "The government raised the minimum monthly wage from 85,000 to 93,000 tenge from 1 February.",
        "About 1.2 million workers are affected, the labour ministry said.",
    )
    assert bridge.origin == "articles.jsonl:2"
    assert bridge.date == dt.date(2026, 2, 5)  # day-first numeric date
    assert bridge.body == (
        "Бишкектің оңтүстігінде Ала-Арча өзені арқылы жаңа көпір ашылды.",
        "Көпірдің ұзындығы 120 метр.",
    )
    assert bridge.source == "scraper.example"
    assert bridge.sections == ("Қоғам",)
    assert ballet.date == dt.date(2026, 2, 6)
    assert ballet.date_source == "published"
    assert ballet.published == dt.datetime(2026, 2, 6, 19, 30, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert ballet.body == ("The ballet Tomiris premiered on Friday.", "Tickets sold out in two days.")
    assert ballet.summary == "Tomiris premiered."
    assert ballet.source_url is None
    assert [(p.line, p.severity) for p in result.problems] == [(3, Severity.WARNING)]


def test_bad_lines_are_reported_and_the_rest_read() -> None:
    items, problems = read(
        [
            {"title": "Good one", "body": "Text."},
            '{"title": "broken",',
            "42",
            {"title": ["a"], "body": "x"},
            {"url": "https://x.example/"},
            {"title": "Bad tags", "tags": [1, 2]},
            {"title": "Second good one", "date": "2026-02-04", "tags": "a, b,,c"},
        ]
    )
    assert [item.title for item in items] == ["Good one", "Second good one"]
    assert [item.origin for item in items] == ["x.jsonl:1", "x.jsonl:7"]
    assert items[1].tags == ("a", "b", "c")
    assert problems == [
        "raw/x.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes at column 20 "
        "(fix or remove the line; the other lines were read)",
        'raw/x.jsonl:3: line is a number, not a JSON object (write one {"title": ..., "body": ...} per line)',
        'raw/x.jsonl:4: "title" must be a string, not a list of strings (write "title" as a JSON string)',
        'raw/x.jsonl:5: object has neither a title nor a body (add "title" and "body")',
        'raw/x.jsonl:6: "tags" must be a string or a list of strings, not a list of numbers (write "tags" as ["a", "b"])',
    ]


def test_blank_lines_keep_line_numbers() -> None:
    items, problems = read(["", {"title": "After a blank line", "date": "4 февраля 2026"}, "   "])
    assert items[0].origin == "x.jsonl:2"
    assert items[0].date == dt.date(2026, 2, 4)
    assert problems == []


def test_unreadable_date_is_a_warning_and_the_item_is_kept() -> None:
    items, problems = read([{"title": "Someday", "date": "soon", "body": "x"}])
    assert items[0].date is None
    assert problems == ['raw/x.jsonl:1: unrecognized date "soon" (use YYYY-MM-DD or DD.MM.YYYY)']


def test_date_wins_over_published_for_the_day() -> None:
    items, _ = read([{"title": "T", "date": "2026-02-05", "published": "2026-02-04T21:00:00+00:00", "body": "x"}])
    assert items[0].date == dt.date(2026, 2, 5)
    assert items[0].published == dt.datetime(2026, 2, 4, 21, 0, tzinfo=dt.UTC)


def test_html_in_fields_is_stripped_never_kept() -> None:
    items, _ = read(
        [
            {
                "title": "<b>Bold</b> title<script>x()</script>",
                "body": '<p onclick="x()">One</p><iframe src="https://evil.example">frame</iframe><p>Two &amp; three</p>',
            }
        ]
    )
    assert items[0].title == "Bold title"
    assert items[0].body == ("One", "Two & three")


def test_huge_line_is_fine() -> None:
    body = "word " * 200_000
    items, problems = read([{"title": "Long", "body": body}])
    assert problems == []
    assert len(items[0].body[0]) > 900_000


def test_unknown_keys_are_ignored() -> None:
    items, problems = read([{"title": "T", "body": "b", "author": "someone", "path": "../../etc/passwd"}])
    assert items[0].title == "T"
    assert problems == []


def test_lone_surrogate_escapes_never_reach_items() -> None:
    items, problems = read(['{"title": "Bad \\ud800 escape", "body": "x\\udfff", "url": "https://x.example/\\ud800"}'])
    assert items[0].title == "Bad \ufffd escape"
    assert items[0].body == ("x\ufffd",)
    assert items[0].source_url is None
    assert problems == [
        'raw/x.jsonl:1: url "https://x.example/\ufffd" is not an http(s) URL and was dropped (only http and https links are kept)'
    ]
