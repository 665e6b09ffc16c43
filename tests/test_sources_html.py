"""HTML pages: single articles (trafilatura + markup metadata) and listing pages (repeated blocks)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from generator.models import RawItem, Severity
from generator.sources import html_article as html_article_module
from generator.sources import read_source
from generator.sources.html import read_html
from generator.sources.html_article import choose_date
from generator.sources.html_page import DateCandidate, html_to_paragraphs, strip_site_suffix

INPUTS = Path(__file__).parent / "fixtures" / "inputs"
ALMATY = dt.timezone(dt.timedelta(hours=5))


def only_item(name: str) -> RawItem:
    result = read_source(INPUTS / name, name)
    assert result.problems == ()
    assert len(result.items) == 1
    return result.items[0]


# --- single articles -----------------------------------------------------------------------


def test_english_article_main_text_only() -> None:
    item = only_item("article_en.html")
    assert item.title == "Aral Sea fisheries post record catch as northern basin recovers"
    assert item.origin == "article_en.html:36"  # the <h1>
    assert len(item.body) == 4
    assert item.body[0].startswith("Fishermen in Kyzylorda region landed 9,400 tonnes")
    assert item.body[-1].endswith("“Now buyers come from Almaty and from Russia.”")
    text = " ".join(item.body)
    # Navigation, ticker, share block, tags, related box, footer, script/style/iframe: never text.
    for junk in (
        "Politics",
        "USD/KZT",
        "Share on Facebook",
        "Tags:",
        "Saiga population",
        "All rights reserved",
        "script text",
        "style text",
        "iframe text",
        "By Dana Seitkali",
    ):
        assert junk not in text


def test_english_article_metadata() -> None:
    item = only_item("article_en.html")
    assert item.date == dt.date(2026, 2, 5)
    assert item.date_source == "json_ld"
    assert item.published == dt.datetime(2026, 2, 5, 9, 40, tzinfo=ALMATY)
    assert item.language == "en"
    assert item.source == "Steppe Observer"
    assert item.source_url == "https://steppe-observer.example/environment/aral-sea-fisheries-record-catch"
    assert item.sections == ("Environment",)
    assert item.tags == ("Aral Sea", "fisheries", "Kyzylorda", "water")
    assert item.summary == "Fishermen in Kyzylorda region landed 9,400 tonnes of fish in 2025."


def test_russian_cp1251_article_uses_the_local_date() -> None:
    item = only_item("article_ru_cp1251.html")
    assert item.title == "В Караганде запустили электробусы на трёх городских маршрутах"
    assert item.language == "ru"
    assert item.source == "Новости Сарыарки"
    assert item.sections == ("Общество",)
    assert item.body[0].startswith("В Караганде на линию вышли первые двадцать электробусов")
    assert not any("Поделиться" in p or "Темиртау" in p or "USD" in p for p in item.body)
    # meta says 21:15 UTC on 3 February; the page prints 04.02.2026 02:15 (Karaganda, UTC+5).
    assert item.published == dt.datetime(2026, 2, 3, 21, 15, tzinfo=dt.UTC)
    assert item.date == dt.date(2026, 2, 4)
    assert item.date_source == "meta"


def test_german_article_time_element_and_title_from_h1() -> None:
    item = only_item("article_de.html")
    assert item.title == "Kasachstan und Deutschland vereinbaren Wasserstoffpartnerschaft"
    assert item.origin == "article_de.html:17"
    assert item.language == "de"
    assert item.date == dt.date(2026, 2, 6)
    assert item.date_source == "time_element"
    assert item.published == dt.datetime(2026, 2, 6, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert item.source == "zentralasien-rundschau.example"
    assert item.source_url == "https://zentralasien-rundschau.example/wirtschaft/wasserstoff-partnerschaft"
    assert len(item.body) == 3
    assert not any("Cookies" in p or "Meistgelesen" in p or "Baumwollernte" in p for p in item.body)


def test_declared_language_is_verified_against_the_text() -> None:
    page = """<html lang="en"><head><title>Жаңалық</title></head><body><article>
    <h1>Астанада жаңа саябақ ашылды</h1><p>04.02.2026</p>
    <p>Астананың сол жағалауында ауданы жиырма гектар болатын жаңа саябақ ашылды. Саябақта балалар алаңы,
    велосипед жолдары және жазғы сахна бар. Құрылыс екі жылға созылды, оған қала бюджетінен қаражат бөлінді.</p>
    <p>Әкімдіктің хабарлауынша, саябақ күн сайын таңғы алтыдан түнгі он екіге дейін ашық болады.</p>
    </article></body></html>"""
    item = read_html(page, "kk.html", "kk.html").items[0]
    assert item.language == "kk"
    assert item.date == dt.date(2026, 2, 4)
    assert item.date_source == "visible"


def test_visible_date_before_the_title_and_no_metadata() -> None:
    page = """<html><body><div class="story"><div class="when">12 февраля 2026</div>
    <h1>Снегопад парализовал движение на трассе Алматы — Бишкек</h1>
    <p>Из-за сильного снегопада на перевале Кордай в обе стороны было ограничено движение грузовиков,
    сообщили в департаменте полиции Жамбылской области. Легковые автомобили пропускают колоннами.</p>
    <p>Дорожные службы вывели на трассу сорок единиц техники.</p></div></body></html>"""
    item = read_html(page, "snow.html", "snow.html").items[0]
    assert item.date == dt.date(2026, 2, 12)
    assert item.date_source == "visible"
    assert item.language == "ru"
    assert item.source is None
    assert item.source_url is None
    assert item.origin == "snow.html:2"


def test_only_http_canonical_urls_are_kept() -> None:
    page = """<html><head><link rel="canonical" href="javascript:alert(1)">
    <meta property="og:url" content="data:text/html,hi"></head><body><h1>A title for a story</h1>
    <p>Some body text that is long enough to be the article's main text for the extractor, and then a
    little more text so that it is clearly an article paragraph rather than a caption.</p></body></html>"""
    item = read_html(page, "x.html", "x.html").items[0]
    assert item.source_url is None


def test_date_priority_and_utc_correction() -> None:
    utc = DateCandidate(dt.date(2026, 2, 3), dt.datetime(2026, 2, 3, 22, 0, tzinfo=dt.UTC), "meta")
    visible = DateCandidate(dt.date(2026, 2, 4), None, "visible")
    crawl = DateCandidate(dt.date(2026, 11, 22), None, "htmldate")
    assert choose_date([crawl, visible]) == visible
    chosen = choose_date([crawl, visible, utc])
    assert chosen is not None
    assert (chosen.date, chosen.published, chosen.source) == (dt.date(2026, 2, 4), utc.published, "meta")
    assert choose_date([crawl]) == crawl
    assert choose_date([]) is None


def test_page_without_text_is_a_problem() -> None:
    page = "<html><head><title>Loading</title><script>var story = 'hidden text';</script></head><body></body></html>"
    result = read_html(page, "empty.html", "raw/empty.html")
    assert result.items == ()
    assert result.raw_count == 1
    assert [str(p) for p in result.problems] == [
        'raw/empty.html:1: no article text found in the HTML page under "Loading" '
        "(the page may be rendered by scripts or be a login/error page; save the rendered page)"
    ]


def test_extractor_failure_falls_back_and_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("extractor broke")

    monkeypatch.setattr(html_article_module.trafilatura, "bare_extraction", explode)
    with caplog.at_level(logging.WARNING, logger="generator.sources.html_article"):
        item = only_item("article_en.html")
    assert "trafilatura failed (RuntimeError: extractor broke)" in caplog.text
    assert item.body[0].startswith("Fishermen in Kyzylorda region")
    assert not any("Share on Facebook" in p or "Saiga" in p for p in item.body)


def test_site_suffix_is_removed_from_titles() -> None:
    assert strip_site_suffix("Story title here | Steppe Observer", ("Steppe Observer",)) == "Story title here"
    assert strip_site_suffix("Steppe Observer — Story title here", ("Steppe Observer",)) == "Story title here"
    assert strip_site_suffix("A long story title about water - Site", ()) == "A long story title about water"
    assert strip_site_suffix("Kazakhstan - Uzbekistan talks", ()) == "Kazakhstan - Uzbekistan talks"


def test_html_fragments_become_safe_plain_paragraphs() -> None:
    fragment = (
        '<p>One <b>bold</b> &amp; <a href="javascript:x()">link</a>.</p><script>alert("x")</script>'
        "<style>p{}</style><iframe>frame</iframe><div>Two<br>Three</div>"
    )
    assert html_to_paragraphs(fragment) == ("One bold & link.", "Two", "Three")
    assert html_to_paragraphs("Plain\n\nText with < and > signs") == ("Plain", "Text with < and > signs")
    assert html_to_paragraphs("") == ()


# --- listing pages -------------------------------------------------------------------------


def test_listing_page_yields_one_item_per_story() -> None:
    result = read_source(INPUTS / "listing.html", "listing.html")
    assert result.format == "html"
    titles = [item.title for item in result.items]
    assert titles == [
        "Majilis passes the new Water Code in first reading",
        "Central Asian leaders to meet in Tashkent in March",
        "Kyrgyz parliament reviews media law amendments",
        "Aktau port handles record container volume in January",
    ]
    first = result.items[0]
    assert first.origin == "listing.html:17"
    assert first.date == dt.date(2026, 2, 4)
    assert first.body == ("Deputies approved the draft Water Code, which introduces tradable water quotas for farms.",)
    assert first.source == "Caspian Wire"
    assert first.language == "en"
    # Relative links resolve against <base href>.
    assert first.source_url == "https://caspian-wire.example/news/2026/02/04/majilis-water-code"
    assert result.items[1].source_url == "https://caspian-wire.example/news/2026/02/04/tashkent-summit"
    # Sidebar "most read" and the rates ticker are not stories.
    assert not any("Saiga" in (item.title or "") for item in result.items)


def test_listing_sections_and_repeated_story() -> None:
    items = read_source(INPUTS / "listing.html", "listing.html").items
    by_title = {item.title: item for item in items}
    assert by_title["Majilis passes the new Water Code in first reading"].sections == ("Politics", "Economy")
    assert by_title["Aktau port handles record container volume in January"].sections == ("Economy",)
    assert by_title["Kyrgyz parliament reviews media law amendments"].date == dt.date(2026, 2, 3)


def test_listing_drops_javascript_links_with_a_warning() -> None:
    result = read_source(INPUTS / "listing.html", "listing.html")
    kyrgyz = next(item for item in result.items if item.title and item.title.startswith("Kyrgyz"))
    assert kyrgyz.source_url is None
    assert [(p.line, p.severity) for p in result.problems] == [(27, Severity.WARNING)]
    assert "is not an http(s) URL and was dropped" in result.problems[0].message


def test_full_post_listing_and_time_elements() -> None:
    posts = "".join(
        f"""<article class="post"><h2 class="post-title"><a href="/blog/{n}">Post number {n} about Almaty transport</a></h2>
        <time datetime="2026-02-0{n}T10:00:00+05:00">{n} Feb</time>
        <p>First paragraph of post {n} with enough words to be a real paragraph of text.</p>
        <p>Second paragraph of post {n}.</p><a class="more" href="/blog/{n}">Read more</a></article>"""
        for n in (4, 5, 6)
    )
    page = f'<html><head><link rel="canonical" href="https://blog.example/"></head><body><h1>Blog</h1>{posts}</body></html>'
    result = read_html(page, "blog.html", "blog.html")
    assert [item.title for item in result.items] == [f"Post number {n} about Almaty transport" for n in (4, 5, 6)]
    post = result.items[1]
    assert post.body == (
        "First paragraph of post 5 with enough words to be a real paragraph of text.",
        "Second paragraph of post 5.",
    )
    assert post.date == dt.date(2026, 2, 5)
    assert post.date_source == "time_element"
    assert post.source_url == "https://blog.example/blog/5"
    assert post.sections == ("Blog",)


def test_article_with_a_related_strip_is_not_a_listing() -> None:
    related = "".join(
        f'<div class="card"><h3><a href="/r/{n}">Related story {n} headline</a></h3><span>0{n}.02.2026</span></div>'
        for n in (1, 2, 3)
    )
    body = " ".join(["Long article paragraph about the Caspian ferry line."] * 12)
    page = (
        f"<html><body><main><h1>Ferry line to Baku reopens</h1><p>{body}</p><p>{body}</p></main>{related}</body></html>"
    )
    result = read_html(page, "a.html", "a.html")
    assert len(result.items) == 1
    assert result.items[0].title == "Ferry line to Baku reopens"


def test_article_with_linked_subheadings_stays_one_article() -> None:
    parts = "".join(
        f'<section><h2><a href="#part{n}">Part {n} of the explainer</a></h2>'
        f"<p>Explainer paragraph {n} about the new water tariffs and what they mean for households.</p></section>"
        for n in (1, 2, 3)
    )
    page = (
        '<html><head><meta property="og:type" content="article"></head><body>'
        f"<h1>What the new water tariffs mean</h1>{parts}</body></html>"
    )
    result = read_html(page, "e.html", "e.html")
    assert [item.title for item in result.items] == ["What the new water tariffs mean"]
    assert len(result.items[0].body) >= 3


def test_listing_with_title_classed_links_and_no_headings() -> None:
    rows = "".join(
        f'<li class="row"><a href="/img/{n}"><img src="/i/{n}.jpg" alt=""></a>'
        f'<div class="item-title"><a href="/news/{n}">Akimat announces road repairs in district {n}</a></div>'
        f'<div class="item-date">1{n}.02.2026 10:0{n}</div></li>'
        for n in (1, 2, 3, 4)
    )
    page = f'<html lang="en"><head><link rel="canonical" href="https://akimat.example/news/"></head><body><ul>{rows}</ul></body></html>'
    result = read_html(page, "rows.html", "rows.html")
    assert [item.title for item in result.items] == [
        f"Akimat announces road repairs in district {n}" for n in (1, 2, 3, 4)
    ]
    assert [item.date for item in result.items] == [dt.date(2026, 2, 10 + n) for n in (1, 2, 3, 4)]
    assert result.items[0].source_url == "https://akimat.example/news/1"
    assert result.items[0].body == ()


def test_listing_without_a_base_url_reports_relative_links() -> None:
    cards = "".join(
        f'<div class="card"><h3><a href="{href}">Story {n} about the Almaty metro extension</a></h3><p>0{n}.02.2026</p></div>'
        for n, href in enumerate(("/m/1", "http://[broken", "https://metro.example/3"), 1)
    )
    result = read_html(f"<html><body>{cards}</body></html>", "m.html", "m.html")
    assert [item.source_url for item in result.items] == [None, None, "https://metro.example/3"]
    assert [str(p) for p in result.problems] == [
        'm.html:1: link of "Story 1 about the Almaty metro extension" is relative and the page has no base URL; '
        "it was dropped (save the page with its <link rel=canonical> or <base href>)",
        'm.html:1: link of "Story 2 about the Almaty metro extension" is not an http(s) URL and was dropped '
        "(only http and https links are kept)",
    ]


def test_cross_links_inside_the_body_are_dropped() -> None:
    text = " ".join(["В Павлодаре завершили ремонт набережной Иртыша, работы шли два сезона."] * 4)
    page = (
        '<html lang="ru"><body><article><h1>В Павлодаре открыли набережную</h1><p>09.02.2026</p>'
        f"<p>{text}</p><p><strong>Читайте также:</strong> <a href='/x'>В Экибастузе построят школу</a></p>"
        f"<p>{text}</p><p>Поделиться</p></article></body></html>"
    )
    item = read_html(page, "p.html", "p.html").items[0]
    assert item.body == (text, text)
