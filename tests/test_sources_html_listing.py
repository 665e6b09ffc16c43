"""Listing pages from sites other than the seeds, read through the CLI: each story's fields come from its own block."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator import frontmatter
from generator.sources.html import read_html
from tests.conftest import run_digest

INPUTS = Path(__file__).parent / "fixtures" / "inputs"


def ingest(tmp_path: Path, name: str) -> list[tuple[dict, str]]:
    """Ingest one fixture page with the CLI; return (front matter, body) of each article, newest first."""
    (tmp_path / "raw").mkdir()
    shutil.copy(INPUTS / name, tmp_path / "raw" / name)
    code, output = run_digest(["ingest"], tmp_path)
    assert code == 0, output
    found = []
    for path in (tmp_path / "content").rglob("*.md"):
        meta, body, _, _ = frontmatter.split(path.read_text(encoding="utf-8"), str(path))
        found.append((meta, body.strip()))
    return sorted(found, key=lambda article: (str(article[0]["date"]), article[0]["title"]), reverse=True)


def fields(articles: list[tuple[dict, str]]) -> list[tuple[str, str, str, str]]:
    return [(m["title"], str(m["date"]), m["source_url"], body) for m, body in articles]


def test_blog_index_dates_in_meta_lines_and_time_outside_the_headline(tmp_path: Path) -> None:
    # Each post is a run of siblings (date, headline, "Posted on … by …", teaser, "Continue
    # reading"): no element wraps one post, and the date sits outside the headline.
    assert fields(ingest(tmp_path, "listing_blog_en.html")) == [
        (
            "Night train to Tashkent gets sleeper cars",
            "2024-03-05",
            "https://fieldnotes.example/blog/2024/03/05/night-train-to-tashkent/",
            "The overnight service from Almaty now runs with refurbished sleeper cars and a dining car.",
        ),
        (
            "Dostyk border crossing handles more containers",
            "2024-03-03",
            "https://fieldnotes.example/blog/2024/03/03/dostyk-border-crossing/",
            "Freight volumes through Dostyk grew by a fifth in February, the railway said.",
        ),
        (
            "Aktobe station reopens after renovation",
            "2024-02-28",
            "https://fieldnotes.example/blog/2024/02/28/aktobe-station-reopens/",
            "The station hall was restored with its original 1950s mosaics and new ticket offices.",
        ),
    ]


def test_german_index_date_lines_above_titles_and_weiterlesen_links(tmp_path: Path) -> None:
    # The date line above a headline is its story's, not the previous one's; "Weiterlesen" and
    # the page's contact box after the last story are no story's text.
    articles = ingest(tmp_path, "listing_news_de.html")
    assert [meta["language"] for meta, _ in articles] == ["de", "de", "de"]
    assert fields(articles) == [
        (
            "Neuer Radweg am Seeufer freigegeben",
            "2024-03-12",
            "https://seeblick.example/aktuelles/neuer-radweg",
            "Der drei Kilometer lange Radweg verbindet den Ortskern mit dem Strandbad.",
        ),
        (
            "Gemeinderat beschließt den Haushalt 2024",
            "2024-03-05",
            "https://seeblick.example/aktuelles/gemeinderat-haushalt",
            "Mit großer Mehrheit stimmte der Gemeinderat für den Haushaltsplan und neue Investitionen in die Schule.",
        ),
        (
            "Frühjahrsputz am Samstag",
            "2024-02-28",
            "https://seeblick.example/aktuelles/fruehjahrsputz",
            "Alle Bürgerinnen und Bürger sind eingeladen, beim Frühjahrsputz im Ortsgebiet mitzuhelfen.",
        ),
    ]


CARD_DATES = {
    "span": '<span class="date">3 March 2024</span>',
    "abbr_title": '<abbr class="published" title="2024-03-03T10:00:00+01:00">Sunday</abbr>',
    "data_attribute": '<div class="stamp" data-published-date="2024-03-03"></div>',
    "itemprop_content": '<span itemprop="datePublished" content="2024-03-03">Sunday</span>',
    "days_ago": '<span class="ago">3 days ago</span>',
    "vor_tagen": '<span class="ago">vor 3 Tagen</span>',
}


@pytest.mark.parametrize("shape", sorted(CARD_DATES))
def test_listing_dates_in_spans_attributes_and_relative_lines(shape: str) -> None:
    cards = "".join(
        f'<div class="card"><h3><a href="/news/{n}">Story {n} about the Almaty metro extension</a></h3>'
        f"{CARD_DATES[shape]}<p>Teaser of story {n} with enough words to be a real paragraph.</p></div>"
        for n in (1, 2, 3)
    )
    # The page's own date is what "3 days ago" counts back from.
    head = '<meta name="date" content="2024-03-06"><link rel="canonical" href="https://metro.example/news/">'
    result = read_html(f"<html><head>{head}</head><body>{cards}</body></html>", "cards.html", "cards.html")
    assert [item.date for item in result.items] == [dt.date(2024, 3, 3)] * 3
    assert [item.source_url for item in result.items] == [f"https://metro.example/news/{n}" for n in (1, 2, 3)]
    assert result.items[1].body == ("Teaser of story 2 with enough words to be a real paragraph.",)


def test_wrapped_teasers_take_the_date_line_above_them_not_the_neighbours() -> None:
    # Each teaser box is preceded by its own date line; a date line inside the box and the
    # "Weiterlesen" link are fields, not body text.
    items = "".join(
        f'<p class="datum">{day}.03.2024</p><div class="teaser"><p>{day}. März 2024 | Pressestelle</p>'
        f'<h3><a href="/meldung/{day}">Meldung vom {day}. März über den Busverkehr</a></h3>'
        f"<p>Text der Meldung vom {day}. März mit genug Wörtern für einen Absatz.</p>"
        f'<a href="/meldung/{day}">Weiterlesen</a></div>'
        for day in (12, 11, 10)
    )
    page = (
        '<html lang="de"><head><link rel="canonical" href="https://stadt.example/"></head><body>'
        f'<h1>Meldungen</h1><div class="liste">{items}</div><div class="kontakt"><p>Rathaus, Tel. 0123</p></div>'
        "</body></html>"
    )
    result = read_html(page, "liste.html", "liste.html")
    assert [(item.date, item.source_url) for item in result.items] == [
        (dt.date(2024, 3, day), f"https://stadt.example/meldung/{day}") for day in (12, 11, 10)
    ]
    assert [item.body for item in result.items] == [
        (f"Text der Meldung vom {day}. März mit genug Wörtern für einen Absatz.",) for day in (12, 11, 10)
    ]
