"""Hostile dates (0001-01-01, 2999-01-01, date.min/max): skipped by every reader, harmless to merging."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.config import Config
from generator.curate import curate
from generator.models import Article, Severity
from generator.sources.feed import read_feed
from generator.sources.html import read_html
from generator.sources.jsonl import read_jsonl
from generator.sources.text import read_text_dump

from .conftest import run_digest, write_files

BODY = (
    "<p>The regional akimat opened a new school for six hundred pupils in the north of the city on Monday, "
    "with a sports hall, a library and a robotics classroom paid for from the local budget.</p>"
    "<p>Construction took fourteen months; the school will also host evening classes for adults.</p>"
)


def _page(json_ld_date: str, byline: str = "") -> str:
    """Return an article page whose JSON-LD gives json_ld_date, with an optional byline under the title."""
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": json_ld_date})
    return (
        f'<html lang="en"><head><title>New school opens</title><script type="application/ld+json">{ld}</script>'
        f"</head><body><article><h1>New school opens in the north of the city</h1>{byline}{BODY}</article>"
        "</body></html>"
    )


def test_json_ld_placeholder_date_yields_to_the_visible_byline_date() -> None:
    page = _page("0001-01-01", '<p class="byline">By Aigerim Sadykova, 4 February 2026</p>')
    result = read_html(page, "school.html", "raw/school.html")
    (item,) = result.items
    assert item.date == dt.date(2026, 2, 4)
    assert item.date_source == "visible"
    assert result.problems == ()


def test_page_whose_only_date_is_a_placeholder_says_so() -> None:
    result = read_html(_page("0001-01-01T00:00:00Z"), "school.html", "raw/school.html")
    (item,) = result.items
    assert item.date is None
    (problem,) = result.problems
    assert problem.severity is Severity.WARNING
    assert 'no plausible date for "New school opens' in problem.message
    assert "0001-01-01 is before 1990" in problem.message


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>City news</title><link>https://city.example.kz/</link>
<item><title>Far-future item</title><link>https://city.example.kz/news/1</link>
<pubDate>Tue, 01 Jan 2999 10:00:00 +0500</pubDate><description>Tram line extended to the airport.</description></item>
<item><title>Future item with an updated date</title><link>https://city.example.kz/news/2</link>
<pubDate>2999-01-01T10:00:00+05:00</pubDate><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2026-02-03</dc:date>
<description>Bus fares stay the same in 2026.</description></item>
<item><title>Ordinary item</title><link>https://city.example.kz/news/3</link>
<pubDate>Wed, 04 Feb 2026 09:00:00 +0500</pubDate><description>A new park opens.</description></item>
</channel></rss>
"""


def test_feed_item_dated_2999_is_not_given_that_date() -> None:
    result = read_feed(RSS, "city.xml", "raw/city.xml")
    far, fallback, ordinary = result.items
    assert far.date is None and far.published is None
    assert fallback.date == dt.date(2026, 2, 3)  # the next date field of the entry
    assert ordinary.date == dt.date(2026, 2, 4)
    (problem,) = result.problems
    assert problem.line == 3
    assert 'no plausible date for "Far-future item"' in problem.message
    assert "2999-01-01 is in the future" in problem.message


def test_jsonl_implausible_dates_are_skipped() -> None:
    lines = [
        {"title": "Placeholder", "date": "0001-01-01", "body": "Text."},
        {"title": "Falls back", "date": "2999-01-01", "published": "2026-02-04T10:00:00+05:00", "body": "Text."},
        {"title": "Both bad", "published": "0001-01-01T00:00:00Z", "body": "Text."},
    ]
    result = read_jsonl("\n".join(json.dumps(line) for line in lines) + "\n", "x.jsonl", "raw/x.jsonl")
    placeholder, falls_back, both_bad = result.items
    assert placeholder.date is None
    assert falls_back.date == dt.date(2026, 2, 4) and falls_back.date_source == "published"
    assert both_bad.date is None and both_bad.published is None
    assert [(p.line, p.severity) for p in result.problems] == [(1, Severity.WARNING), (3, Severity.WARNING)]
    assert all("no plausible date" in p.message for p in result.problems)


def test_text_dump_far_future_date_line_falls_back_to_the_page_date() -> None:
    text = (
        "Example News\n04 February 2026\n\n"
        "Akimat opens a new school 01.01.2099\n"
        "The regional akimat opened a new school for six hundred pupils in the north of the city.\n"
        "Ring road repairs finish early 03.02.2026\n"
        "Road works on the ring road will end in May, the city said on Tuesday.\n"
    )
    result = read_text_dump(text, "page.txt", "raw/page.txt")
    school, roads = result.items
    assert (school.date, school.date_source) == (dt.date(2026, 2, 4), "page_header")
    assert roads.date == dt.date(2026, 2, 3)
    assert result.problems == ()

    # Without a page date, the story is left undated, and the reader says why.
    result = read_text_dump(text.split("\n", 3)[3], "page.txt", "raw/page.txt")
    school, roads = result.items
    assert school.date is None and roads.date == dt.date(2026, 2, 3)
    (problem,) = result.problems
    assert (problem.line, problem.severity) == (1, Severity.WARNING)
    assert 'no plausible date for "Akimat opens a new school" (its date 2099-01-01 is in the future' in problem.message


def _article(id: str, date: dt.date, *, source: str, url: str, body: str) -> Article:
    return Article(id=id, title=f"Story {id}", date=date, theme="", body=body, source=source, source_url=url)


def test_merge_survives_the_extreme_dates(site_config: Config) -> None:
    body = " ".join(f"word{n} common text about the regional budget and schools" for n in range(8))
    low = _article("low", dt.date.min, source="a", url="https://a.example/1", body=body)
    high = _article("high", dt.date.max, source="b", url="https://b.example/1", body=body)
    high_copy = _article("high-copy", dt.date.max, source="c", url="https://c.example/1", body=body + " More.")
    stored = [
        _article("old", dt.date.min, source="d", url="https://d.example/1", body="Unrelated " * 30),
        _article("new", dt.date.max, source="e", url="https://e.example/1", body="Different " * 30),
    ]
    result = curate([low, high, high_copy], stored, site_config)
    assert sorted(a.id for a in result.new) == ["high-copy", "low"]
    assert result.duplicates == 1  # the two far-future copies are one story; date.min is far from both


def test_one_hostile_input_does_not_sink_the_run(tmp_path: Path) -> None:
    good = [
        {
            "title": f"Good wire story {n}",
            "date": "2026-02-04",
            "url": f"https://wire.example/{n}",
            "body": f"Text {n}.",
        }
        for n in range(3)
    ]
    write_files(
        tmp_path / "raw",
        {
            "wire.jsonl": "\n".join(json.dumps(line) for line in good) + "\n",
            "city.xml": RSS,
            "school.html": _page("0001-01-01"),  # its only date: a placeholder
            "dated.html": _page("0001-01-01", "<p>4 February 2026</p>").replace("New school", "Old school"),
            "hostile.jsonl": json.dumps({"title": "Min", "date": "0001-01-01", "body": "x"})
            + "\n"
            + json.dumps({"title": "Max", "date": "9999-12-31", "body": "y"})
            + "\n",
        },
    )
    code, output = run_digest(["ingest"], tmp_path)
    assert code in (0, 1), output  # rejected items are reported; nothing crashes
    files = sorted(p.name for p in (tmp_path / "content").rglob("*.md"))
    # 3 wire stories, 2 dated feed items, the page with a visible date.
    assert len(files) == 6, (files, output)
    assert "Traceback" not in output and "OverflowError" not in output
    assert 'no plausible date for "New school opens' in output
    assert "raw/hostile.jsonl:2" in output and "9999-12-31 is in the future" in output
