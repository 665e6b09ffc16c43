"""Choosing the publication date of a single-article HTML page (generator/sources/html_dates.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from generator.models import RawItem
from generator.sources import html_dates
from generator.sources.html import read_html
from generator.sources.html_dates import choose_date
from generator.sources.html_page import DateCandidate

D = dt.date
BODY = (
    "<p>The regional akimat opened a new school for six hundred pupils in the north of the city on Monday, "
    "with a sports hall, a library and a robotics classroom paid for from the local budget.</p>"
    "<p>Construction took fourteen months; the school will also host evening classes for adults, and the "
    "akimat says two more schools of the same design are planned for the southern districts.</p>"
)


def page(*, head: str = "", header: str = "", after: str = "", canonical: str = "", lang: str = "en") -> str:
    """Return an article page: `head` markup, `header` under the h1, `after` the article (a sidebar)."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<html lang="{lang}"><head><title>New school opens</title>{link}{head}</head><body>'
        f"<article><h1>New school opens in the north of the city</h1>{header}{BODY}</article>{after}</body></html>"
    )


def json_ld(**fields: str) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "New school opens", **fields}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def read(text: str) -> RawItem:
    result = read_html(text, "school.html", "raw/school.html")
    (item,) = result.items
    return item


@pytest.fixture(autouse=True)
def no_htmldate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep htmldate's guess out of these pages: each test is about the page's own statements."""
    monkeypatch.setattr(html_dates, "_htmldate_date", lambda text, url: None)


def test_bogus_json_ld_dates_yield_to_the_byline_and_its_time_element() -> None:
    # A template's JSON-LD carries the site's launch date for every article.
    head = json_ld(datePublished="2011-01-01T00:00:00+00:00", dateModified="2011-01-01T00:00:00+00:00")
    header = '<p class="byline">By Aigerim Sadykova, <time datetime="2026-02-04T09:40">4 February 2026</time></p>'
    item = read(page(head=head, header=header))
    assert item.date == D(2026, 2, 4)
    assert item.date_source in ("time_element", "visible")


def test_sidebar_with_a_newer_date_does_not_date_the_article() -> None:
    sidebar = (
        '<aside class="most-read"><h3>Most read</h3><ul><li><a href="/a">Tram line extended</a>'
        '<time datetime="2026-03-01">1 March 2026</time></li></ul></aside>'
        '<div class="related-news"><a href="/b">Bus fares</a> <span class="date">02.03.2026</span></div>'
    )
    header = '<div class="meta"><time datetime="2026-02-04">4 February 2026</time></div>'
    item = read(page(header=header, after=sidebar))
    assert (item.date, item.date_source) == (D(2026, 2, 4), "time_element")


def test_sidebar_before_the_article_is_passed_over() -> None:
    text = page(header="<p>Published 04.02.2026</p>").replace(
        "<body>", '<body><div class="sidebar"><time datetime="2026-03-01">1 March</time> Tram line</div>'
    )
    item = read(text)
    assert (item.date, item.date_source) == (D(2026, 2, 4), "visible")


def test_date_published_wins_over_date_modified() -> None:
    head = json_ld(datePublished="2026-02-04T09:40:00+05:00", dateModified="2026-02-20T11:00:00+05:00") + (
        '<meta property="article:modified_time" content="2026-02-20T11:00:00+05:00">'
    )
    header = '<p class="updated">Updated 20 February 2026</p>'
    item = read(page(head=head, header=header))
    assert (item.date, item.date_source) == (D(2026, 2, 4), "json_ld")
    assert item.published == dt.datetime(2026, 2, 4, 9, 40, tzinfo=dt.timezone(dt.timedelta(hours=5)))


def test_only_a_modification_date_is_used_as_a_last_resort() -> None:
    item = read(page(head='<meta property="article:modified_time" content="2026-02-20T11:00:00+05:00">'))
    assert (item.date, item.date_source) == (D(2026, 2, 20), "meta_modified")


def test_japanese_byline_date() -> None:
    header = '<div class="article-info">2019年1月23日 10時05分 公開</div>'
    item = read(page(header=header, lang="ja"))
    assert (item.date, item.date_source) == (D(2019, 1, 23), "visible")


def test_arabic_indic_digits_in_the_byline() -> None:
    header = '<p class="date">نشر بتاريخ الأربعاء ٢٣ كانون الثاني / يناير ٢٠١٩ - ١٠:٠٥</p>'
    item = read(page(header=header, lang="ar"))
    assert (item.date, item.date_source) == (D(2019, 1, 23), "visible")


def test_byline_in_a_share_bar_under_an_h2_title() -> None:
    # No h1: the title heading is found by the page's title; share bars hold bylines, not other stories.
    text = (
        '<html><head><meta property="og:title" content="Trump is indeed a billionaire"></head><body><main>'
        '<h2>Trump is indeed a billionaire</h2><div class="social-share"><h5>23.01.2019</h5>'
        f"<div>By Urs Gehriger</div></div>{BODY}</main></body></html>"
    )
    assert (read(text).date, read(text).date_source) == (D(2019, 1, 23), "visible")


def test_shown_date_beats_the_time_elements_machine_date() -> None:
    header = '<p><time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time></p>'
    assert read(page(header=header, lang="fr")).date == D(2019, 6, 29)


def test_photo_caption_date_is_not_the_byline() -> None:
    header = (
        '<figure><img src="x.jpg"><figcaption>The school on March 5, 2019.</figcaption></figure>'
        '<div class="ArticleHeader_date">January 13, 2020 / 1:39 PM / Updated 2 minutes ago</div>'
    )
    assert read(page(header=header)).date == D(2020, 1, 13)


def test_url_date_is_the_original_publication_date() -> None:
    # Republished: the metadata and the byline carry the new date, the URL the first one.
    head = '<meta property="article:published_time" content="2019-06-17T18:28:00+02:00">'
    item = read(page(head=head, canonical="https://blog.example/home/2017/7/12/montauk"))
    assert (item.date, item.date_source) == (D(2017, 7, 12), "url")


def test_url_date_one_day_before_the_metadata_is_the_drafts() -> None:
    head = json_ld(datePublished="2020-07-09T10:04:04Z")
    item = read(page(head=head, canonical="https://news.example/politics/2020/07/08/c3d22ec8_story.html"))
    assert (item.date, item.date_source) == (D(2020, 7, 9), "json_ld")


def test_candidates_vote_by_family_and_ties_go_to_the_shown_date() -> None:
    meta = DateCandidate(D(2026, 2, 1), None, "meta")
    json_ld_echo = DateCandidate(D(2026, 2, 1), None, "json_ld")
    byline = DateCandidate(D(2026, 2, 4), None, "visible")
    # meta and JSON-LD repeat one field: one vote, which ties with the byline's.
    assert choose_date([meta, json_ld_echo, byline]) == byline
    # htmldate agreeing with the metadata is an echo; agreeing with nothing stated, a vote.
    assert choose_date([meta, byline, DateCandidate(D(2026, 2, 1), None, "htmldate")]) == byline
    assert choose_date([meta, byline, DateCandidate(D(2026, 2, 4), None, "htmldate")]) == byline
    assert choose_date([DateCandidate(D(1970, 1, 1), None, "meta"), byline]) == byline


def test_htmldate_is_asked_only_when_the_page_is_unclear(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str | None] = []

    def fake(text: str, url: str | None) -> DateCandidate:
        asked.append(url)
        return DateCandidate(D(2026, 2, 4), None, "htmldate")

    monkeypatch.setattr(html_dates, "_htmldate_date", fake)
    assert read(page(head='<meta property="article:published_time" content="2026-02-03">')).date == D(2026, 2, 3)
    assert asked == []
    item = read(page())
    assert (item.date, item.date_source, asked) == (D(2026, 2, 4), "htmldate", [None])


def test_month_first_byline_agrees_with_the_metadata() -> None:
    head = '<meta property="article:published_time" content="2020-06-01T21:53:12+00:00">'
    item = read(page(head=head, header='<span class="post-date">06/01/2020</span>'))
    assert (item.date, item.date_source) == (D(2020, 6, 1), "meta")


def test_site_header_date_is_todays_not_the_articles() -> None:
    head = '<meta property="article:published_time" content="2026-02-04T09:40:00+05:00">'
    text = page(head=head, header='<p class="byline">By Aigerim Sadykova</p>').replace(
        "<body>", '<body><header><div class="header-date">Friday, 20 February 2026</div></header>'
    )
    assert (read(text).date, read(text).date_source) == (D(2026, 2, 4), "meta")
