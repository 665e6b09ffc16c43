"""The content store: reading, validating, writing and moving content files."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from slugify import slugify

from generator import content, frontmatter
from generator.config import Config
from generator.errors import ContentError
from generator.models import Article, Reporter, Severity

from .conftest import write_files

GOOD = """\
---
id: a1
title: Budget approved
date: 2026-02-04
theme: economy
tags: [budget]
language: en
source: gov.kz
source_url: https://www.gov.kz/news/1
summary: The budget was approved.
also_reported_by: []
origin: raw/x.txt:3
featured: false
draft: false
reviewer_note: keep this
---
The budget was approved.
"""


def _article(**changes: Any) -> Article:
    base = Article(
        id="b2", title="Новый закон о связи", date=dt.date(2026, 2, 5), theme="politics", body="Текст.", language="ru"
    )
    return replace(base, **changes)


def test_load_keeps_unknown_keys_and_round_trips(tmp_path: Path, site_config: Config) -> None:
    write_files(tmp_path, {"2026/02/04/economy/budget-approved.md": GOOD})
    tree = content.load_content(tmp_path, site_config)
    assert tree.problems == ()
    (article,) = tree.articles
    assert article.extra == (("reviewer_note", "keep this"),)
    assert article.slug == "budget-approved"
    assert article.url == "2026/02/04/economy/budget-approved/"
    assert content.render_article(article) == GOOD


def test_every_front_matter_field_round_trips_in_declared_order(tmp_path: Path, site_config: Config) -> None:
    article = _article(
        published=dt.datetime(2026, 2, 5, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        theme_reason="keywords: закон",
        tags=("связь", "law"),
        source="Nomad Post",
        source_url="https://nomad.example/a/1",
        summary="Принят закон.",
        sections=("Политика",),
        also_reported_by=(Reporter("Altai Observer", "https://altai.example/2"), Reporter("Steppe FM")),
        origin="raw/nomad.jsonl:4",
        date_source="json-ld",
        featured=True,
        draft=True,
        extra=(("reviewer_note", "keep"),),
    )
    text = content.render_article(article)
    meta = frontmatter.split(text, "a.md")[0]
    assert tuple(meta) == (*content.KNOWN_KEYS, "reviewer_note")
    rel = content.write_articles([article], tmp_path)[0]
    (back,) = content.load_content(tmp_path, site_config).articles
    assert back == replace(article, slug=back.slug, src_path=rel)
    assert back.extra == article.extra and content.render_article(back) == text


def test_empty_optional_keys_are_not_written() -> None:
    meta = frontmatter.split(content.render_article(_article()), "a.md")[0]
    assert not {"published", "theme_reason", "sections", "date_source"} & set(meta)
    assert meta["tags"] == [] and meta["featured"] is False


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("---\ndate: 2026-02-04\n---\nx\n", 1, "missing title"),
        ("---\ntitle: t\n---\nx\n", 1, "missing date"),
        ("---\ntitle: t\ndate: 2026-13-01\n---\n", 3, "invalid value"),
        ("---\ntitle: t\ndate: 2026-02-04\ntheme: sport\n---\n", 4, "theme 'sport' is not in the config"),
        ("---\ntitle: t\ndate: 2026-02-04\ntags: {a: 1}\n---\n", 4, "tags must be a list"),
        ("---\ntitle: t\ndate: 2026-02-04\ndraft: maybe\n---\n", 4, "draft must be true or false"),
        ("---\ntitle: t\ndate: 2026-02-04\nfeatured: null\n---\n", 4, "featured must be true or false, got None"),
        ("---\ntitle: t\ndate: '2026-02-31'\n---\n", 3, "impossible date '2026-02-31'"),
        ("---\ntitle: t\ndate: 0001-01-01\n---\n", 3, "date 0001-01-01 is out of range"),
        ("---\ntitle: t\ndate: 2026-02-04\npublished: soon\n---\n", 4, "invalid published time 'soon'"),
        ("title: t\n", 1, "no front matter"),
    ],
)
def test_bad_files_are_located_and_skipped(
    tmp_path: Path, site_config: Config, text: str, line: int, fragment: str
) -> None:
    write_files(tmp_path, {"2026/02/04/economy/bad.md": text, "2026/02/04/economy/good.md": GOOD})
    tree = content.load_content(tmp_path, site_config)
    assert [a.slug for a in tree.articles] == ["good"]
    (problem,) = tree.problems
    assert problem.path.endswith("2026/02/04/economy/bad.md")
    assert problem.line == line
    assert fragment in problem.message
    assert tree.files == 2


def test_non_utf8_file_is_reported(tmp_path: Path, site_config: Config) -> None:
    write_files(tmp_path, {"a.md": b"---\ntitle: x\n" + "дата".encode("cp1251") + b"\n---\n"})
    tree = content.load_content(tmp_path, site_config)
    assert tree.articles == ()
    assert "not valid UTF-8" in tree.problems[0].message
    assert tree.problems[0].line == 3


def test_duplicate_ids_are_reported(tmp_path: Path, site_config: Config) -> None:
    write_files(tmp_path, {"2026/02/04/economy/a.md": GOOD, "2026/02/04/economy/b.md": GOOD})
    tree = content.load_content(tmp_path, site_config)
    assert len(tree.articles) == 1
    assert "duplicate id 'a1'" in tree.problems[0].message


def test_write_transliterates_and_never_overwrites(tmp_path: Path, site_config: Config) -> None:
    first = content.write_articles([_article()], tmp_path)[0]
    assert first == "2026/02/05/politics/novyi-zakon-o-sviazi.md"
    second = content.write_articles([_article(id="c3")], tmp_path)[0]
    assert second == "2026/02/05/politics/novyi-zakon-o-sviazi-2.md"
    assert (tmp_path / first).read_text(encoding="utf-8").startswith("---\nid: b2\n")
    tree = content.load_content(tmp_path, site_config)
    assert {a.id for a in tree.articles} == {"b2", "c3"}


def test_write_follows_a_symlinked_folder_inside_and_refuses_one_outside(tmp_path: Path) -> None:
    content_dir, outside = tmp_path / "content", tmp_path / "outside"
    (content_dir / "2026/02").mkdir(parents=True)
    (content_dir / "elsewhere").mkdir()
    outside.mkdir()
    (content_dir / "2026/02/05").symlink_to(content_dir / "elsewhere")
    rel = content.write_articles([_article()], content_dir)[0]
    assert (content_dir / "elsewhere/politics" / Path(rel).name).is_file()
    (content_dir / "2026/02/06").symlink_to(outside)
    with pytest.raises(ContentError, match="escapes the content directory"):
        content.write_articles([_article(id="c3", date=dt.date(2026, 2, 6))], content_dir)
    assert not any(outside.iterdir())


def test_slugs_are_ascii_and_bounded() -> None:
    slug = content.make_slug("Қазақстан " * 20, "fallback")
    assert slug.isascii() and len(slug) <= 80 and not slug.endswith("-")
    assert content.make_slug("!!!", "abc123") == "abc123"
    assert content.make_slug("../../etc/passwd", "x") == "etc-passwd"


@pytest.mark.parametrize(
    "title",
    ["Қазақстан " * 20, "Новый закон о связи", "Budget 2026: what changes?", "covid-19", "a-b-c", "2026", "x" * 90],
)
def test_a_slug_is_its_own_slug(title: str) -> None:
    """Ingest slugs titles in the workers; slugging that slug again must change nothing."""
    slug = content.make_slug(title, "abc123")
    assert content.make_slug(slug, "abc123") == slug
    assert slugify(slug, max_length=content.MAX_SLUG, word_boundary=True, save_order=True) == slug


def test_safe_join_refuses_escapes(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="escapes"):
        content.safe_join(tmp_path, "../outside.md")
    assert content.safe_join(tmp_path, "2026/a.md") == (tmp_path / "2026/a.md").resolve()


def test_ids_are_stable() -> None:
    a = content.make_id("https://WWW.Gov.kz/news/1/", "x", None, "t")
    assert a == content.make_id("https://www.gov.kz/news/1", "y", dt.date(2020, 1, 1), "other")
    b = content.make_id("", "gov.kz", dt.date(2026, 2, 4), "Budget  approved!")
    assert b == content.make_id("", "gov.kz", dt.date(2026, 2, 4), "budget approved")
    assert len(a) == 12 and a != b


def test_misplaced_and_move(tmp_path: Path, site_config: Config) -> None:
    write_files(tmp_path, {"2026/01/01/politics/budget-approved.md": GOOD})
    tree = content.load_content(tmp_path, site_config)
    ((article, folder),) = content.misplaced(tree)
    assert folder == "2026/02/04/economy"
    moved = content.move_article(article, tmp_path)
    assert moved.src_path == "2026/02/04/economy/budget-approved.md"
    assert not (tmp_path / "2026/01").exists()
    assert content.misplaced(content.load_content(tmp_path, site_config)) == []


def test_also_reported_by_round_trips_names_and_urls(tmp_path: Path, site_config: Config) -> None:
    old = GOOD.replace(
        "also_reported_by: []",
        "also_reported_by: ['https://www.silkroad-times.example/a/1', Nomad Post, {source: Altai Observer}]",
    )
    write_files(tmp_path, {"2026/02/04/economy/budget-approved.md": old})
    (article,) = content.load_content(tmp_path, site_config).articles
    # An older file's plain URL names its outlet by its host; a bare name is the outlet alone.
    assert article.also_reported_by == (
        Reporter("silkroad-times.example", "https://www.silkroad-times.example/a/1"),
        Reporter("Nomad Post"),
        Reporter("Altai Observer"),
    )
    text = content.render_article(article)
    assert "- {source: silkroad-times.example, url: 'https://www.silkroad-times.example/a/1'}" in text
    assert "- {source: Nomad Post}" in text
    write_files(tmp_path / "again", {"2026/02/04/economy/budget-approved.md": text})
    (back,) = content.load_content(tmp_path / "again", site_config).articles
    assert back.also_reported_by == article.also_reported_by
    assert back.outlets == ("gov.kz", "silkroad-times.example", "Nomad Post", "Altai Observer")


def test_also_reported_by_rejects_what_is_not_an_outlet(tmp_path: Path, site_config: Config) -> None:
    bad = GOOD.replace("also_reported_by: []", "also_reported_by: [{source: X, url: 'ftp://x'}]")
    write_files(tmp_path, {"2026/02/04/economy/budget-approved.md": bad})
    tree = content.load_content(tmp_path, site_config)
    assert tree.articles == ()
    assert "also_reported_by must be a list of outlets" in str(tree.problems[0])


def test_a_source_url_that_is_not_http_is_dropped_with_a_warning(tmp_path: Path, site_config: Config) -> None:
    write_files(tmp_path, {"2026/02/04/economy/a.md": GOOD.replace("https://www.gov.kz/news/1", "ftp://gov.kz/1")})
    tree = content.load_content(tmp_path, site_config)
    (article,) = tree.articles
    assert article.source_url == ""
    (warning,) = tree.problems
    assert (
        str(warning)
        == f"{tmp_path}/2026/02/04/economy/a.md:9: source_url is not http(s): 'ftp://gov.kz/1' (it is not linked)"
    )
    assert warning.severity is Severity.WARNING
