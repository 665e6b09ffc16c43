"""End to end through the CLI: the editorial site (stories ranked, outlets named, related reading).

Raw inputs from three outlets are ingested and built with `digest`, and the pages are read
as a reader sees them: a story three outlets reported leads the front page with its
outlets, a featured story shows once, related reading crosses days, tags used once have
no page, counts speak proper English and `-q` is quiet.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from .conftest import run_digest, write_files

DAM = [
    "The government approved the construction of the Kambarata dam cascade on the Naryn river on Thursday,",
    "a project shared by Kyrgyzstan, Kazakhstan and Uzbekistan that is expected to cost about four billion",
    "dollars and produce 1,860 megawatts of electricity when the first turbines start working in 2030.",
    "Engineers said the reservoir would also give farmers in the Fergana valley a steadier supply of water",
    "for irrigation during the dry summer months, when the three countries have long argued over releases.",
]
DAM_TEXT = " ".join(DAM)


def _jsonl(source: str, items: list[dict[str, object]]) -> str:
    return "".join(json.dumps({"source": source, "language": "en", **item}) + "\n" for item in items)


def _rss(title: str, items: list[tuple[str, str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{when}</pubDate>"
        f"<description>&lt;p&gt;{body}&lt;/p&gt;</description></item>"
        for t, link, when, body in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://{title.lower().replace(' ', '-')}.example/</link>"
        f"<description>News</description><language>en</language>{entries}</channel></rss>"
    )


def _raw_site(root: Path) -> Path:
    """Write three outlets' raw files: one story all three covered, others covered once."""
    filler = (
        "Officials said more details would follow next week, after consultations with the regional "
        "administrations and the ministries involved in the programme."
    )
    write_files(
        root,
        {
            "digest.yaml": "title: Test Digest\nfront_page_days: 2\n",
            "raw/steppe-wire.jsonl": _jsonl(
                "Steppe Wire",
                [
                    {
                        "title": "Neighbours approve the Kambarata dam on the Naryn river",
                        "date": "2026-03-05",
                        "url": "https://steppe-wire.example/kambarata-dam",
                        "body": [DAM_TEXT],
                    },
                    {
                        "title": "Almaty opens a new metro station",
                        "date": "2026-03-05",
                        "url": "https://steppe-wire.example/metro",
                        "body": [f"The new station on the first line opened to passengers on Thursday. {filler}"],
                    },
                    {
                        "title": "Talks on the Kambarata dam resume in Bishkek",
                        "date": "2026-03-02",
                        "url": "https://steppe-wire.example/kambarata-talks",
                        "body": [f"Energy ministers met to discuss sharing the cost of the project. {filler}"],
                    },
                ],
            ),
            "raw/naryn-news.rss": _rss(
                "Naryn News",
                [
                    (
                        "Kambarata cascade gets the green light",
                        "https://naryn-news.example/2026/03/05/kambarata",
                        "Thu, 05 Mar 2026 16:45:00 +0600",
                        "BISHKEK. " + DAM_TEXT,
                    ),
                    (
                        "Shepherds move flocks to spring pastures",
                        "https://naryn-news.example/2026/03/05/pastures",
                        "Thu, 05 Mar 2026 09:15:00 +0600",
                        f"Herders in the Naryn region began moving their flocks to spring pastures. {filler}",
                    ),
                ],
            ),
            "raw/valley-post.jsonl": _jsonl(
                "Valley-Post",
                [
                    {
                        "title": "Three countries agree to build the Kambarata dam",
                        "date": "2026-03-05",
                        "url": "https://valley-post.example/news/kambarata",
                        "body": [DAM_TEXT + " The agreement was signed in Bishkek."],
                    }
                ],
            ),
        },
    )
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingest and build the three outlets' raw files; mark one story featured first."""
    root = _raw_site(tmp_path_factory.mktemp("editorial"))
    code, output = run_digest(["ingest"], root)
    assert code == 0, output
    metro = next((root / "content").rglob("*metro*.md"))
    metro.write_text(metro.read_text(encoding="utf-8").replace("featured: false", "featured: true"), encoding="utf-8")
    code, output = run_digest(["build", "--no-ingest"], root)
    assert code == 0, output
    return root


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_story_three_outlets_reported_is_one_article_with_every_outlet(site: Path) -> None:
    dam = [p for p in (site / "content").rglob("*.md") if "kambarata" in p.read_text(encoding="utf-8").lower()]
    merged = [p for p in dam if "2026/03/05" in p.as_posix()]
    assert len(merged) == 1  # three copies, one story
    text = merged[0].read_text(encoding="utf-8")
    # Each absorbed copy is recorded with its outlet's name and its URL.
    assert "also_reported_by:\n- {source: " in text
    for name, url in (
        ("Naryn News", "https://naryn-news.example/2026/03/05/kambarata"),
        ("Steppe Wire", "https://steppe-wire.example/kambarata-dam"),
        ("Valley-Post", "https://valley-post.example/news/kambarata"),
    ):
        assert (name in text) and (url in text), name


def test_the_widely_reported_story_leads_the_front_page_with_its_outlets(site: Path) -> None:
    main = _main((site / "site/index.html").read_text(encoding="utf-8"))
    lead = main.split('<section class="lead"', 1)[1].split("</section>", 1)[0]
    stories = lead.split("<li")[1:]
    # The featured story is pinned first; the story three outlets reported comes next, above lone ones.
    assert "metro" in stories[0]
    assert "Kambarata" in stories[1]
    said = _text(stories[1])
    assert "3 sources" in said
    for name in ("Naryn News", "Steppe Wire", "Valley-Post"):
        assert name in said
    assert '<span class="outlet">Valley-Post</span>' in stories[1]  # a name is never broken at its hyphen
    # The time of day where the source gave one (the feed did, for the pastures story).
    assert '<time datetime="2026-03-05T09:15:00+06:00">09:15</time>' in main


def test_a_featured_story_appears_once_on_the_front_page(site: Path) -> None:
    main = _main((site / "site/index.html").read_text(encoding="utf-8"))
    assert main.count("Almaty opens a new metro station") == 1
    # Every story at most once: no headline link repeated.
    links = re.findall(r'<a href="(2026/[^"]+)"', main)
    stories = [link for link in links if link.count("/") > 4]
    assert len(stories) == len(set(stories))
    assert " article<" not in main and "1 articles" not in main  # no counts beside theme labels


def test_the_day_page_follows_the_front_page_order_and_so_do_neighbours(site: Path) -> None:
    day = _main((site / "site/2026/03/05/index.html").read_text(encoding="utf-8"))
    order = re.findall(r'<a href="\.\./\.\./\.\./(2026/03/05/[a-z]+/[^"/]+/)index\.html"', day)
    assert len(order) == 3, day
    for before, after in itertools.pairwise(order):
        article = (site / "site" / after / "index.html").read_text(encoding="utf-8")
        # previous = the story above it on the day page
        assert f'rel="prev" href="../../../../../{before}index.html"' in article


def test_the_article_page_lists_every_outlet_with_a_link_to_its_copy(site: Path) -> None:
    page = next((site / "site/2026/03/05").glob("*/*kambarata*/index.html"), None) or next(
        p for p in (site / "site/2026/03/05").glob("*/*/index.html") if "Kambarata" in p.read_text(encoding="utf-8")
    )
    html = page.read_text(encoding="utf-8")
    coverage = html.split('<section class="coverage"', 1)[1].split("</section>", 1)[0]
    assert "Reported by 3 sources" in coverage
    for url in (
        "https://naryn-news.example/2026/03/05/kambarata",
        "https://steppe-wire.example/kambarata-dam",
        "https://valley-post.example/news/kambarata",
    ):
        assert url in coverage or url in html
    assert coverage.count('rel="nofollow noopener"') == 3
    assert ">Valley-Post</a>" in coverage and "valley-post.example</a>" not in coverage
    # Related reading crosses days: the talks three days earlier share the dam's name.
    earlier = html.split('<aside class="related" aria-labelledby="earlier">', 1)[1].split("</aside>", 1)[0]
    assert "Talks on the Kambarata dam resume in Bishkek" in earlier
    assert "2 March 2026" in earlier
    assert len(html.encode()) + len((site / "site/static/style.css").read_bytes()) <= 25_000


def test_search_indexes_the_text_without_headline_or_byline(site: Path) -> None:
    html = next((site / "site/2026/03/05").glob("*/*/index.html")).read_text(encoding="utf-8")
    assert html.count("data-pagefind-body") == 1
    headline = html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "data-pagefind-body" not in headline and 'data-pagefind-meta="title"' in headline


def test_single_use_tags_have_no_page_and_no_link(tmp_path: Path) -> None:
    article = (
        "---\ntitle: {title}\ndate: 2026-03-0{day}\ntheme: economy\ntags: [{tags}]\nsource: S\n"
        "also_reported_by: ['https://other.example/x']\n---\nText.\n"
    )
    write_files(
        tmp_path,
        {
            "content/2026/03/01/economy/one.md": article.format(title="One story", day=1, tags="wheat, rare-word"),
            "content/2026/03/02/economy/two.md": article.format(title="Two story", day=2, tags="wheat"),
        },
    )
    code, output = run_digest(["build", "--no-ingest", "--content", "content"], tmp_path)
    assert code == 0, output
    assert (tmp_path / "site/tags/wheat/index.html").is_file()
    assert not (tmp_path / "site/tags/rare-word").exists()
    html = (tmp_path / "site/2026/03/01/economy/one/index.html").read_text(encoding="utf-8")
    assert "<li>rare-word</li>" in html and ">wheat</a>" in html
    # An older file's plain URL still names its outlet (by its host) and links to its copy.
    assert '<a class="outlet" href="https://other.example/x" rel="nofollow noopener">other.example</a>' in html
    tags = (tmp_path / "site/tags/index.html").read_text(encoding="utf-8")
    assert "rare-word" not in tags


def test_counts_speak_english(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {"content/2026/03/01/economy/one.md": "---\ntitle: Alone\ndate: 2026-03-01\ntheme: economy\n---\nText.\n"},
    )
    code, output = run_digest(["build", "--no-ingest", "--content", "content"], tmp_path)
    assert code == 0, output
    assert output.startswith("1 article → ")
    pages = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html")}
    assert "1 article in 1 theme." in pages[tmp_path / "site/2026/03/01/index.html"]
    for path, html in pages.items():
        assert not re.search(r"\b1 (articles|sources|themes|days)\b", _text(html)), path
    themes = _text(pages[tmp_path / "site/themes/index.html"])
    assert "Economy" in themes and "Politics" not in themes  # no theme listed with 0 articles


def test_quiet_means_quiet_after_the_command_too(site: Path) -> None:
    for args in (["build", "--no-ingest", "-q"], ["-q", "build", "--no-ingest"], ["ingest", "-q"]):
        code, output = run_digest(args, site)
        assert (code, output) == (0, ""), args
    code, output = run_digest(["build", "--no-ingest"], site)
    assert code == 0 and "→" in output
