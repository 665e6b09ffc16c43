"""Split and join Markdown files with YAML front matter.

Input: the text of a content file. Output: its metadata mapping, its body and the line the
body starts on; or, the other way, the text for a mapping and a body. Pure functions, no
I/O. PyYAML lives here and in `config` only.
"""

from __future__ import annotations

import logging
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


def _load(yaml_text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML once, returning both the data and the node tree (for key lines)."""
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def split(text: str, path: str) -> tuple[dict[str, Any], str, int, dict[str, int]]:
    """Return (metadata, body, body's first line, key → line) for one content file's text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
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
    yaml_text = "\n".join(lines[1:end])
    try:
        meta, node = _load(yaml_text)
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
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ContentError([Problem(path, 2, "front matter must be a mapping of keys to values")])
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
    body = "\n".join(lines[end + 1 :])
    return {str(k): v for k, v in meta.items()}, body, end + 2, key_lines


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


def join(meta: dict[str, Any], body: str) -> str:
    """Return the file text for a metadata mapping (in its key order) and a Markdown body."""
    yaml_text = yaml.dump(
        meta,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=100_000,  # never fold long titles: one key per line keeps diffs readable
    )
    body = body.strip("\n")
    return f"{FENCE}\n{yaml_text}{FENCE}\n{body}\n" if body else f"{FENCE}\n{yaml_text}{FENCE}\n"
