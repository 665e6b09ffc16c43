"""Unit tests of the page layout: which pages exist, their URLs and what they list."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from generator.config import Config
from generator.models import Article, Link, Page
from generator.pages import layout_site, term_slug


def art(n: int, day: int, theme: str = "economy", **changes: Any) -> Article:
    """Return a small article dated 2026-02-<day>, with any other fields changed."""
    article = Article(
        id=f"id{n}",
        title=f"Title {n}",
        date=dt.date(2026, 2, day),
        theme=theme,
        tags=("trade",),
        source="gov.kz",
        slug=f"a{n}",
    )
    return replace(article, **changes)


def by_url(articles: list[Article], config: Config) -> dict[str, Page]:
    """Return the site's pages by URL."""
    return {p.url: p for p in layout_site(articles, config)}


def url_of(link: Link | None) -> str | None:
    """Return where a link points (None for no link)."""
    return link.url if link is not None else None


def test_every_kind_has_its_url(site_config: Config) -> None:
    pages = by_url(
        [art(1, 4), art(2, 3, "culture", language="ru", tags=("Музыка",)), art(3, 3, tags=("trade", "Музыка"))],
        site_config,
    )
    for url in (
        "",
        "2026/02/04/",
        "2026/02/04/economy/a1/",
        "themes/",
        "themes/economy/",
        "archive/",
        "tags/",
        "tags/trade/",
        "tags/muzyka/",
        "sources/",
        "sources/gov-kz/",
        "languages/",
        "languages/ru/",
        "languages/en/",
        "search/",
        "404.html",
    ):
        assert url in pages, url
    assert "themes/politics/" not in pages  # an empty theme has no page, only a line in the index


def test_theme_pagination(site_config: Config) -> None:
    articles = [art(i, 1 + i % 20) for i in range(45)]
    pages = by_url(sorted(articles, key=lambda a: a.date, reverse=True), site_config)
    assert {"themes/economy/", "themes/economy/page/2/", "themes/economy/page/3/"} <= set(pages)
    last = pages["themes/economy/page/3/"]
    assert last.page_no == 3 and last.page_count == 3 and len(last.articles) == 5
    assert url_of(last.prev) == "themes/economy/page/2/" and last.next is None


def test_front_page_caps_each_theme_and_links_to_the_rest(site_config: Config) -> None:
    # Ranked order, as apply_editorial gives it: the featured story first.
    articles = [art(100, 4, featured=True, theme="culture", score=100.0)] + [art(i, 4) for i in range(11)]
    front = by_url(articles, site_config)[""]
    day = front.sections[0]
    # The lead block holds the featured story, then a third of the others; the rest follow by theme.
    assert [a.id for a in front.articles] == ["id100", "id0", "id1", "id2", "id3"]
    economy = next(s for s in day.sections if s.key == "economy")
    assert len(economy.articles) == site_config.front_page_per_theme and economy.total == 7
    assert economy.articles[0].id == "id4"
    assert economy.more_url == "2026/02/04/#theme-economy"
    assert all(s.key != "culture" for s in day.sections)  # the featured story is not shown twice


def test_front_page_paginates_by_days(site_config: Config) -> None:
    pages = by_url([art(i, 10 - i) for i in range(7)], site_config)
    assert len(pages[""].sections) == site_config.front_page_days
    assert "page/2/" in pages and "page/3/" in pages


def test_article_neighbours_follow_the_day_page(site_config: Config) -> None:
    # Ranked a1, a2, a3, a5: a1 and a2 lead the day; the rest go theme by theme; then the older day.
    articles = [art(1, 4), art(2, 4), art(3, 4, "culture"), art(5, 4), art(4, 3)]
    pages = by_url(articles, site_config)
    day = pages["2026/02/04/"]
    shown = [a.url for a in day.articles] + [a.url for s in day.sections for a in s.articles]
    assert shown == [
        "2026/02/04/economy/a1/",
        "2026/02/04/economy/a2/",
        "2026/02/04/culture/a3/",
        "2026/02/04/economy/a5/",
    ]
    page = pages["2026/02/04/economy/a2/"]
    assert url_of(page.prev) == "2026/02/04/economy/a1/"
    assert url_of(page.next) == "2026/02/04/culture/a3/"
    assert url_of(pages["2026/02/04/economy/a5/"].next) == "2026/02/03/economy/a4/"


def test_related_reading_shares_names_across_days(site_config: Config) -> None:
    articles = [
        art(1, 10, title="Tokayev meets Mirziyoyev in Tashkent", tags=("uzbekistan",)),
        art(2, 10, title="Wheat prices rise", tags=("wheat",)),
        art(3, 6, "politics", title="Talks with Mirziyoyev planned", tags=("uzbekistan",)),
        art(4, 1, "politics", title="Earlier Mirziyoyev visit", tags=("uzbekistan",)),  # 9 days before
    ]
    page = by_url(articles, site_config)["2026/02/10/economy/a1/"]
    assert [link.url for link in page.earlier] == ["2026/02/06/politics/a3/"]
    assert page.related == ()
    later = by_url(articles, site_config)["2026/02/06/politics/a3/"]
    assert [link.url for link in later.later] == ["2026/02/10/economy/a1/"]


def test_day_pages_link_older_and_newer(site_config: Config) -> None:
    pages = by_url([art(1, 5), art(2, 4), art(3, 2)], site_config)
    day = pages["2026/02/04/"]
    assert url_of(day.prev) == "2026/02/02/" and url_of(day.next) == "2026/02/05/"


def test_term_slugs_are_ascii() -> None:
    assert term_slug("Образование") == "obrazovanie"
    assert term_slug("gov.kz") == "gov-kz"
    assert term_slug("!!!").startswith("t") and term_slug("!!!").isascii()


def test_layout_is_deterministic(site_config: Config) -> None:
    articles = [art(i, 1 + i % 5, ("economy", "culture")[i % 2]) for i in range(30)]
    assert layout_site(articles, site_config) == layout_site(list(articles), site_config)
