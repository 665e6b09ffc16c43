"""Load and validate `digest.yaml` into a typed, frozen `Config`.

Input: an optional YAML file. Output: `Config`. Every key is optional; unknown keys and
wrong values are collected and raised together as one `ConfigError` whose problems read
`digest.yaml:LINE: key: problem (hint)`. The built-in theme taxonomy lives in
`defaults.yaml` next to this module.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
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


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy: its folder slug, label and classifier hints."""

    slug: str
    label: str
    description: str = ""
    #: language code → keyword stems; a stem ending in `-` matches any word it begins.
    keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: source section names and feed categories (any language) that suggest this theme.
    sections: tuple[str, ...] = ()
    #: URL path segments (`wirtschaft`, `ekonomika`) that suggest this theme, casefolded.
    paths: tuple[str, ...] = ()

    def keywords_for(self, language: str) -> tuple[str, ...]:
        """Return the keyword stems for one language (empty when none are set)."""
        return dict(self.keywords).get(language, ())


@dataclass(frozen=True)
class Paths:
    """Folders of the site, absolute (resolved against the config file's folder)."""

    root: Path
    raw: Path
    content: Path
    site: Path
    templates: Path


@dataclass(frozen=True)
class SourceSpec:
    """One source `digest fetch` downloads into `raw/`."""

    name: str
    url: str
    kind: str = "auto"  # auto, html, rss, atom, jsonl, text
    every: str = ""  # informational: how often the schedule should fetch it


@dataclass(frozen=True)
class Curation:
    """Editorial rules applied at every ingest and build."""

    exclude_sources: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    pin: tuple[str, ...] = ()  # article ids shown as featured
    hide: tuple[str, ...] = ()  # article ids hidden like drafts
    themes: tuple[tuple[str, str], ...] = ()  # article id → theme override
    source_priority: tuple[tuple[str, float], ...] = ()  # source name → rank weight
    merge_window_days: int = 3  # how far apart copies of one story may be dated


@dataclass(frozen=True)
class Config:
    """The whole site configuration. Defaults make `digest build` work with no file."""

    paths: Paths
    title: str = "News Digest"
    description: str = "A curated digest of regional news."
    base_url: str = "https://example.github.io/digest/"
    language: str = "en"
    timezone: str = "UTC"
    domain: str = ""  # custom domain written to CNAME
    per_page: int = 20
    front_page_days: int = 3
    front_page_per_theme: int = 5
    themes: tuple[Theme, ...] = ()
    fallback_theme: str = "general"
    sources: tuple[SourceSpec, ...] = ()
    curation: Curation = field(default_factory=Curation)
    config_path: Path | None = None

    @property
    def theme_slugs(self) -> tuple[str, ...]:
        """Return every theme slug, the fallback included."""
        return tuple(t.slug for t in self.themes)

    def theme(self, slug: str) -> Theme | None:
        """Return the theme with this slug, or None."""
        return next((t for t in self.themes if t.slug == slug), None)


class _Collector:
    """Gather problems with the YAML line of the key they concern."""

    def __init__(self, path: str, lines: dict[tuple[str, ...], int]) -> None:
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, keys: tuple[str, ...], message: str, hint: str = "") -> None:
        line = 0
        for n in range(len(keys), 0, -1):
            if keys[:n] in self.lines:
                line = self.lines[keys[:n]]
                break
        name = ".".join(keys)
        self.problems.append(Problem(self.path, line, f"{name}: {message}", hint))


def _key_lines(node: yaml.Node | None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """Map each key path of a composed YAML document to its 1-based line."""
    out: dict[tuple[str, ...], int] = {}
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


def _read_yaml(path: Path) -> tuple[Any, dict[tuple[str, ...], int]]:
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


def _str(c: _Collector, keys: tuple[str, ...], value: Any) -> str | None:
    if isinstance(value, str):
        return value
    c.add(keys, f"expected text, got {type(value).__name__}")
    return None


def _int(c: _Collector, keys: tuple[str, ...], value: Any, minimum: int = 1) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    c.add(keys, f"expected a whole number ≥ {minimum}, got {value!r}")
    return None


def _str_list(c: _Collector, keys: tuple[str, ...], value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    c.add(keys, "expected a list of text")
    return ()


def _mapping(c: _Collector, keys: tuple[str, ...], value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    c.add(keys, f"expected a mapping, got {type(value).__name__}")
    return {}


def _check_keys(c: _Collector, keys: tuple[str, ...], data: dict[str, Any], allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            c.add((*keys, key), "unknown key", f"allowed: {', '.join(sorted(allowed))}")


def _parse_themes(c: _Collector, value: Any) -> tuple[Theme, ...]:
    themes = []
    for slug, spec in _mapping(c, ("themes",), value).items():
        keys = ("themes", slug)
        if not SLUG_RE.match(slug):
            c.add(keys, "theme slug must be lowercase ASCII letters, digits and dashes")
            continue
        if spec is None:
            spec = {}
        if isinstance(spec, str):
            spec = {"label": spec}
        spec = _mapping(c, keys, spec)
        _check_keys(c, keys, spec, {"label", "description", "keywords", "sections", "paths"})
        label = _str(c, (*keys, "label"), spec.get("label", slug.replace("-", " ").title()))
        description = _str(c, (*keys, "description"), spec.get("description", ""))
        keywords: list[tuple[str, tuple[str, ...]]] = []
        for lang, words in _mapping(c, (*keys, "keywords"), spec.get("keywords") or {}).items():
            stems = _str_list(c, (*keys, "keywords", lang), words)
            keywords.append((lang, tuple(s.casefold() for s in stems)))
        sections = _str_list(c, (*keys, "sections"), spec.get("sections") or [])
        paths = tuple(p.strip("/").casefold() for p in _str_list(c, (*keys, "paths"), spec.get("paths") or []))
        for path in paths:
            # Matched against one segment of a URL path at a time, so a slash never matches.
            if not path or "/" in path or any(ch.isspace() for ch in path):
                c.add((*keys, "paths"), f"not one URL path segment: {path!r}", "e.g. politics, wirtschaft, ekonomika")
        themes.append(
            Theme(
                slug, label or slug, description or "", tuple(sorted(keywords)), sections, tuple(p for p in paths if p)
            )
        )
    return tuple(themes)


def _parse_sources(c: _Collector, value: Any) -> tuple[SourceSpec, ...]:
    if not isinstance(value, list):
        c.add(("sources",), "expected a list of {name, url} entries")
        return ()
    out = []
    seen: set[str] = set()
    for i, spec in enumerate(value):
        keys = ("sources", str(i))
        spec = _mapping(c, keys, spec)
        _check_keys(c, keys, spec, {"name", "url", "kind", "every"})
        name = _str(c, (*keys, "name"), spec.get("name"))
        url = _str(c, (*keys, "url"), spec.get("url"))
        kind = _str(c, (*keys, "kind"), spec.get("kind", "auto")) or "auto"
        every = _str(c, (*keys, "every"), spec.get("every", "")) or ""
        if kind not in {"auto", "html", "rss", "atom", "feed", "jsonl", "text"}:
            c.add((*keys, "kind"), f"unknown kind {kind!r}", "use auto, html, feed, jsonl or text")
        if url and not re.match(r"^https?://", url):
            c.add((*keys, "url"), "only http(s) URLs can be fetched")
        if name and not SLUG_RE.match(name):
            c.add((*keys, "name"), "use lowercase ASCII letters, digits and dashes", "it names files in raw/")
        if name in seen:
            c.add((*keys, "name"), f"duplicate source name {name!r}")
        if name and url:
            seen.add(name)
            out.append(SourceSpec(name, url, kind, every))
    return tuple(out)


def _parse_curation(c: _Collector, value: Any) -> Curation:
    data = _mapping(c, ("curation",), value)
    allowed = {"exclude_sources", "exclude_keywords", "pin", "hide", "themes", "source_priority", "merge_window_days"}
    _check_keys(c, ("curation",), data, allowed)
    themes = _mapping(c, ("curation", "themes"), data.get("themes") or {})
    priority: list[tuple[str, float]] = []
    for name, weight in _mapping(c, ("curation", "source_priority"), data.get("source_priority") or {}).items():
        if isinstance(weight, (int, float)) and not isinstance(weight, bool):
            priority.append((name, float(weight)))
        else:
            c.add(("curation", "source_priority", name), f"expected a number, got {weight!r}")
    window = _int(c, ("curation", "merge_window_days"), data.get("merge_window_days", 3), minimum=0)
    return Curation(
        exclude_sources=_str_list(c, ("curation", "exclude_sources"), data.get("exclude_sources") or []),
        exclude_keywords=_str_list(c, ("curation", "exclude_keywords"), data.get("exclude_keywords") or []),
        pin=_str_list(c, ("curation", "pin"), data.get("pin") or []),
        hide=_str_list(c, ("curation", "hide"), data.get("hide") or []),
        themes=tuple(sorted((str(k), str(v)) for k, v in themes.items())),
        source_priority=tuple(sorted(priority)),
        merge_window_days=3 if window is None else window,
    )


TOP_KEYS = {
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "domain",
    "per_page",
    "front_page_days",
    "front_page_per_theme",
    "paths",
    "themes",
    "fallback_theme",
    "sources",
    "curation",
}
PATH_KEYS = {"raw", "content", "site", "templates"}


def parse_config(data: Any, lines: dict[tuple[str, ...], int], path: str, root: Path) -> Config:
    """Validate parsed YAML data into a Config, raising ConfigError with every problem."""
    c = _Collector(path, lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([Problem(path, 1, "the file must be a mapping of keys to values")])
    data = {str(k): v for k, v in data.items()}
    _check_keys(c, (), data, TOP_KEYS)

    defaults, _ = _read_yaml(DEFAULTS_PATH)
    paths_data = _mapping(c, ("paths",), data.get("paths") or {})
    _check_keys(c, ("paths",), paths_data, PATH_KEYS)
    resolved = {}
    for key in PATH_KEYS:
        value = _str(c, ("paths", key), paths_data.get(key, key)) or key
        resolved[key] = (root / value).resolve()
    paths = Paths(root=root.resolve(), **resolved)

    kwargs: dict[str, Any] = {}
    for key in ("title", "description", "language", "timezone", "domain"):
        if key in data:
            text = _str(c, (key,), data[key])
            if text is not None:
                kwargs[key] = text
    for key in ("per_page", "front_page_days", "front_page_per_theme"):
        if key in data:
            number = _int(c, (key,), data[key])
            if number is not None:
                kwargs[key] = number
    if "base_url" in data:
        base_url = _str(c, ("base_url",), data["base_url"])
        if base_url is not None:
            if not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
                c.add(("base_url",), f"not an absolute http(s) URL: {base_url!r}", "e.g. https://user.github.io/repo/")
            else:
                kwargs["base_url"] = base_url.rstrip("/") + "/"
    if "language" in kwargs and not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$", kwargs["language"]):
        c.add(("language",), f"not a language code: {kwargs['language']!r}", "e.g. en, ru, kk")
    if "timezone" in kwargs:
        try:
            ZoneInfo(kwargs["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            c.add(("timezone",), f"unknown time zone {kwargs['timezone']!r}", "e.g. Asia/Almaty or UTC")

    themes_data = data["themes"] if "themes" in data else defaults["themes"]
    themes = list(_parse_themes(c, themes_data))
    fallback = data.get("fallback_theme", defaults["fallback_theme"])
    fallback = _str(c, ("fallback_theme",), fallback) or "general"
    if not any(t.slug == fallback for t in themes):
        spec = defaults["themes"].get(fallback) or {}
        themes.append(Theme(fallback, spec.get("label", fallback.title()), spec.get("description", "")))
    if "sources" in data:
        kwargs["sources"] = _parse_sources(c, data["sources"] or [])
    if "curation" in data:
        curation = _parse_curation(c, data["curation"] or {})
        slugs = {t.slug for t in themes}
        for article_id, theme in curation.themes:
            if theme not in slugs:
                c.add(
                    ("curation", "themes", article_id),
                    f"unknown theme {theme!r}",
                    f"use one of: {', '.join(sorted(slugs))}",
                )
        kwargs["curation"] = curation
    if c.problems:
        raise ConfigError(c.problems)
    return Config(paths=paths, themes=tuple(themes), fallback_theme=fallback, **kwargs)


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
