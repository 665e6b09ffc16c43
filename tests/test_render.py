"""Unit tests of rendering: sanitized Markdown, relative URLs, charts and template errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest

from generator.config import Config
from generator.errors import BuildError
from generator.models import Article, Link, Page
from generator.pages import layout_site
from generator.render import (
    Renderer,
    SiteInfo,
    bar_chart_svg,
    gist,
    heatmap_periods,
    heatmap_svg,
    is_shouting,
    make_url,
    markdown_to_html,
    relative_prefix,
    template_dirs,
    title_class,
)

SITE = SiteInfo("Digest", "News.", "en", "https://example.github.io/digest/")


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[x](javascript:alert(1))", "javascript:"),
        ('<a href="https://a.b" onclick="x()">a</a>', "onclick"),
        ("<style>p{}</style>", "<style"),
        ('<img src="https://t.example/p.gif">', "<img"),
        ('<iframe src="https://evil.example"></iframe>', "iframe"),
        ("[m](data:text/html;base64,AAAA)", "data:"),
    ],
)
def test_markdown_output_is_sanitized(body: str, forbidden: str) -> None:
    assert forbidden not in markdown_to_html(body)


def test_links_keep_http_and_get_rel() -> None:
    html = markdown_to_html("[site](https://example.org/x) and [rel](notes/)")
    assert '<a href="https://example.org/x" rel="noopener nofollow">site</a>' in html
    assert 'href="notes/"' in html


def test_body_headings_start_below_the_title() -> None:
    assert markdown_to_html("# A\n\n## B").startswith("<h2>A</h2>\n<h3>B</h3>")
    assert markdown_to_html("### Only").startswith("<h2>Only</h2>")


@pytest.mark.parametrize(
    ("page_url", "target", "expected"),
    [
        ("", "", "index.html"),
        ("", "themes/", "themes/index.html"),
        ("2026/02/04/", "", "../../../index.html"),
        ("2026/02/04/economy/x/", "static/style.css", "../../../../../static/style.css"),
        ("tags/a/page/2/", "2026/02/04/#theme-economy", "../../../../2026/02/04/index.html#theme-economy"),
        ("404.html", "archive/", "/digest/archive/index.html"),
    ],
)
def test_relative_urls(page_url: str, target: str, expected: str) -> None:
    assert make_url(relative_prefix(page_url, "/digest/"))(target) == expected


def test_heatmap_and_bars_have_text_alternatives() -> None:
    days = [(dt.date(2026, 2, 2), 3), (dt.date(2026, 2, 4), 1)]
    assert heatmap_periods(days) == [("2026", tuple(days))]
    svg = heatmap_svg(days, "2026", "h")
    assert 'role="img"' in svg and 'aria-labelledby="h-t h-d"' in svg
    assert "4 articles on 2 days" in svg and "<title>2 February 2026: 3 articles</title>" in svg
    assert "<title>3 February 2026: 0 articles</title>" in svg
    bars = bar_chart_svg([Link("themes/a/", "A & B", 3)], "b")
    assert "A &amp; B: 3" in bars and bars.count("<rect") == 1


def test_template_error_names_the_template(tmp_path: Path) -> None:
    (tmp_path / "day.html").write_text("{% extends 'base.html' %}{% block main %}{{ page.missing }}{% endblock %}")
    renderer = Renderer(SITE, template_dirs(tmp_path))
    with pytest.raises(BuildError) as caught:
        renderer.render_page(Page("2026/02/04/", "day.html", "Day", "day"))
    assert "day.html" in str(caught.value) and "/2026/02/04/" in str(caught.value)


def test_syntax_error_has_a_line(tmp_path: Path) -> None:
    (tmp_path / "404.html").write_text("ok\n{% if %}\n")
    with pytest.raises(BuildError, match=r"404.html:2: template error"):
        Renderer(SITE, template_dirs(tmp_path)).render_page(Page("404.html", "404.html", "Not found", "404"))


def test_not_found_page_inlines_the_sites_own_css_safely(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text('a::after { content: "</style><script>x()</script>"; }\n')
    renderer = Renderer(SITE, template_dirs(tmp_path))
    assert renderer.static_text("style.css") == 'a::after { content: "<\\/style><script>x()<\\/script>"; }\n'
    html = renderer.render_page(Page("404.html", "404.html", "Not found", "404"))
    assert html.count("</style>") == 1 and "<script>x()" in html and 'rel="stylesheet"' not in html
    with pytest.raises(jinja2.TemplateNotFound):
        renderer.static_text("missing.css")


def test_autoescape_is_on() -> None:
    html = Renderer(SITE, template_dirs(None)).render_page(Page("404.html", "404.html", "<b>x</b>", "404"))
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_heatmaps_split_by_year_only_beyond_a_year() -> None:
    close = [(dt.date(2025, 12, 30), 1), (dt.date(2026, 1, 2), 2)]
    assert [label for label, _ in heatmap_periods(close)] == ["2025–2026"]
    far = [(dt.date(2024, 3, 1), 1), (dt.date(2026, 1, 2), 2)]
    assert [label for label, _ in heatmap_periods(far)] == ["2026", "2024"]


def test_headline_size_follows_length_and_capitals() -> None:
    assert title_class("Oil output holds steady") == ""
    assert title_class("Kazakhstan introduces official insurance and registration for e-scooters") == "t-long"
    assert title_class("В рамках празднования Всемирного дня выборов " * 3) == "t-xlong"
    assert title_class("JUSTICE, LAW AND ORDER – THE CORE VALUES OF THE NEW CONSTITUTION") == "t-long caps"
    assert title_class("ЗАКОН О ВЫБОРАХ ПРИНЯТ") == "caps"
    assert is_shouting("ЗАКОН О ВЫБОРАХ ПРИНЯТ") and not is_shouting("NATO and the EU meet in Astana")


def test_gist_never_repeats_the_title() -> None:
    assert gist("Oil output holds steady", "Production averaged 1.8 million barrels.") == (
        "Production averaged 1.8 million barrels."
    )
    assert gist("Oil output holds steady.", "Oil output holds steady") == ""
    assert gist("4 февраля 2026 года членами комиссии", "4 февраля 2026 года членами комиссии было…") == ""
    assert gist("A title", "") == ""


def story(**kw: object) -> Article:
    """Return an article of 4 February 2026 in economy; its slug is its id."""
    fields: dict[str, object] = {"source": "gov.kz", "slug": kw["id"], "title": f"Story {kw['id']}", "body": "Text."}
    fields.update(kw)
    return Article(date=dt.date(2026, 2, 4), theme="economy", **fields)  # type: ignore[arg-type]


def render_site(site_config: Config, articles: list[Article]) -> dict[str, str]:
    renderer = Renderer(SITE, template_dirs(None))
    return {page.url: renderer.render_page(page) for page in layout_site(articles, site_config)}


def test_article_meta_names_only_a_foreign_language(site_config: Config) -> None:
    pages = render_site(site_config, [story(id="en1"), story(id="ru1", language="ru")])
    english, russian = pages["2026/02/04/economy/en1/"], pages["2026/02/04/economy/ru1/"]
    meta = english.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    assert "English" not in meta.replace('data-pagefind-filter="language:English"', "")
    assert '<span hidden data-pagefind-filter="language:English"></span>' in meta
    assert '<span data-pagefind-filter="language">Русский</span>' in russian


def test_headline_only_article_links_to_the_source(site_config: Config) -> None:
    url = "https://www.gov.kz/news/1"
    pages = render_site(site_config, [story(id="h1", body="", source_url=url), story(id="h2", body="")])
    assert (
        f'<a href="{url}" rel="nofollow noopener">Read the full story at gov.kz</a>' in pages["2026/02/04/economy/h1/"]
    )
    bare = pages["2026/02/04/economy/h2/"]
    assert "Only the headline of this story is in the digest." in bare and "Read the full story" not in bare
    assert '<div class="body"' not in bare


def test_front_page_lists_summaries_once(site_config: Config) -> None:
    articles = [
        story(id="s1", summary="Exports grew by a tenth."),
        story(id="s2", summary="Story s2"),
        story(id="s3", title="THE PREVENTION SYSTEM MUST BE CONSTANTLY CONDUCTED"),
    ]
    front = render_site(site_config, articles)[""]
    assert '<p class="gist">Exports grew by a tenth.</p>' in front
    assert front.count('<p class="gist">') == 1  # s2's summary only repeats its title
    assert 'class="caps">THE PREVENTION SYSTEM' in front


def test_a_renderer_converts_each_body_once_and_shares_its_bodies_with_its_successor() -> None:
    renderer = Renderer(SITE, template_dirs(None))
    body = "# Head\n\nText with [a link](https://example.org/)."
    html = renderer.body_html(body)
    assert html == markdown_to_html(body)
    assert renderer.body_html(body) is html  # from the renderer's own cache
    successor = renderer.for_site(SiteInfo("Other", "", "en", SITE.base_url))
    assert successor.site.title == "Other" and successor.body_html(body) is html
    assert Renderer(SITE, template_dirs(None)).body_html(body) is not html  # another run starts afresh
