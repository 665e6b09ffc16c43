"""Config loading: defaults, validation, every problem reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import Config, Curation, Paths, SourceSpec, Theme, load_config, options
from generator.errors import ConfigError
from generator.scaffold import SCAFFOLD_DIR

from .conftest import make_config

SCAFFOLD_CONFIG = SCAFFOLD_DIR / "digest.yaml"


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert config.language == "en"
    assert config.paths.content == (tmp_path / "content").resolve()
    assert config.theme_slugs[:8] == (
        "politics",
        "economy",
        "diplomacy",
        "society",
        "culture",
        "security",
        "technology",
        "environment",
    )
    assert config.fallback_theme == "general"
    assert "general" in config.theme_slugs
    assert config.base_url.endswith("/")


def test_values_and_paths_relative_to_the_config_file(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        """\
title: Steppe Wire
base_url: https://user.github.io/repo
language: ru
timezone: Asia/Almaty
per_page: 7
paths:
  content: articles
  site: public
themes:
  sport:
    label: Sport
    keywords: {en: [football, match-]}
  politics: Politics
""",
    )
    assert config.title == "Steppe Wire"
    assert config.base_url == "https://user.github.io/repo/"
    assert config.paths.content == (tmp_path / "articles").resolve()
    assert config.paths.site == (tmp_path / "public").resolve()
    assert config.per_page == 7
    assert config.theme_slugs == ("sport", "politics", "general")
    assert config.theme("sport") is not None
    assert config.theme("sport").keywords_for("en") == ("football", "match-")  # type: ignore[union-attr]


def test_all_problems_are_reported_together_with_lines(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(
            tmp_path,
            """\
title: ok
colour: blue
per_page: zero
base_url: not a url
paths:
  output: x
timezone: Mars/Olympus
""",
        )
    messages = [str(p) for p in info.value.problems]
    path = str(tmp_path / "digest.yaml")
    assert f"{path}:2: colour: unknown key" in messages[0]
    assert any(m.startswith(f"{path}:3: per_page: expected a whole number") for m in messages)
    assert any(m.startswith(f"{path}:4: base_url: not an absolute http(s) URL") for m in messages)
    assert any(m.startswith(f"{path}:6: paths.output: unknown key") for m in messages)
    assert any(m.startswith(f"{path}:7: timezone: unknown time zone") for m in messages)
    assert len(messages) == 5


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "digest.yaml").write_text("title: a\nthemes: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "digest.yaml")
    problem = info.value.problems[0]
    assert problem.line >= 2
    assert "invalid YAML" in problem.message


def test_missing_config_file_given_explicitly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_curation_and_sources(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        """\
sources:
  - {name: gov-kz, url: "https://www.gov.kz/news", kind: html, every: 6h}
curation:
  exclude_sources: [spam.example]
  pin: [abc123]
  themes: {abc123: economy}
  source_priority: {gov.kz: 2}
""",
    )
    assert config.sources[0].name == "gov-kz"
    assert config.curation.pin == ("abc123",)
    assert config.curation.themes == (("abc123", "economy"),)
    assert config.curation.source_priority == (("gov.kz", 2.0),)


def test_bad_sources_and_curation(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(
            tmp_path,
            """\
sources:
  - {name: Bad Name, url: "ftp://x"}
curation:
  themes: {abc: nowhere}
""",
        )
    text = str(info.value)
    assert "sources.0.url: only http(s) URLs can be fetched" in text
    assert "sources.0.name: use lowercase" in text
    assert "curation.themes.abc: unknown theme 'nowhere'" in text


def test_theme_problems_are_located(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        make_config(
            tmp_path,
            """\
themes:
  Sport: {}
  economy:
    label: null
    paths: [ok, "a b"]
    colour: red
fallback_theme: 7
""",
        )
    path = str(tmp_path / "digest.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2: themes.Sport: theme slug must be lowercase ASCII letters, digits and dashes",
        f"{path}:6: themes.economy.colour: unknown key (allowed: description, keywords, label, paths, sections)",
        f"{path}:4: themes.economy.label: expected text, got NoneType",
        f"{path}:5: themes.economy.paths: not one URL path segment: 'a b' (e.g. politics, wirtschaft, ekonomika)",
        f"{path}:7: fallback_theme: expected text, got int",
    ]


def test_absent_and_blank_values_take_the_defaults(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        """\
paths: {raw: "", site: out}
themes: {sport: null, news-wire: ""}
fallback_theme: ""
sources:
curation: {pin: null, merge_window_days: 0}
""",
    )
    defaults = make_config(tmp_path / "empty")
    assert config.paths.raw == (tmp_path / "raw").resolve() and config.paths.site == (tmp_path / "out").resolve()
    assert [(t.slug, t.label) for t in config.themes] == [
        ("sport", "Sport"),
        ("news-wire", "news-wire"),
        ("general", "General"),
    ]
    assert config.fallback_theme == defaults.fallback_theme == "general"
    assert config.sources == () and config.curation.pin == () and config.curation.merge_window_days == 0


def test_the_scaffold_config_shows_the_defaults(tmp_path: Path) -> None:
    """`digest init`'s commented digest.yaml says its values are the defaults: they must be."""
    scaffold, defaults = load_config(SCAFFOLD_CONFIG), make_config(tmp_path)
    for key, _ in options(Config):
        if key == "base_url":  # an example address for the new site; the Pages workflow passes the real one
            continue
        assert _relative(getattr(scaffold, key)) == _relative(getattr(defaults, key)), key


def _relative(value: object) -> object:
    """Return a Paths value as its folders relative to the config's folder; anything else as it is."""
    if isinstance(value, Paths):
        return {key: getattr(value, key).relative_to(value.root) for key, _ in options(Paths)}
    return value


def test_every_key_is_documented() -> None:
    for cls in (Config, Paths, Theme, SourceSpec, Curation):
        for key, option in options(cls):
            assert option.doc.strip(), f"{cls.__name__}.{key}"
