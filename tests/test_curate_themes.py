"""Theme classifier: accuracy on the shared seeds and on hand-written headlines, stems, fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from generator.config import Config, ConfigError
from generator.curate import curate
from generator.curate.themes import Classifier, classify_article, make_tags
from generator.models import Article
from tests.conftest import make_config

HEADLINES = Path(__file__).parent / "fixtures" / "curate" / "headlines.yaml"


def article(title: str, body: str = "", **kw: object) -> Article:
    """Return a candidate article as ingest makes it (no theme yet)."""
    fields: dict[str, object] = {"id": "a1", "title": title, "date": dt.date(2026, 2, 4), "theme": "", "body": body}
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


def seed_articles(shared: Path) -> list[tuple[Article, set[str]]]:
    """Return (article, accepted themes) for every seed article with an expected theme."""
    out = []
    for path in sorted((shared / "fixtures" / "expected").glob("*.yaml")):
        expected = yaml.safe_load(path.read_text(encoding="utf-8"))
        raw = (shared / "fixtures" / "raw" / expected["file"]).read_text(encoding="utf-8").splitlines()
        for item in expected["articles"]:
            if not item.get("theme"):
                continue
            lines = item.get("body_lines")
            body = "\n\n".join(line for line in raw[lines[0] - 1 : lines[1]] if line.strip()) if lines else ""
            accepted = {item["theme"], item.get("theme_alt") or item["theme"]}
            made = article(
                item["title"] or "", body, sections=tuple(item.get("sections") or ()), id=f"{path.stem}-{item['index']}"
            )
            out.append((made, accepted))
    return out


def test_seed_theme_accuracy_is_at_least_90_percent(shared_dir: Path, site_config: Config) -> None:
    cases = seed_articles(shared_dir)
    assert len(cases) >= 35
    wrong = [
        (a.title[:60], sorted(ok), classify_article(a, site_config).theme)
        for a, ok in cases
        if classify_article(a, site_config).theme not in ok
    ]
    accuracy = 1 - len(wrong) / len(cases)
    assert accuracy >= 0.90, f"{accuracy:.0%}: {wrong}"


def test_handwritten_multilingual_accuracy_is_at_least_80_percent(site_config: Config) -> None:
    items = yaml.safe_load(HEADLINES.read_text(encoding="utf-8"))
    assert len(items) >= 25
    assert {i["lang"] for i in items} == {"en", "ru", "de"}
    assert {i["theme"] for i in items} == set(site_config.theme_slugs) - {site_config.fallback_theme}
    wrong = []
    for item in items:
        got = classify_article(article(item["title"], item["lede"], language=item["lang"]), site_config).theme
        if got != item["theme"]:
            wrong.append((item["title"], item["theme"], got))
    accuracy = 1 - len(wrong) / len(items)
    assert accuracy >= 0.80, f"{accuracy:.0%}: {wrong}"


@pytest.mark.parametrize(
    ("title", "theme", "term"),
    [
        ("Обсуждение проекта новой Конституции", "politics", "конституции"),
        ("Жаңа Конституция жобасы талқыланды", "politics", "конституция"),
        ("Посольство Казахстана в Германии провело брифинг", "diplomacy", "посольство"),
        ("Мектеп оқушылары жарыста жеңіске жетті", "society", "мектеп"),
    ],
)
def test_russian_and_kazakh_stems_match_inflected_words(site_config: Config, title: str, theme: str, term: str) -> None:
    choice = classify_article(article(title, language="ru"), site_config)
    assert choice.theme == theme
    assert term in choice.reason


def test_stem_without_dash_matches_whole_words_only(site_config: Config) -> None:
    # "law" is a whole-word keyword: "lawn" and "Lawrence" must not count.
    choice = classify_article(article("Lawrence mows the lawn"), site_config)
    assert choice.theme == site_config.fallback_theme


def test_nothing_matching_gives_the_fallback_with_a_reason(site_config: Config) -> None:
    choice = classify_article(article("Weather on Tuesday", "Mostly sunny, light breeze."), site_config)
    assert choice.theme == "general"
    assert choice.reason.startswith("no theme reached")


def test_title_outweighs_body_and_reason_names_the_zones(site_config: Config) -> None:
    body = "The company said the concert was part of its trade programme."
    choice = classify_article(article("Parliament approves constitutional referendum", body), site_config)
    assert choice.theme == "politics"
    assert choice.reason.startswith("title: parliament, constitutional, referendum")


def test_section_hint_decides_a_weak_case_and_is_named(site_config: Config) -> None:
    choice = classify_article(
        article("Volunteers met in Kostanay", "A meeting took place.", sections=("Общество",)), site_config
    )
    assert choice.theme == "society"
    assert "section: Общество" in choice.reason


def test_ties_go_to_the_theme_listed_first(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        "themes:\n  alpha:\n    keywords: {en: [river]}\n  beta:\n    keywords: {en: [river]}\n",
    )
    assert classify_article(article("The river"), config).theme == "alpha"


def test_taxonomy_is_tunable_from_digest_yaml(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        "themes:\n  sport:\n    label: Sport\n    keywords: {en: [football-, goal-], de: [fußball-]}\n    sections: [Sport]\n",
    )
    assert classify_article(article("Fußballspiel in Berlin"), config).theme == "sport"
    assert classify_article(article("Something else"), config).theme == "general"


def test_suffix_and_infix_stems(site_config: Config) -> None:
    assert classify_article(article("Das Verteidigungsministerium und die Bundeswehr"), site_config).theme == "security"
    assert Classifier(site_config.themes, "general").classify("Wettersatelliten gestartet", "").theme == "technology"


def test_curate_sets_theme_reason_tags_and_keeps_source_tags(site_config: Config) -> None:
    body = (
        "Kazakhstan and Pakistan signed trade agreements worth $200 million at a business forum in Islamabad. "
        "Pakistan will buy buses, and Pakistan's banks will open correspondent accounts."
    )
    candidate = article("Kazakhstan and Pakistan sign trade deals", body, tags=("Forum",), origin="raw/x.txt:3")
    result = curate([candidate], [], site_config)
    (new,) = result.new
    assert new.theme == "economy"
    assert "title: trade" in new.theme_reason
    assert new.tags[0] == "forum"
    assert "trade" in new.tags
    assert "pakistan" in new.tags
    assert len(new.tags) <= 5


def test_make_tags_keeps_the_sources_tags_first_up_to_five(site_config: Config) -> None:
    given = tuple(f"Topic {i}" for i in range(7))
    a = article("Nothing", tags=given)
    assert make_tags(a, classify_article(a, site_config)) == tuple(t.casefold() for t in given[:5])


def test_url_path_decides_and_the_reason_names_it(site_config: Config) -> None:
    # A German business story whose text alone says little: the publisher's folder decides.
    a = article(
        "Neue Zahlen aus Stuttgart",
        "Der Bericht wurde am Montag vorgestellt.",
        language="de",
        source_url="https://www.example.de/wirtschaft/neue-zahlen-aus-stuttgart-100.html",
    )
    choice = classify_article(a, site_config)
    assert choice.theme == "economy"
    assert choice.reason.startswith("url path: /wirtschaft/")


@pytest.mark.parametrize(
    ("url", "theme"),
    [
        ("https://rzn.example.ru/social/2020/01/13/v-ryazani-nagradili.html", "society"),
        ("https://example.kz/ru/ekonomika/item-123", "economy"),
        ("https://example.ru/politika/20260204/vstrecha.html", "politics"),
        ("https://example.com/news/sports/2020/04/08/athletics-dates/1854874", "culture"),
        ("https://example.de/kultur/tatort-30-jahre-art-5139057", "culture"),
        ("https://example.com/sci-tech/snooze-cruise-1.4690347", "technology"),
        ("https://example.com/business/economy-business/trade-deal-777916.html", "economy"),
        ("https://sport.example.ru/2026/02/04/hokkey.html", "culture"),
    ],
)
def test_url_path_segments_in_several_languages(site_config: Config, url: str, theme: str) -> None:
    choice = classify_article(article("Meeting on Tuesday", "It took place.", source_url=url), site_config)
    assert choice.theme == theme
    assert "url path: /" in choice.reason


def test_the_articles_own_slug_is_not_a_section(site_config: Config) -> None:
    # "/tech-giants-..." is the story's slug, not the site's tech folder.
    a = article("Meeting on Tuesday", "It took place.", source_url="https://example.com/2026/02/04/tech-giants-meet/")
    assert classify_article(a, site_config).theme == "general"


def test_feed_category_decides_and_is_named(site_config: Config) -> None:
    a = article("Meeting on Tuesday", "It took place.", tags=("Sport", "Astana"))
    choice = classify_article(a, site_config)
    assert choice.theme == "culture"
    assert choice.reason == "category: Sport"


def test_section_parts_count_and_generic_words_do_not(site_config: Config) -> None:
    for section in ("Economy & Business", "Business News", "Новости экономики / Экономика"):
        choice = classify_article(article("Meeting on Tuesday", "It took place.", sections=(section,)), site_config)
        assert choice.theme == "economy", section


def test_keywords_can_outweigh_a_section_and_the_reason_says_so(site_config: Config) -> None:
    body = "Police detained two suspects. The court sentenced them; prosecutors said the fraud was large."
    a = article("Police detain fraud suspects after court ruling", body, sections=("Culture",))
    choice = classify_article(a, site_config)
    assert choice.theme == "security"
    assert "outweighed: section Culture (culture)" in choice.reason


@pytest.mark.parametrize(
    "title",
    [
        "Softwarekonzern stellt neue KI-Plattform für Entwickler vor",
        "Forscher entwickeln Halbleiter für schnellere Rechenzentren",
        "Die elektronische Akte kommt: Digitalisierung mit neuer Software",
        "Telekom baut Mobilfunknetz aus, Nutzer bekommen schnelleres Internet",
    ],
)
def test_german_technology_text_without_evidence(site_config: Config, title: str) -> None:
    assert classify_article(article(title, language="de"), site_config).theme == "technology"


def test_paths_are_configurable_and_checked(tmp_path: Path) -> None:
    config = make_config(
        tmp_path / "ok",
        "themes:\n  sport:\n    keywords: {en: [football-]}\n    paths: [sport, /fussball/]\n",
    )
    a = article("Meeting", "It took place.", source_url="https://example.de/fussball/bundesliga/spiel-1.html")
    assert classify_article(a, config).theme == "sport"
    with pytest.raises(ConfigError) as err:
        make_config(tmp_path / "bad", "themes:\n  sport:\n    paths: [sport/fussball]\n")
    assert "digest.yaml:3: themes.sport.paths: not one URL path segment: 'sport/fussball'" in str(err.value)
