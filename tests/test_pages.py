"""Unit tests of the page layout: which pages exist, their URLs and what they list."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import pytest

from generator.config import Config
from generator.curate.rank import rank_key
from generator.models import Article, Link, Page
from generator.pages import layout_site, refresh_article_page, term_slug


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


def test_theme_pagination_counts_from_the_oldest(site_config: Config) -> None:
    articles = sorted((art(i, 1 + i % 20) for i in range(45)), key=rank_key)
    pages = by_url(articles, site_config)
    # 45 = 20 + 20 + 5 oldest first: the newest chunk is not full, so the root shows it with the one before.
    assert {"themes/economy/", "themes/economy/page/1/"} <= set(pages) and "themes/economy/page/2/" not in pages
    root, oldest = pages["themes/economy/"], pages["themes/economy/page/1/"]
    assert root.articles == tuple(articles[:25]) and oldest.articles == tuple(articles[25:])
    assert url_of(root.next) == "themes/economy/page/1/" and root.prev is None
    assert url_of(oldest.prev) == "themes/economy/" and oldest.next is None
    assert oldest.title == "Economy, 1–8 February 2026" and oldest.total == 0


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


def test_front_page_paginates_by_days_from_the_oldest(site_config: Config) -> None:
    pages = by_url([art(i, 10 - i) for i in range(7)], site_config)
    # 7 days = 3 + 3 + 1 oldest first: the root shows the newest 4 days, page/1/ the oldest 3.
    assert [s.key for s in pages[""].sections] == ["2026-02-10", "2026-02-09", "2026-02-08", "2026-02-07"]
    assert [s.key for s in pages["page/1/"].sections] == ["2026-02-06", "2026-02-05", "2026-02-04"]
    assert "page/2/" not in pages
    assert pages["page/1/"].span == "4–6 February 2026" and pages["page/1/"].articles == ()


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


LISTING_KINDS = {"front", "theme", "tag", "source", "language"}
_NUMBERED = re.compile(r"page/\d+/$")


def listing_of(page: Page) -> str:
    """Return the root URL of the listing a page belongs to ("" for non-listing pages too)."""
    return _NUMBERED.sub("", page.url)


def varied(first: int, count: int, first_day: int) -> list[Article]:
    """Return `count` articles numbered from `first`, three a day from `first_day` on, of varied kinds."""
    themes, tags, sources, languages = ("economy", "culture"), ("trade", "oil", "art"), ("gov.kz", "a.kz"), ("en", "ru")
    return [
        art(
            n,
            first_day + (n - first) // 3,
            themes[n % 2],
            tags=(tags[n % 3], "all"),
            source=sources[n % 5 % 2],
            language=languages[n % 7 % 2],
            score=float(n % 4),
        )
        for n in range(first, first + count)
    ]


def listings(pages: Iterable[Page]) -> dict[str, list[Page]]:
    """Return the pages of each paginated listing by its root URL, root first."""
    out: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.kind in LISTING_KINDS:
            out[listing_of(page)].append(page)
    return {root: sorted(group, key=lambda p: p.url != root) for root, group in out.items()}


@pytest.mark.parametrize("added", [1, 2, 3, 4, 7, 12])
def test_newer_articles_leave_numbered_pages_alone(site_config: Config, added: int) -> None:
    config = replace(site_config, per_page=4, front_page_days=2)
    old = sorted(varied(0, 60, 1), key=rank_key)
    new = sorted([*old, *varied(60, added, 21)], key=rank_key)  # days 21 on: newer than any before
    before, after = by_url(old, config), by_url(new, config)
    assert all(url in after for url in before)  # no page goes away
    for root, group in listings(before.values()).items():
        changed = [p.url for p in group[1:] if after[p.url] != p]
        assert len(changed) <= 1, (root, changed)
        for url in changed:  # only the newest numbered page, whose newer neighbour is no longer the root
            assert url_of(before[url].prev) == root
            assert replace(after[url], prev=None) == replace(before[url], prev=None)


def test_each_article_is_on_exactly_one_page_of_a_listing(site_config: Config) -> None:
    config = replace(site_config, per_page=4, front_page_days=2)
    articles = sorted(varied(0, 70, 1), key=rank_key)
    pages = by_url(articles, config)
    expected = {
        "themes/economy/": [a for a in articles if a.theme == "economy"],
        "tags/all/": articles,
        "sources/a-kz/": [a for a in articles if a.source == "a.kz"],
        "languages/ru/": [a for a in articles if a.language == "ru"],
    }
    found = listings(pages.values())
    for root, items in expected.items():
        shown = [a for page in found[root] for a in page.articles]
        assert sorted(a.id for a in shown) == sorted(a.id for a in items), root  # once each, none missing
        assert found[root][0].total == len(items)
    days = [s.key for page in found[""] for s in page.sections]
    assert sorted(days) == sorted({a.date.isoformat() for a in articles})


@pytest.mark.parametrize("count", range(1, 14))
def test_root_holds_one_to_two_pages_and_page_1_the_oldest(site_config: Config, count: int) -> None:
    per_page = 4
    articles = sorted((art(i, 1 + i) for i in range(count)), key=rank_key)
    pages = by_url(articles, replace(site_config, per_page=per_page))
    root = pages["themes/economy/"]
    if count > per_page:
        assert per_page <= len(root.articles) <= 2 * per_page - 1
    if count >= 2 * per_page:
        assert pages["themes/economy/page/1/"].articles == tuple(articles[-per_page:])  # the oldest, newest first
    else:  # the newest chunk and the one before it fit on the root
        assert root.articles == tuple(articles) and "themes/economy/page/1/" not in pages
    numbered = [p for url, p in pages.items() if url.startswith("themes/economy/page/")]
    assert all(len(p.articles) == per_page and p.span and p.total == 0 for p in numbered)
    assert root.articles == tuple(articles[: count - len(numbered) * per_page])


def test_an_article_page_can_show_an_edit_of_its_own_text_only(site_config: Config) -> None:
    articles = [art(n, 3) for n in range(4)]
    page = by_url(articles, site_config)[articles[1].url]
    edited = replace(articles[1], title="A new title", body="A new body.", summary="")
    fresh = refresh_article_page(page, edited)
    assert fresh is not None and fresh.article == edited
    assert fresh.title == "A new title" and fresh.description == "A new body."
    assert (fresh.prev, fresh.next, fresh.related, fresh.links) == (page.prev, page.next, page.related, page.links)
    # Anything that places the article elsewhere needs the whole layout.
    for change in ({"tags": ("new tag",)}, {"theme": "culture"}, {"date": articles[1].date + dt.timedelta(days=1)}):
        assert refresh_article_page(page, replace(articles[1], **change)) is None, change
    assert refresh_article_page(by_url(articles, site_config)[""], edited) is None  # not an article page
