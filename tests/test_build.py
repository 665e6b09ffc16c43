"""End-to-end builds of the fixture content tree (tests/fixtures/site-content)."""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import search
from generator.build import BuildResult, SiteBuilder, build_site
from generator.check import check_links
from generator.config import Config
from generator.errors import BuildError
from generator.log import RunReport
from tests.conftest import make_config, write_files

FIXTURE = Path(__file__).parent / "fixtures" / "site-content"
BASE = "https://example.github.io/digest/"
# Two days a front page: the fixture's four days make a numbered front page (page/1/).
BUILT_CONFIG = "title: Test Digest\ndomain: news.example.org\nfront_page_days: 2\n"


def build(config: Config, content: Path, out: Path, **kwargs: object) -> tuple[BuildResult, RunReport]:
    """Build content into out; return the result and the report."""
    report = RunReport()
    result = build_site(config, content_dir=content, output_dir=out, report=report, **kwargs)  # type: ignore[arg-type]
    return result, report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a site built once from the fixture content."""
    root = tmp_path_factory.mktemp("built")
    config = make_config(root / "cfg", BUILT_CONFIG)
    result, report = build(config, FIXTURE, root / "site", base_url=BASE)
    assert not report.problems, report.problems
    assert result.articles == 13  # 14 files, one draft
    return root / "site"


@pytest.fixture
def no_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the Pagefind run (seconds per build) in tests that are not about search."""
    from generator import search

    monkeypatch.setattr(search, "_command", lambda: None)


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


EVERY_KIND = [
    "index.html",
    "page/1/index.html",
    "2026/02/04/index.html",
    "2026/02/04/economy/thirty-two-commercial-documents/index.html",
    "themes/index.html",
    "themes/economy/index.html",
    "themes/economy/feed.xml",
    "archive/index.html",
    "tags/index.html",
    "tags/trade/index.html",
    "sources/index.html",
    "sources/gov-kz/index.html",
    "languages/index.html",
    "languages/ru/index.html",
    "404.html",
    "search/index.html",
    ".nojekyll",
    "robots.txt",
    "sitemap.xml",
    "feed.xml",
    "feed.json",
    "CNAME",
    "static/style.css",
]


@pytest.mark.parametrize("rel", EVERY_KIND)
def test_every_page_kind_exists(built: Path, rel: str) -> None:
    assert (built / rel).is_file()


def test_drafts_are_not_published(built: Path) -> None:
    assert not (built / "2026/02/04/economy/draft-story").exists()
    assert "unfinished draft" not in read(built, "feed.xml")


def test_all_internal_links_resolve(built: Path) -> None:
    report = check_links(built, BASE)
    assert report.pages > 35
    assert report.problems == ()


def test_links_are_relative_and_work_under_any_base_path(built: Path) -> None:
    html = read(built, "2026/02/04/economy/thirty-two-commercial-documents/index.html")
    assert 'href="../../../../../static/style.css"' in html
    assert 'href="/' not in html  # no root-relative links outside the 404 page
    assert f'<link rel="canonical" href="{BASE}2026/02/04/economy/thirty-two-commercial-documents/">' in html
    # 404.html is served at any depth, so it links from the base path instead (and inlines its CSS).
    assert 'href="/digest/archive/index.html"' in read(built, "404.html")


def test_markup_basics(built: Path) -> None:
    html = read(built, "2026/02/03/society/vstrecha-s-vypusknikami/index.html")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<article class="story" lang="ru">' in html
    assert '<div class="body" data-pagefind-body>' in html  # search excerpts: the text, no headline or byline
    assert '<time datetime="2026-02-03">' in html
    assert '<meta property="og:title"' in html and '<meta name="description"' in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html


def test_untrusted_body_html_is_sanitized(built: Path) -> None:
    html = read(built, "2026/02/04/economy/thirty-two-commercial-documents/index.html")
    assert "<script>alert" not in html and "javascript:" not in html and "onclick" not in html
    assert "tracker.example" not in html  # no external images: no requests off the site
    assert '<a href="https://example.com" rel="noopener nofollow">a link</a>' in html


def test_front_page_shows_featured_first_and_theme_sections(built: Path) -> None:
    html = read(built, "index.html")
    assert html.index("Top stories") < html.index("Featured") < html.index("Thursday, 5 February 2026")
    assert 'href="2026/02/05/index.html"' in html
    assert html.count(">Featured<") == 1  # a featured story is shown once
    assert " article<" not in html and " articles<" not in html  # no counts beside theme labels


def test_single_use_tags_have_no_page(built: Path) -> None:
    assert (built / "tags/trade/index.html").is_file()  # three articles
    assert not (built / "tags/obrazovanie").exists()  # one article
    html = read(built, "2026/02/03/society/vstrecha-s-vypusknikami/index.html")
    assert "<li>образование</li>" in html  # shown, not linked


def test_archive_has_inline_svg_charts_with_text_alternatives(built: Path) -> None:
    html = read(built, "archive/index.html")
    assert html.count("<svg ") == 2
    assert '<title id="heat-1-t">Articles per day, 2026</title>' in html
    assert "<table" in html and "<td>4</td>" in html


def test_search_page_loads_pagefind_only_there(built: Path) -> None:
    assert "pagefind-ui.js" in read(built, "search/index.html")
    assert "pagefind" not in read(built, "index.html")
    assert (built / "pagefind" / "pagefind-ui.js").is_file()


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    config = make_config(tmp_path / "cfg", BUILT_CONFIG)
    build(config, FIXTURE, tmp_path / "again", base_url=BASE)
    # Pagefind's own index files are not byte-identical between runs (its filter index order).
    left, right = _files(built), _files(tmp_path / "again")
    assert left == right
    mismatch = filecmp.cmpfiles(built, tmp_path / "again", sorted(left), shallow=False)[1]
    assert mismatch == []


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "pagefind" not in p.parts}


@pytest.mark.usefixtures("no_search")
def test_now_is_printed_only_when_given(tmp_path: Path, site_config: Config) -> None:
    build(site_config, FIXTURE, tmp_path / "a")
    assert "Built <time" not in (tmp_path / "a/index.html").read_text()
    build(site_config, FIXTURE, tmp_path / "b", now=dt.datetime(2026, 3, 1, 12, 0))
    assert '<time datetime="2026-03-01T12:00:00">' in (tmp_path / "b/index.html").read_text()


@pytest.mark.usefixtures("no_search")
def test_broken_content_file_is_named_and_the_rest_builds(tmp_path: Path, site_config: Config) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    write_files(
        content,
        {
            "2026/02/05/economy/broken.md": "---\ntitle: Broken\ndate: 2026-02-31\ntheme: economy\n---\nBody\n",
            "2026/02/05/economy/no-yaml.md": "---\ntitle: [unclosed\ndate: 2026-02-05\n---\nBody\n",
        },
    )
    result, report = build(site_config, content, tmp_path / "site")
    messages = [str(p) for p in report.problems]
    assert any("broken.md:3: " in m and "date" in m for m in messages), messages
    assert any("no-yaml.md:" in m and "invalid YAML" in m for m in messages), messages
    assert report.failed
    assert result.skipped == 2
    assert "(2 files skipped)" in result.summary
    assert (tmp_path / "site/2026/02/05/economy/oil-output-steady/index.html").is_file()


@pytest.mark.usefixtures("no_search")
def test_failed_build_leaves_the_previous_site(tmp_path: Path) -> None:
    config = make_config(tmp_path / "root", "paths:\n  templates: mytemplates\n")
    build(config, FIXTURE, tmp_path / "site")
    before = (tmp_path / "site/index.html").read_bytes()
    write_files(
        tmp_path / "root",
        {"mytemplates/day.html": "{% extends 'base.html' %}{% block main %}{{ page.nope }}{% endblock %}"},
    )
    config = make_config(tmp_path / "root", "paths:\n  templates: mytemplates\n")
    with pytest.raises(BuildError, match=r"day\.html"):
        build(config, FIXTURE, tmp_path / "site")
    assert (tmp_path / "site/index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root", "site"]  # no staging left behind


@pytest.mark.usefixtures("no_search")
def test_site_templates_override_file_by_file(tmp_path: Path) -> None:
    config = make_config(tmp_path / "root", "paths:\n  templates: mytemplates\n")
    write_files(
        tmp_path / "root",
        {
            "mytemplates/404.html": "{% extends 'base.html' %}{% block main %}<h1>Lost at sea</h1>{% endblock %}",
            "mytemplates/static/extra.txt": "hello",
        },
    )
    build(config, FIXTURE, tmp_path / "site")
    assert "Lost at sea" in (tmp_path / "site/404.html").read_text()
    assert (tmp_path / "site/static/extra.txt").read_text() == "hello"
    assert (tmp_path / "site/static/style.css").is_file()


@pytest.mark.usefixtures("no_search")
def test_refuses_to_replace_a_directory_that_is_not_a_site(tmp_path: Path, site_config: Config) -> None:
    write_files(tmp_path / "precious", {"thesis.txt": "do not delete"})
    with pytest.raises(BuildError, match="holds no built site"):
        build(site_config, FIXTURE, tmp_path / "precious")
    assert (tmp_path / "precious/thesis.txt").is_file()


@pytest.mark.usefixtures("no_search")
def test_empty_content_builds_a_site(tmp_path: Path, site_config: Config) -> None:
    result, report = build(site_config, tmp_path / "nothing", tmp_path / "site")
    assert result.articles == 0 and not report.failed
    assert "No articles yet" in (tmp_path / "site/index.html").read_text()


def test_pagefind_missing_is_a_warning_and_the_page_says_so(
    tmp_path: Path, site_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import search

    monkeypatch.setattr(search, "_command", lambda: None)
    result, report = build(site_config, FIXTURE, tmp_path / "site")
    assert not report.failed
    assert any("search index not built" in str(p) for p in report.problems)
    html = (tmp_path / "site/search/index.html").read_text()
    assert "Search is not available" in html and "pagefind-ui.js" not in html
    assert not result.search


def test_pagefind_failure_rewrites_the_search_page(
    tmp_path: Path, site_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import search

    monkeypatch.setattr(search, "_command", lambda: ["false"])
    _, report = build(site_config, FIXTURE, tmp_path / "site")
    assert not report.failed
    assert "building its index failed" in (tmp_path / "site/search/index.html").read_text()


class TestIncremental:
    """SiteBuilder.rebuild re-renders only what a content change affects."""

    @pytest.fixture(autouse=True)
    def _builders(self) -> Iterator[list[SiteBuilder]]:
        made: list[SiteBuilder] = []
        self.made = made
        yield made
        for builder in made:
            builder.wait()  # let the background search refresh finish before tmp_path goes

    def setup(self, tmp_path: Path, config: Config) -> tuple[SiteBuilder, Path, Path]:
        content = tmp_path / "content"
        shutil.copytree(FIXTURE, content)
        builder = SiteBuilder(config, content_dir=content, output_dir=tmp_path / "site")
        self.made.append(builder)
        builder.build(RunReport())
        return builder, content, tmp_path / "site"

    def mtimes(self, site: Path) -> dict[str, int]:
        return {
            p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.*") if "pagefind" not in p.parts
        }

    def test_edit_rewrites_only_affected_pages(self, tmp_path: Path, site_config: Config) -> None:
        builder, content, site = self.setup(tmp_path, site_config)
        before = self.mtimes(site)
        before_index = search.published_bundles(site)
        path = content / "2026/02/03/economy/bank-keeps-base-rate.md"
        path.write_text(path.read_text().replace("The rate stays at 16.5 percent, the", "The rate stays at 16.5%, the"))
        result = builder.rebuild([path], RunReport())
        after = self.mtimes(site)
        changed = {rel for rel in after if after[rel] != before.get(rel)}
        assert "2026/02/03/economy/bank-keeps-base-rate/index.html" in changed
        assert "feed.xml" in changed and "feed.json" in changed
        assert "2026/02/02/index.html" not in changed
        assert "tags/trade/index.html" not in changed
        assert "static/style.css" not in changed
        assert result.written == len(changed)
        assert "16.5%" in (site / "2026/02/03/economy/bank-keeps-base-rate/index.html").read_text()
        builder.wait()
        # Search refreshed: the edited article's shard has a new bundle, and only it.
        after_index = search.published_bundles(site)
        assert [name[:7] for name in after_index] == [name[:7] for name in before_index] == ["2026-02"]
        assert after_index != before_index
        assert json.loads((site / "pagefind/bundles.json").read_text())["pending"] is False

    @pytest.mark.usefixtures("no_search")
    def test_an_edited_article_is_shown_before_the_rest_of_the_rebuild(
        self, tmp_path: Path, site_config: Config
    ) -> None:
        builder, content, site = self.setup(tmp_path, site_config)
        page = site / "2026/02/03/economy/bank-keeps-base-rate/index.html"
        seen: list[tuple[str, str]] = []  # (the article page, the theme page) when the hook runs
        builder.on_edited_shown = lambda: seen.append(
            (page.read_text(), (site / "themes/economy/index.html").read_text())
        )
        path = content / "2026/02/03/economy/bank-keeps-base-rate.md"
        text = path.read_text()
        path.write_text(text.replace("title: National Bank keeps the base rate", "title: Base rate unchanged"))
        builder.rebuild([path], RunReport())
        assert len(seen) == 1
        shown, listing = seen[0]
        assert "Base rate unchanged" in shown and "Base rate unchanged" not in listing  # the page first
        assert "Base rate unchanged" in (site / "themes/economy/index.html").read_text()  # then the rest
        # A move to another theme is not shown early: only the full layout can place it.
        path.write_text(text.replace("theme: economy", "theme: politics"))
        builder.rebuild([path], RunReport())
        assert len(seen) == 1
        assert (site / "2026/02/03/politics/bank-keeps-base-rate/index.html").is_file()

    @pytest.mark.usefixtures("no_search")
    def test_title_edit_updates_lists_and_neighbours(self, tmp_path: Path, site_config: Config) -> None:
        builder, content, site = self.setup(tmp_path, site_config)
        path = content / "2026/02/03/economy/bank-keeps-base-rate.md"
        path.write_text(
            path.read_text().replace("title: National Bank keeps the base rate", "title: Base rate unchanged")
        )
        builder.rebuild([path], RunReport())
        for rel in (
            "2026/02/03/index.html",
            "themes/economy/index.html",
            "2026/02/03/diplomacy/minister-visits-tashkent/index.html",
        ):
            assert "Base rate unchanged" in (site / rel).read_text(), rel

    @pytest.mark.usefixtures("no_search")
    def test_incremental_equals_full_build(self, tmp_path: Path, site_config: Config) -> None:
        builder, content, site = self.setup(tmp_path, site_config)
        path = content / "2026/02/05/economy/oil-output-steady.md"
        path.write_text(path.read_text().replace("- energy", "- oil"))
        (content / "2026/02/02/culture/museum-opens-new-hall.md").unlink()
        builder.rebuild([path, content / "2026/02/02/culture/museum-opens-new-hall.md"], RunReport())
        assert not (site / "tags/energy").exists() or not (site / "tags/energy/index.html").exists()
        assert not (site / "2026/02/02/culture/museum-opens-new-hall/index.html").exists()
        build(site_config, content, tmp_path / "full")
        assert _files(site) == _files(tmp_path / "full")
        assert filecmp.cmpfiles(site, tmp_path / "full", sorted(_files(site)), shallow=False)[1] == []

    @pytest.mark.usefixtures("no_search")
    def test_broken_edit_is_reported_and_the_page_dropped(self, tmp_path: Path, site_config: Config) -> None:
        builder, content, site = self.setup(tmp_path, site_config)
        path = content / "2026/02/05/economy/oil-output-steady.md"
        path.write_text("---\ntitle: x\n---\nno date\n")
        report = RunReport()
        builder.rebuild([path], report)
        assert any("oil-output-steady.md:1: missing date" in str(p) for p in report.problems), report.problems
        assert not (site / "2026/02/05/economy/oil-output-steady/index.html").exists()

    @pytest.mark.usefixtures("no_search")
    def test_template_change_means_full_build(self, tmp_path: Path, site_config: Config) -> None:
        builder, _, _ = self.setup(tmp_path, site_config)
        result = builder.rebuild([site_config.paths.templates / "base.html"], RunReport())
        assert result.full


def test_article_pages_fit_the_size_budget(built: Path) -> None:
    css = (built / "static/style.css").stat().st_size
    for page in (built / "2026").glob("*/*/*/*/index.html"):
        assert page.stat().st_size + css <= 25_000, page  # HTML + CSS of one article page


def test_main_keeps_space_above_the_footer(built: Path) -> None:
    # <main class="wrap">: a padding shorthand on .wrap would cancel main's bottom padding.
    css = read(built, "static/style.css")
    assert "main { padding-bottom: 3rem; }" in css
    assert not re.search(r"^\.wrap \{[^}]*padding:", css, re.MULTILINE)  # (print may reset it)


def test_built_feeds_are_valid_and_absolute(built: Path) -> None:
    import json

    import feedparser

    for rel in ("feed.xml", "themes/economy/feed.xml"):
        parsed = feedparser.parse(read(built, rel))
        assert not parsed.bozo, (rel, parsed.get("bozo_exception"))
        assert parsed.entries and all(e.link.startswith(BASE) for e in parsed.entries)
        assert parsed.feed.updated == "2026-02-05T00:00:00Z"  # the newest article, not the build time
    data = json.loads(read(built, "feed.json"))
    assert len(data["items"]) == 13 and data["feed_url"] == BASE + "feed.json"
    assert read(built, "robots.txt").endswith(f"Sitemap: {BASE}sitemap.xml\n")
    assert f"<loc>{BASE}2026/02/04/</loc>" in read(built, "sitemap.xml")
