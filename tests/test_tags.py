"""Tags: names a reader would look for, one form per language, never a theme or an adjective."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.config import Config
from generator.curate import curate
from generator.curate.tags import SYNONYMS, Tagger
from generator.curate.themes import classify_article, make_tags
from generator.models import Article


def article(title: str, body: str = "", **kw: object) -> Article:
    """Return a candidate article as ingest makes it (no theme yet)."""
    fields: dict[str, object] = {"id": "a1", "title": title, "date": dt.date(2026, 2, 4), "theme": "", "body": body}
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


def tags_of(a: Article, config: Config) -> tuple[str, ...]:
    return make_tags(a, classify_article(a, config))


def test_no_tag_is_a_theme_name_slug_or_label_in_another_language(site_config: Config) -> None:
    given = ("Economy", "environment", "Society", "Общество", "Wirtschaft", "Саясат", "Astana")
    tags = tags_of(article("Budget talks in Astana", "The budget was discussed.", tags=given), site_config)
    names = {w.casefold() for t in site_config.themes for w in (t.slug, t.label, *t.sections)}
    assert tags and not names & set(tags)
    assert "astana" in tags


@pytest.mark.parametrize("adjective", ["аккумуляторные", "экологиялық", "national", "digitale", "Turkic", "political"])
def test_a_bare_adjective_is_not_a_tag(adjective: str) -> None:
    assert Tagger().normalise(adjective, "ru") == ""


def test_a_demonym_is_its_country() -> None:
    assert Tagger().normalise("Kazakh", "en") == "kazakhstan"
    assert Tagger().normalise("Uzbek", "ru") == "узбекистан"
    assert Tagger().normalise("Kyrgyz", "de") == "kirgisistan"


def test_adjective_with_a_noun_is_a_name() -> None:
    assert Tagger().normalise("Рязанская область", "ru") == "рязанская область"
    assert Tagger().normalise("Central Bank", "en") == "central bank"


@pytest.mark.parametrize(
    ("given", "language", "tag"),
    [
        ("AI", "en", "artificial intelligence"),
        ("artificial intelligence", "en", "artificial intelligence"),
        ("ИИ", "ru", "искусственный интеллект"),
        ("искусственный интеллект", "ru", "искусственный интеллект"),
        ("KI", "de", "künstliche intelligenz"),
        ("U.S.", "en", "usa"),
        ("United States", "en", "usa"),
        ("США", "ru", "сша"),
        ("European Union", "en", "eu"),
        ("Евросоюз", "ru", "евросоюз"),
    ],
)
def test_synonyms_fold_to_one_form_per_language(given: str, language: str, tag: str) -> None:
    assert Tagger().normalise(given, language) == tag


def test_ai_and_artificial_intelligence_are_one_tag(site_config: Config) -> None:
    a = article(
        "Government approves national AI strategy",
        "The artificial intelligence strategy covers AI research.",
        tags=("AI", "Artificial Intelligence"),
    )
    tags = tags_of(a, site_config)
    assert tags.count("artificial intelligence") == 1
    assert "ai" not in tags


def test_synonym_table_is_data_a_tagger_can_replace() -> None:
    table = {**SYNONYMS, "kostanay": ({"en": "kostanay", "ru": "костанай"}, ("kostanay", "qostanay", "костанай"))}
    assert Tagger(synonyms=table).normalise("Qostanay", "en") == "kostanay"
    assert Tagger().normalise("Qostanay", "en") == "qostanay"


def test_source_junk_is_dropped() -> None:
    tagger = Tagger()
    for junk in ("Breaking News", "dallas news", "smg2_world", "@hp-top-stories", "clone:no", "how to retire early"):
        assert tagger.normalise(junk, "en") == "", junk


def test_names_recur_in_one_form(site_config: Config) -> None:
    body = (
        "Президент Пакистана прибыл в Астану. Делегация Пакистана провела переговоры.\n\n"
        "Стороны обсудили торговлю, а министр Пакистана подписал соглашение."
    )
    tags = tags_of(article("Визит в Пакистан", body, language="ru"), site_config)
    assert "пакистан" in tags
    assert "пакистана" not in tags


def test_names_come_from_the_text_not_from_sentence_starts(site_config: Config) -> None:
    body = (
        "Officials said on Monday that Tahir Hussain was detained. Police said Tahir Hussain had fled. "
        "Several witnesses spoke to the Delhi Police."
    )
    tags = tags_of(article("Councillor arrested in Delhi over murder", body), site_config)
    assert "tahir hussain" in tags
    assert "officials" not in tags and "several" not in tags


@pytest.mark.parametrize(
    "a",
    [
        article("Weather on Tuesday", "Mostly sunny, light breeze."),
        article("Қарағандыда жастарға арналған IT-хаб ашылды", "Жаңа орталық ашылды.", language="kk"),
        article("Tiz the Law Draws No. 17 Post as Favorite", "The horse will start from post 17."),
        article("Parliament approves referendum", "Deputies voted.", tags=tuple(f"tag {i}" for i in range(9))),
    ],
)
def test_every_article_gets_one_to_five_tags(site_config: Config, a: Article) -> None:
    tags = tags_of(a, site_config)
    assert 1 <= len(tags) <= 5, tags


def test_kazakh_case_endings_are_folded(site_config: Config) -> None:
    tags = tags_of(
        article("Қарағандыда жастарға арналған IT-хаб ашылды", "Жаңа орталық ашылды.", language="kk"), site_config
    )
    assert tags == ("қарағанды",)


def test_curate_gives_sample_like_articles_tags_that_recur(site_config: Config) -> None:
    # Two stories about the same place and topic share their tags.
    one = article(
        "Kazakhstan and Pakistan sign trade deals",
        "Kazakhstan and Pakistan signed trade agreements in Islamabad. Pakistan will buy buses.",
        origin="raw/a.txt:1",
    )
    two = article(
        "Pakistan to expand wheat trade",
        "The ministers of Pakistan and Uzbekistan discussed the trade in wheat. Pakistan grows more wheat.",
        id="a2",
        origin="raw/b.txt:1",
    )
    result = curate([one, two], [], site_config)
    first, second = (set(a.tags) for a in result.new)
    assert {"pakistan", "trade"} <= first & second


def test_shared_sample_has_tags_on_every_article(tmp_path: Path, site_config: Config) -> None:
    raw = Path(__file__).resolve().parent.parent / "raw"
    if not raw.is_dir():
        pytest.skip("no raw/ sample in this checkout")
    from generator.sources import iter_inputs, read_source

    paths, _ = iter_inputs([raw])
    for path in paths:
        for item in read_source(path, path.name).items:
            a = article(item.title or "", "\n\n".join(item.body), language=item.language or "en", tags=item.tags)
            tags = tags_of(a, site_config)
            assert 1 <= len(tags) <= 5, (item.title, tags)
