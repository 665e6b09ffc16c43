"""Editorial rules (drafts, pin, hide, theme overrides, exclusions) and ranking."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from generator.config import Config
from generator.curate import apply_editorial, curate
from generator.curate.rank import score_articles
from generator.models import Article, Reporter, Severity
from tests.conftest import make_config

DAY = dt.date(2026, 2, 4)


def stored(id: str, *, date: dt.date = DAY, body: str = "Some words here.", **kw: object) -> Article:
    """Return an article as content/ holds it."""
    fields: dict[str, object] = {
        "id": id,
        "title": f"Story {id}",
        "date": date,
        "theme": "general",
        "body": body,
        "source": "gov.kz",
        "src_path": f"{date:%Y/%m/%d}/general/{id}.md",
    }
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


RULES = """
curation:
  exclude_sources: [spam.example]
  exclude_keywords: [casino, "horoscop-"]
  pin: [p1]
  hide: [h1]
  themes: {t1: culture}
  source_priority: {tass: 5}
"""


@pytest.fixture
def ruled(tmp_path: Path) -> Config:
    return make_config(tmp_path / "site", RULES)


def ids(articles: tuple[Article, ...]) -> list[str]:
    return [a.id for a in articles]


def test_drafts_and_hidden_ids_are_dropped(ruled: Config) -> None:
    out = apply_editorial([stored("a"), stored("d", draft=True), stored("h1")], ruled)
    assert ids(out) == ["a"]


def test_pinned_ids_become_featured_and_rank_first(ruled: Config) -> None:
    out = apply_editorial([stored("a", also_reported_by=(Reporter("x"), Reporter("y"))), stored("p1")], ruled)
    assert ids(out) == ["p1", "a"]
    assert out[0].featured


def test_theme_override_by_id(ruled: Config) -> None:
    (out,) = apply_editorial([stored("t1")], ruled)
    assert out.theme == "culture"
    assert "curation.themes" in out.theme_reason


def test_excluded_sources_and_keywords_are_dropped_at_build(ruled: Config) -> None:
    articles = [
        stored("s1", source="spam.example"),
        stored("s2", source="x", source_url="https://news.spam.example/a"),
        stored("k1", body="The new Casino opens."),
        stored("k2", title="Daily horoscopes"),
        stored("k3", body="Casinos are not the keyword casino."),  # whole word: still excluded
        stored("ok", body="Casinos everywhere."),  # "casino" is whole-word: "Casinos" does not match
    ]
    assert ids(apply_editorial(articles, ruled)) == ["ok"]


def test_excluded_candidates_are_reported_as_warnings(ruled: Config) -> None:
    bad = replace(stored("n1", source="spam.example", src_path=""), theme="", origin="raw/spam.txt:12")
    good = replace(stored("n2", src_path=""), theme="", origin="raw/good.txt:3")
    result = curate([bad, good], [], ruled)
    assert ids(result.new) == ["n2"]
    (problem,) = result.problems
    assert (problem.path, problem.line, problem.severity) == ("raw/spam.txt", 12, Severity.WARNING)
    assert "exclude_sources" in problem.message
    assert "Story n1" in str(problem)


def test_curate_applies_the_theme_override_so_the_file_lands_in_its_folder(ruled: Config) -> None:
    candidate = replace(stored("t1", src_path="", title="Parliament votes on the budget"), theme="")
    (new,) = curate([candidate], [], ruled).new
    assert new.theme == "culture"


def test_ranking_more_sources_beat_fewer_and_featured_beats_all(site_config: Config) -> None:
    articles = [
        stored("lone", body="word " * 500, summary="Long and summarised."),
        stored("three", also_reported_by=(Reporter("a", "https://a.example/1"), Reporter("b"))),
        stored("two", also_reported_by=(Reporter("a", "https://a.example/2"),)),
        stored("star", featured=True),
        stored("old", date=DAY - dt.timedelta(days=1), also_reported_by=(Reporter("x"), Reporter("y"), Reporter("z"))),
    ]
    out = apply_editorial(articles, site_config)
    # Newest day first; within a day featured, then by number of sources.
    assert ids(out) == ["star", "three", "two", "lone", "old"]
    assert all(a.score > 0 for a in out)


def test_source_priority_and_substance_add_to_the_score(ruled: Config) -> None:
    plain, tass, rich = score_articles(
        [stored("a"), stored("b", source="tass"), stored("c", body="word " * 400, summary="S.")], ruled
    )
    assert tass.score == plain.score + 5
    assert rich.score > plain.score
    assert rich.score < plain.score + 10  # substance never outweighs one more source


def test_editorial_result_is_deterministic(ruled: Config) -> None:
    articles = [stored(f"a{i}", date=DAY - dt.timedelta(days=i % 3)) for i in range(12)]
    assert apply_editorial(articles, ruled) == apply_editorial(list(reversed(articles)), ruled)
