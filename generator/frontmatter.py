"""Split and join Markdown files with YAML front matter.

Input: the text of a content file. Output: its metadata mapping, its body and the line the
body starts on; or, the other way, the text for a mapping and a body. Pure functions, no
I/O. PyYAML lives here and in `config` only.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from generator.errors import ContentError
from generator.models import Problem

logger = logging.getLogger(__name__)

FENCE = "---"


# libyaml's C emitter and parser are ~50x faster than PyYAML's pure-Python ones, which
# dominated a 10,000-article ingest; fall back to the pure ones where libyaml is missing.
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(_BaseDumper):
    """A safe dumper that never emits aliases (each article's values stand alone)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


#: Never fold long titles: one key per line keeps diffs readable.
_WIDTH = 100_000
#: The `yaml.dump` options front matter is written with: `join` writes exactly what
#: `yaml.dump(meta, **DUMP_OPTIONS)` would (keys in the mapping's order, no aliases, UTF-8
#: text as it is, flow style for lists inside a block mapping, never a folded line).
DUMP_OPTIONS: dict[str, Any] = {
    "Dumper": _Dumper,
    "allow_unicode": True,
    "sort_keys": False,
    "default_flow_style": None,
    "width": _WIDTH,
}


def _load(yaml_text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML once, returning both the data and the node tree (for key lines)."""
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def _fenced(text: str, path: str) -> tuple[list[str], int]:
    """Return the file's lines (BOM and CRLF removed) and the index of the closing fence."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise ContentError(
            [
                Problem(
                    path,
                    1,
                    "no front matter",
                    "start the file with a '---' line, the YAML keys, and another '---' line",
                )
            ]
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise ContentError(
            [Problem(path, 1, "front matter is not closed", "add a '---' line after the YAML keys")]
        ) from None
    return lines, end


def _parse_yaml(yaml_text: str, path: str) -> tuple[Any, yaml.Node | None]:
    """Return the front matter's data and node tree; raise ContentError naming the line at fault."""
    try:
        return _load(yaml_text)
    except yaml.YAMLError as exc:
        exc = _pure_error(yaml_text) or exc
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContentError(
            [
                Problem(
                    path,
                    line,
                    f"invalid YAML in front matter: {reason}",
                    "fix the syntax; quote values that contain ': '",
                )
            ]
        ) from exc
    except ValueError as exc:  # PyYAML raises this for impossible dates such as 2026-02-30
        raise ContentError(
            [
                Problem(
                    path,
                    _line_of_value_error(yaml_text),
                    f"invalid value in front matter: {exc}",
                    "use a real date as YYYY-MM-DD",
                )
            ]
        ) from exc


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Return the file line of each top-level key of a mapping node."""
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    return key_lines


def split(text: str, path: str) -> tuple[dict[str, Any], str, int, dict[str, int]]:
    """Return (metadata, body, body's first line, key → line) for one content file's text."""
    lines, end = _fenced(text, path)
    meta, node = _parse_yaml("\n".join(lines[1:end]), path)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError([Problem(path, 2, "front matter must be a mapping of keys to values")])
    body = "\n".join(lines[end + 1 :])
    return {str(k): v for k, v in meta.items()}, body, end + 2, _key_lines(node)


def _pure_error(yaml_text: str) -> yaml.YAMLError | None:
    """Return the pure-Python parser's error: its marks point at the offending line, libyaml's at the end."""
    try:
        yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        return exc
    return None


def _line_of_value_error(yaml_text: str) -> int:
    """Return the front-matter line of the first value PyYAML cannot construct."""
    for i, line in enumerate(yaml_text.split("\n")):
        try:
            yaml.safe_load(line)
        except (ValueError, yaml.YAMLError):
            return i + 2
    return 1


def join(meta: dict[str, Any], body: str, prefixes: Mapping[str, str] | None = None) -> str:
    """Return the file text for a metadata mapping (in its key order) and a Markdown body.

    `prefixes` is `key_prefixes` of the keys a caller writes in every file, so that they
    are not checked again for each one.
    """
    yaml_text = _emit_simple(meta, prefixes or {})
    if yaml_text is None:
        yaml_text = yaml.dump(meta, **DUMP_OPTIONS)
    body = body.strip("\n")
    return f"{FENCE}\n{yaml_text}{FENCE}\n{body}\n" if body else f"{FENCE}\n{yaml_text}{FENCE}\n"


# Writing an article's front matter through PyYAML's representer, its Python resolver
# callbacks and libyaml took 2 of a 10,000-article ingest's 15 CPU seconds. Front matter
# written by ingest is a flat mapping of short single-line strings, dates, booleans and
# lists of strings, for which libyaml's choice of style is simple to make here exactly:
# plain where its scalar analysis and the resolver allow, else single-quoted.
# `_emit_simple` makes that choice and returns None for anything else (then yaml.dump
# writes the file); tests/test_frontmatter.py compares `join` with yaml.dump on many tricky strings.
_MAX_SCALAR = 5_000
_KEY = re.compile(r"[a-z_][a-z0-9_]{0,63}")
# Where libyaml's scalar analysis finds an indicator (or a leading or trailing space) that
# rules out the plain style: in a block mapping value, and inside a flow sequence.
_BLOCK_UNSAFE = re.compile(r"^(?:[#,\[\]{}&*!|>'\"%@`]|[?:-](?: |\Z)|---|\.\.\.| )| \Z|: | #|:\Z")
_FLOW_UNSAFE = re.compile(r"^(?:[#&*!|>'\"%@`]|-(?: |\Z)|---|\.\.\.| )| \Z|[,?\[\]{}:]| #")
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")  # libyaml escapes these in double quotes
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = _Dumper.yaml_implicit_resolvers


def _scalar(text: str, flow: bool) -> str | None:
    """Return a string as libyaml writes it (plain or single-quoted), or None if not simple."""
    if not text:
        return "''"
    if len(text) > _MAX_SCALAR or not text.isprintable() or (not text.isascii() and _NON_BMP.search(text)):
        return None  # tabs, breaks, control and other special characters: double quotes
    if (_FLOW_UNSAFE if flow else _BLOCK_UNSAFE).search(text) is None:
        resolvers = _RESOLVERS.get(text[0])
        if resolvers is None:
            return text
        for _tag, regexp in resolvers:
            if regexp.match(text):
                break  # it would read back as a number, date, boolean or null
        else:
            return text
    return "'" + text.replace("'", "''") + "'"


def _key_prefix(key: object) -> str | None:
    """Return `key: ` for a key libyaml writes plain, else None."""
    if isinstance(key, str) and _KEY.fullmatch(key) is not None and _scalar(key, False) == key:
        return f"{key}: "
    return None


def key_prefixes(keys: Iterable[str]) -> dict[str, str]:
    """Return `key: ` for each of the keys libyaml writes plain (for `join`'s `prefixes`)."""
    # Checking each key of each file took a third of the time of writing 10,000 articles.
    return {key: prefix for key in keys if (prefix := _key_prefix(key)) is not None}


def _emit_simple(meta: dict[str, Any], prefixes: Mapping[str, str]) -> str | None:
    """Return the YAML yaml.dump writes for a flat mapping of simple values, or None."""
    lines = []
    for key, value in meta.items():
        prefix = prefixes.get(key) or _key_prefix(key)
        if prefix is None:
            return None
        kind = type(value)
        if kind is str:
            text = _scalar(value, False)
        elif kind is bool:
            text = "true" if value else "false"
        elif kind is dt.date:
            text = value.isoformat()
        elif kind is list:
            items = []
            for item in value:
                quoted = _scalar(item, True) if type(item) is str else None
                if quoted is None:
                    return None
                items.append(quoted)
            text = "[" + ", ".join(items) + "]"
        else:
            return None
        if text is None:
            return None
        lines.append(prefix + text)
    if max(map(len, lines), default=0) >= _WIDTH - 10_000:
        return None
    return "\n".join(lines) + "\n" if lines else "{}\n"
