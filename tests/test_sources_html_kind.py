"""HTML page kinds: one article (sidebar teasers stay out), a listing, or a named non-article page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.sources.html import read_html
from generator.sources.html_body import cut_comments, is_notice, strip_notices
from generator.sources.html_listing import find_listing
from generator.sources.html_page import parse_document, strip_never_text
from generator.sources.html_tree import remove_furniture
from tests.conftest import run_digest, write_files

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_article_with_dated_more_stories_is_one_article() -> None:
    text = page("article_more_stories.html")
    root = parse_document(text)
    assert root is not None
    strip_never_text(root)
    remove_furniture(root)
    # The teasers alone look like a listing (dated, linked, repeated): the article must win.
    assert len(find_listing(root)) == 4
    result = read_html(text, "metro.html", "raw/metro.html")
    assert result.problems == ()
    [item] = result.items
    assert item.title == "Almaty opens a second metro line"
    assert item.date == dt.date(2026, 2, 6)
    assert item.body[0].startswith("Almaty opened the first six stations")
    assert (
        item.body[-1]
        == "Construction of the remaining four stations will continue through 2027, the mayor's office said."
    )
    assert not any("Wheat" in p or "saiga" in p.casefold() or p == "More stories" for p in item.body)


@pytest.mark.parametrize(
    ("name", "title", "date", "first_words"),
    [
        # No article markup at all: a dated headline, one summary paragraph, a "Read also" grid.
        (
            "article_read_also_grid.html",
            "Mediation for cross-border trade disputes",
            dt.date(2017, 9, 1),
            "Court cases",
        ),
        # A published time in <meta> but no og:type: a "recommended" box of bare dated headlines.
        (
            "article_recommended_box.html",
            "Tres heridos en un choque en la ruta 7",
            dt.date(2020, 1, 27),
            "Tres personas",
        ),
    ],
)
def test_undeclared_article_with_dated_teasers_is_one_article(
    name: str, title: str, date: dt.date, first_words: str
) -> None:
    text = page(name)
    root = parse_document(text)
    assert root is not None
    strip_never_text(root)
    remove_furniture(root)
    assert len(find_listing(root)) >= 3  # the teasers alone look like a listing
    result = read_html(text, name, f"raw/{name}")
    assert result.problems == ()
    [item] = result.items
    assert (item.title, item.date) == (title, date)
    assert any(p.startswith(first_words) for p in item.body)
    assert not any("Read also" in p or "recomendamos" in p or "Promulgan" in p for p in item.body)


def test_listing_with_an_intro_paragraph_is_still_split() -> None:
    # An intro as long as an article body, but no dated headline of its own: the blocks are the stories.
    result = read_html(page("listing_with_intro.html"), "events.html", "raw/events.html")
    assert result.problems == ()
    assert [(i.title, i.date) for i in result.items] == [
        ("Export seminar for first-time exporters", dt.date(2017, 9, 12)),
        ("Trade mission to the Caspian ports", dt.date(2017, 10, 3)),
        ("Autumn members' meeting and elections", dt.date(2017, 11, 20)),
    ]


def test_listing_that_calls_itself_an_article_is_still_split() -> None:
    # Some CMSs put og:type=article on every page: with no dominant body, the blocks are the stories.
    result = read_html(page("listing_declared_article.html"), "economy.html", "raw/economy.html")
    assert result.problems == ()
    assert [(i.title, i.date) for i in result.items] == [
        ("Wheat exports reach a record level in January", dt.date(2026, 2, 5)),
        ("The tenge firms against the dollar after oil rally", dt.date(2026, 2, 4)),
        ("Parliament approves the spring budget amendments", dt.date(2026, 2, 3)),
    ]
    assert result.items[0].source_url == "https://observer.example/2026/02/05/wheat"


def test_contact_page_is_not_an_article() -> None:
    result = read_html(page("contact.html"), "contact.html", "raw/contact.html")
    assert result.items == ()
    assert result.raw_count == 1
    assert [str(p) for p in result.problems] == [
        "raw/contact.html:1: not an article: a contact page (no article text; remove it from the sources)"
    ]


def test_contact_page_is_rejected_even_with_a_default_date(tmp_path: Path) -> None:
    write_files(tmp_path, {"raw/contact.html": page("contact.html")})
    code, output = run_digest(["ingest", "--default-date", "2026-02-06", "--report", "report.json"], tmp_path)
    assert code == 0
    problem = "raw/contact.html:1: not an article: a contact page (no article text; remove it from the sources)"
    assert problem in output
    assert not list((tmp_path / "content").rglob("*.md"))
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["inputs"][0]["rejected"] == [problem]


@pytest.mark.parametrize(
    ("title", "body", "reason"),
    [
        ("Page not found", "<h1>404</h1><p>Sorry, this page does not exist.</p>", "an error page"),
        ("Search results for “wheat”", "<h1>Search</h1><p>No results matched your query.</p>", "search results"),
        ("Теги", '<h1>Теги</h1><p><a href="/t/a">экономика</a> <a href="/t/b">спорт</a></p>', "a tag index"),
    ],
)
def test_other_non_article_pages_are_named(title: str, body: str, reason: str) -> None:
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    result = read_html(html, "x.html", "raw/x.html")
    assert result.items == ()
    assert [p.message for p in result.problems] == [f"not an article: {reason}"]


@pytest.mark.parametrize(
    "headline",
    ["Contact tracing app launched", "Search for missing climbers resumes", "Flight 404 lands safely", "400 jobs cut"],
)
def test_a_headline_that_sounds_like_a_page_kind_is_still_an_article(headline: str) -> None:
    # No article markup and a contact link: only what the page calls itself could mislead.
    html = (
        f"<html><head><title>{headline}</title></head><body><h1>{headline}</h1><p>The ministry said on Monday "
        'that the work goes on. Questions go to <a href="mailto:help@gov.example">the helpdesk</a>.</p></body></html>'
    )
    result = read_html(html, "x.html", "raw/x.html")
    assert [i.title for i in result.items] == [headline]


def test_comment_thread_is_not_in_the_body() -> None:
    [item] = read_html(page("article_comments.html"), "seals.html", "raw/seals.html").items
    assert item.body == (
        "Researchers counted more than two thousand Caspian seals on the ice off the northern shore this winter, "
        "the largest number in a decade.",
        "The seals, found nowhere else in the world, breed on the winter ice, and a colder January gave them a "
        "longer season, the survey team said.",
        "The institute will repeat the aerial survey in March, when the ice starts to break up.",
    )


def test_notices_and_prompts_are_dropped_but_text_mentioning_them_is_kept() -> None:
    for notice in (
        "This copy is for your personal, non-commercial use only. To order presentation-ready copies visit djreprints.",
        "© 2019 Associated Press. All Rights Reserved.",
        "Sign up for our daily newsletter.",
        "We use cookies to improve your experience.",
        "Read more: Tencent profit falls as Alibaba threat weighs",
        "При перепечатке ссылка на источник обязательна.",
    ):
        assert is_notice(notice), notice
    for text in (
        "The study was first published in Nature on Tuesday.",
        "Comments from the minister came a day later.",
        "Readers who subscribe to the paper " + "get the weekly supplement and the archive. " * 10,
    ):
        assert not is_notice(text), text


def test_comment_heading_cuts_the_rest_but_not_a_first_line() -> None:
    assert cut_comments(("Text.", "More text.", "12 Comments", "Nice!")) == ("Text.", "More text.")
    assert cut_comments(("Comments", "A story that starts with that word.")) == (
        "Comments",
        "A story that starts with that word.",
    )
    assert strip_notices(("Text.", "Share this:", "Leave a Reply", "Me too")) == ("Text.",)
