"""Load and validate `digest.yaml` into a typed, frozen `Config`.

Input: an optional YAML file. Output: `Config`. Every key is optional; unknown keys and
wrong values are collected and raised together as one `ConfigError` whose problems read
`digest.yaml:LINE: key: problem (hint)`. Each key is declared once, as a dataclass field
whose `option` metadata reads it; the built-in theme taxonomy lives in `defaults.yaml`.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.errors import ConfigError
from generator.models import Problem

logger = logging.getLogger(__name__)

CONFIG_NAME = "digest.yaml"
DEFAULTS_PATH = Path(__file__).with_name("defaults.yaml")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
SOURCE_KINDS = frozenset({"auto", "html", "rss", "atom", "feed", "jsonl", "text"})

#: The key path of a YAML value: ("curation", "pin"), ("sources", "0", "url").
Keys = tuple[str, ...]


class _Collector:
    """Gather problems with the YAML line of the key they concern; `root` is the config's folder."""

    def __init__(self, path: str, lines: dict[Keys, int], root: Path) -> None:
        self.path = path
        self.lines = lines
        self.root = root
        self.problems: list[Problem] = []

    def add(self, keys: Keys, message: str, hint: str = "") -> None:
        """Record a problem at the line of the innermost key of `keys` the file has."""
        line = 0
        for n in range(len(keys), 0, -1):
            if keys[:n] in self.lines:
                line = self.lines[keys[:n]]
                break
        name = ".".join(keys)
        self.problems.append(Problem(self.path, line, f"{name}: {message}", hint))


#: Reads one YAML value into a field value, reporting problems; None keeps the field's default.
Parser = Callable[[_Collector, Keys, Any], Any]


@dataclass(frozen=True)
class Option:
    """How one YAML key (the field's name) becomes one field value: the `metadata` of a field."""

    parse: Parser
    doc: str
    #: The YAML value an absent key reads as, given its key path; None: the field's default.
    absent: Callable[[Keys], Any] | None = None


def option(parse: Parser, doc: str, absent: Callable[[Keys], Any] | None = None) -> dict[str, Option]:
    """Return field metadata declaring a config key."""
    return {"option": Option(parse, doc, absent)}


def options(cls: type) -> tuple[tuple[str, Option], ...]:
    """Return (key, option) for every field of a config dataclass that is a YAML key, in order."""
    return tuple((f.name, f.metadata["option"]) for f in fields(cls) if "option" in f.metadata)


def _str(c: _Collector, keys: Keys, value: Any) -> str | None:
    if isinstance(value, str):
        return value
    c.add(keys, f"expected text, got {type(value).__name__}")
    return None


def _int(c: _Collector, keys: Keys, value: Any, minimum: int = 1) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    c.add(keys, f"expected a whole number ≥ {minimum}, got {value!r}")
    return None


def _str_list(c: _Collector, keys: Keys, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    c.add(keys, "expected a list of text")
    return ()


def _mapping(c: _Collector, keys: Keys, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    c.add(keys, f"expected a mapping, got {type(value).__name__}")
    return {}


def _check_keys(c: _Collector, keys: Keys, data: Mapping[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            c.add((*keys, key), "unknown key", f"allowed: {', '.join(sorted(allowed))}")


def _read_options(c: _Collector, keys: Keys, data: Mapping[str, Any], cls: type) -> dict[str, Any]:
    """Return the field values a mapping gives a config dataclass, reporting unknown keys first."""
    declared = options(cls)
    _check_keys(c, keys, data, {key for key, _ in declared})
    values = {}
    for key, opt in declared:
        if key in data:
            value = opt.parse(c, (*keys, key), data[key])
        elif opt.absent is not None:
            value = opt.parse(c, (*keys, key), opt.absent((*keys, key)))
        else:
            continue
        if value is not None:
            values[key] = value
    return values


def _blank_as(empty: Any, parse: Parser) -> Parser:
    """Return a parser that reads a blank value (null, empty, false, 0) as `empty`."""
    return lambda c, keys, value: parse(c, keys, value or empty)


@functools.cache
def builtin_defaults() -> dict[str, Any]:
    """Return `defaults.yaml`: the built-in theme taxonomy."""
    data, _ = _read_yaml(DEFAULTS_PATH)
    return dict(data)


def _keywords(c: _Collector, keys: Keys, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return a theme's `keywords` mapping as sorted (language, casefolded stems) pairs."""
    out = []
    for lang, words in _mapping(c, keys, value or {}).items():
        stems = _str_list(c, (*keys, lang), words)
        out.append((lang, tuple(s.casefold() for s in stems)))
    return tuple(sorted(out))


def _url_segments(c: _Collector, keys: Keys, value: Any) -> tuple[str, ...]:
    """Return a theme's `paths`: casefolded URL path segments, reporting any that is not one."""
    paths = tuple(p.strip("/").casefold() for p in _str_list(c, keys, value or []))
    for path in paths:
        # Matched against one segment of a URL path at a time, so a slash never matches.
        if not path or "/" in path or any(ch.isspace() for ch in path):
            c.add(keys, f"not one URL path segment: {path!r}", "e.g. politics, wirtschaft, ekonomika")
    return tuple(p for p in paths if p)


def _label(c: _Collector, keys: Keys, value: Any) -> str:
    """Return a theme's label (an empty one: its slug)."""
    return _str(c, keys, value) or keys[-2]


def _title_of_slug(keys: Keys) -> str:
    return keys[-2].replace("-", " ").title()


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy: its folder slug, label and classifier hints."""

    slug: str
    label: str = field(metadata=option(_label, "Shown in menus and headings.", _title_of_slug))
    description: str = field(default="", metadata=option(_str, "One line under the theme's heading."))
    #: language code → keyword stems; a stem ending in `-` matches any word it begins.
    keywords: tuple[tuple[str, tuple[str, ...]], ...] = field(
        default=(), metadata=option(_keywords, "Language code → keyword stems.")
    )
    #: source section names and feed categories (any language) that suggest this theme.
    sections: tuple[str, ...] = field(
        default=(), metadata=option(_blank_as([], _str_list), "Source sections and feed categories.")
    )
    #: URL path segments (`wirtschaft`, `ekonomika`) that suggest this theme, casefolded.
    paths: tuple[str, ...] = field(default=(), metadata=option(_url_segments, "URL path segments."))

    def keywords_for(self, language: str) -> tuple[str, ...]:
        """Return the keyword stems for one language (empty when none are set)."""
        return dict(self.keywords).get(language, ())


def _theme(c: _Collector, keys: Keys, spec: Any) -> Theme | None:
    """Return one theme of the `themes` mapping (`slug: Label` or `slug: {label: ...}`)."""
    slug = keys[-1]
    if not SLUG_RE.match(slug):
        c.add(keys, "theme slug must be lowercase ASCII letters, digits and dashes")
        return None
    if spec is None:
        spec = {}
    if isinstance(spec, str):
        spec = {"label": spec}
    values = _read_options(c, keys, _mapping(c, keys, spec), Theme)
    return Theme(slug, **values)


def _themes(c: _Collector, keys: Keys, value: Any) -> tuple[Theme, ...]:
    """Return the `themes` mapping as Themes, in file order."""
    themes = (_theme(c, (*keys, slug), spec) for slug, spec in _mapping(c, keys, value).items())
    return tuple(t for t in themes if t is not None)


def _folder(c: _Collector, keys: Keys, value: Any) -> Path:
    """Return a folder resolved against the config file's folder (an empty one: the key's name)."""
    return (c.root / (_str(c, keys, value) or keys[-1])).resolve()


def _default_folder(keys: Keys) -> str:
    return keys[-1]


@dataclass(frozen=True)
class Paths:
    """Folders of the site, absolute (resolved against the config file's folder)."""

    root: Path
    raw: Path = field(metadata=option(_folder, "Raw inputs: text dumps, HTML, feeds, JSON Lines.", _default_folder))
    content: Path = field(metadata=option(_folder, "Curated Markdown articles (commit them).", _default_folder))
    site: Path = field(metadata=option(_folder, "Build output (not committed).", _default_folder))
    templates: Path = field(metadata=option(_folder, "Your own templates over the built-in theme.", _default_folder))


def _paths(c: _Collector, keys: Keys, value: Any) -> Paths:
    """Return the `paths` mapping with every folder resolved."""
    return Paths(root=c.root.resolve(), **_read_options(c, keys, _mapping(c, keys, value or {}), Paths))


def _source_kind(c: _Collector, keys: Keys, value: Any) -> str:
    kind = _str(c, keys, value) or "auto"
    if kind not in SOURCE_KINDS:
        c.add(keys, f"unknown kind {kind!r}", "use auto, html, feed, jsonl or text")
    return kind


def _source_url(c: _Collector, keys: Keys, value: Any) -> str | None:
    url = _str(c, keys, value)
    if url and not re.match(r"^https?://", url):
        c.add(keys, "only http(s) URLs can be fetched")
    return url


def _source_name(c: _Collector, keys: Keys, value: Any) -> str | None:
    name = _str(c, keys, value)
    if name and not SLUG_RE.match(name):
        c.add(keys, "use lowercase ASCII letters, digits and dashes", "it names files in raw/")
    return name


def _required(keys: Keys) -> None:
    return None  # read as null: "expected text, got NoneType"


@dataclass(frozen=True)
class SourceSpec:
    """One source `digest fetch` downloads into `raw/`."""

    name: str = field(metadata=option(_source_name, "Names its folder in raw/: a-z, 0-9 and dashes.", _required))
    url: str = field(metadata=option(_source_url, "The http(s) address of a page or a feed.", _required))
    kind: str = field(default="auto", metadata=option(_source_kind, "auto, html, rss, atom, feed, jsonl or text."))
    every: str = field(default="", metadata=option(_str, "Informational: how often to fetch it."))


def _sources(c: _Collector, keys: Keys, value: Any) -> tuple[SourceSpec, ...]:
    """Return the `sources` list; entries missing a name or URL, or named twice, are reported."""
    if not isinstance(value, list):
        c.add(keys, "expected a list of {name, url} entries")
        return ()
    out = []
    seen: set[str] = set()
    for i, spec in enumerate(value):
        entry = (*keys, str(i))
        values = _read_options(c, entry, _mapping(c, entry, spec), SourceSpec)
        name, url = values.get("name"), values.get("url")
        if name in seen:
            c.add((*entry, "name"), f"duplicate source name {name!r}")
        if name and url:
            seen.add(name)
            out.append(SourceSpec(**values))
    return tuple(out)


def _article_themes(c: _Collector, keys: Keys, value: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in _mapping(c, keys, value or {}).items()))


def _priorities(c: _Collector, keys: Keys, value: Any) -> tuple[tuple[str, float], ...]:
    """Return `source_priority` as sorted (source name, weight) pairs."""
    priority: list[tuple[str, float]] = []
    for name, weight in _mapping(c, keys, value or {}).items():
        if isinstance(weight, (int, float)) and not isinstance(weight, bool):
            priority.append((name, float(weight)))
        else:
            c.add((*keys, name), f"expected a number, got {weight!r}")
    return tuple(sorted(priority))


def _days(c: _Collector, keys: Keys, value: Any) -> int | None:
    return _int(c, keys, value, minimum=0)


_LIST = _blank_as([], _str_list)


@dataclass(frozen=True)
class Curation:
    """Editorial rules applied at every ingest and build."""

    exclude_sources: tuple[str, ...] = field(default=(), metadata=option(_LIST, "Source names never to publish."))
    exclude_keywords: tuple[str, ...] = field(
        default=(), metadata=option(_LIST, "Drop articles whose title or text contains one.")
    )
    pin: tuple[str, ...] = field(default=(), metadata=option(_LIST, "Article ids shown as featured."))
    hide: tuple[str, ...] = field(default=(), metadata=option(_LIST, "Article ids hidden like drafts."))
    themes: tuple[tuple[str, str], ...] = field(
        default=(), metadata=option(_article_themes, "Article id → theme, overriding the classifier.")
    )
    source_priority: tuple[tuple[str, float], ...] = field(
        default=(), metadata=option(_priorities, "Source name → rank weight (higher first among equals).")
    )
    merge_window_days: int = field(
        default=3,
        metadata=option(_days, "How far apart copies of one story may be dated."),
    )


def _curation(c: _Collector, keys: Keys, value: Any) -> Curation:
    return Curation(**_read_options(c, keys, _mapping(c, keys, value or {}), Curation))


def _base_url(c: _Collector, keys: Keys, value: Any) -> str | None:
    """Return an absolute http(s) URL ending in one slash."""
    url = _str(c, keys, value)
    if url is None:
        return None
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        c.add(keys, f"not an absolute http(s) URL: {url!r}", "e.g. https://user.github.io/repo/")
        return None
    return url.rstrip("/") + "/"


def _language(c: _Collector, keys: Keys, value: Any) -> str | None:
    code = _str(c, keys, value)
    if code is not None and not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$", code):
        c.add(keys, f"not a language code: {code!r}", "e.g. en, ru, kk")
    return code


def _timezone(c: _Collector, keys: Keys, value: Any) -> str | None:
    name = _str(c, keys, value)
    if name is not None:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            c.add(keys, f"unknown time zone {name!r}", "e.g. Asia/Almaty or UTC")
    return name


def _fallback(c: _Collector, keys: Keys, value: Any) -> str | None:
    """Return the fallback theme's slug (an empty one: the default)."""
    return _str(c, keys, value) or None


def _builtin_themes(keys: Keys) -> Any:
    return builtin_defaults()["themes"]


def _empty_mapping(keys: Keys) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Config:
    """The whole site configuration. Defaults make `digest build` work with no file.

    Each field with `option` metadata is the top-level key of the same name.
    """

    paths: Paths = field(metadata=option(_paths, "Folders of the site, relative to the config file.", _empty_mapping))
    title: str = field(default="News Digest", metadata=option(_str, "Shown in the header, feeds and search."))
    description: str = field(
        default="A curated digest of regional news.", metadata=option(_str, "The site's one-line description.")
    )
    base_url: str = field(
        default="https://example.github.io/digest/",
        metadata=option(_base_url, "The absolute URL the site is published at (feeds, sitemap)."),
    )
    language: str = field(default="en", metadata=option(_language, "The site's main language: en, ru, kk, ..."))
    timezone: str = field(default="UTC", metadata=option(_timezone, "The IANA time zone days are counted in."))
    domain: str = field(default="", metadata=option(_str, "A custom domain, written to site/CNAME."))
    per_page: int = field(
        default=20, metadata=option(_int, "Articles per numbered page of the theme, tag, source and language lists.")
    )
    front_page_days: int = field(
        default=3, metadata=option(_int, "Days per numbered front page; the front page shows the latest ones.")
    )
    front_page_per_theme: int = field(default=5, metadata=option(_int, "At most how many articles per theme there."))
    themes: tuple[Theme, ...] = field(
        default=(), metadata=option(_themes, "The taxonomy (default: defaults.yaml's).", _builtin_themes)
    )
    fallback_theme: str = field(
        default="general",
        metadata=option(_fallback, "The theme of articles no other theme matches."),
    )
    sources: tuple[SourceSpec, ...] = field(
        default=(), metadata=option(_blank_as([], _sources), "What `digest fetch` downloads into raw/.")
    )
    curation: Curation = field(
        default_factory=Curation, metadata=option(_curation, "Editorial rules for every ingest and build.")
    )
    config_path: Path | None = None

    @property
    def theme_slugs(self) -> tuple[str, ...]:
        """Return every theme slug, the fallback included."""
        return tuple(t.slug for t in self.themes)

    def theme(self, slug: str) -> Theme | None:
        """Return the theme with this slug, or None."""
        return next((t for t in self.themes if t.slug == slug), None)


#: The top-level keys of digest.yaml.
TOP_KEYS = frozenset(key for key, _ in options(Config))


def _key_lines(node: yaml.Node | None, prefix: Keys = ()) -> dict[Keys, int]:
    """Map each key path of a composed YAML document to its 1-based line."""
    out: dict[Keys, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            out[key] = key_node.start_mark.line + 1
            out.update(_key_lines(value_node, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*prefix, str(i))
            out[key] = item.start_mark.line + 1
            out.update(_key_lines(item, key))
    return out


def _read_yaml(path: Path) -> tuple[Any, dict[Keys, int]]:
    """Parse a YAML file, returning its data and the line of every key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(str(path), 0, f"cannot read: {exc}", "save it as UTF-8")]) from exc
    try:
        data = yaml.safe_load(text)
        lines = _key_lines(yaml.compose(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([Problem(str(path), line, f"invalid YAML: {reason}", "fix the syntax")]) from exc
    return data, lines


def _with_fallback(themes: tuple[Theme, ...], fallback: str) -> tuple[Theme, ...]:
    """Return the themes with the fallback theme added last when they lack it."""
    if any(t.slug == fallback for t in themes):
        return themes
    spec = builtin_defaults()["themes"].get(fallback) or {}
    return (*themes, Theme(fallback, spec.get("label", fallback.title()), spec.get("description", "")))


def _check_curation_themes(c: _Collector, curation: Curation, themes: tuple[Theme, ...]) -> None:
    """Report `curation.themes` overrides that name no theme."""
    slugs = {t.slug for t in themes}
    for article_id, theme in curation.themes:
        if theme not in slugs:
            c.add(
                ("curation", "themes", article_id),
                f"unknown theme {theme!r}",
                f"use one of: {', '.join(sorted(slugs))}",
            )


def parse_config(data: Any, lines: dict[Keys, int], path: str, root: Path) -> Config:
    """Validate parsed YAML data into a Config, raising ConfigError with every problem."""
    c = _Collector(path, lines, root)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([Problem(path, 1, "the file must be a mapping of keys to values")])
    values = _read_options(c, (), {str(k): v for k, v in data.items()}, Config)
    config = Config(**values)
    config = replace(config, themes=_with_fallback(config.themes, config.fallback_theme))
    _check_curation_themes(c, config.curation, config.themes)
    if c.problems:
        raise ConfigError(c.problems)
    return config


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Return the config from `path`, or from ./digest.yaml, or the defaults if neither exists."""
    cwd = cwd or Path.cwd()
    if path is None:
        candidate = cwd / CONFIG_NAME
        if not candidate.is_file():
            logger.debug("no %s in %s: using defaults", CONFIG_NAME, cwd)
            return parse_config({}, {}, CONFIG_NAME, cwd)
        path = candidate
    if not path.is_file():
        raise ConfigError([Problem(str(path), 0, "config file not found", "check --config")])
    data, lines = _read_yaml(path)
    config = parse_config(data, lines, str(path), path.parent)
    return replace(config, config_path=path.resolve())
