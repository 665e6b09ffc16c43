"""Read JSON Lines from other scrapers: one article object per line.

Input: decoded text and the file's name. Output: a `SourceResult` with one item per good
line (title, date, url, body, optional source, language, sections, tags, published,
summary) and one problem per bad line naming it; the other lines are still read.
HTML inside string fields is reduced to plain text, never kept.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from generator.models import Problem, RawItem, Severity, SourceResult
from generator.sources.dates import implausible_problem, plausible_date
from generator.sources.html_page import html_to_paragraphs
from generator.sources.values import clean_text, host_name, parse_timestamp, pick_language, safe_url, unique

logger = logging.getLogger(__name__)

KNOWN_KEYS = frozenset(
    {
        "title",
        "date",
        "url",
        "body",
        "source",
        "language",
        "section",
        "sections",
        "tags",
        "published",
        "summary",
        "link",
        "text",
        "content",
        "lang",
        "source_url",
    }
)
_JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true/false",
    type(None): "null",
}

_PLURALS = {
    dict: "objects",
    list: "lists",
    str: "strings",
    int: "numbers",
    float: "numbers",
    bool: "booleans",
    type(None): "nulls",
}


class LineError(ValueError):
    """One line cannot be used; carries the problem's message and hint."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _kind(value: Any) -> str:
    if isinstance(value, list) and value:
        kinds = sorted({_PLURALS.get(type(v), "values") for v in value})
        return "a list of " + " and ".join(kinds)
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _string(obj: dict[str, Any], *keys: str) -> str | None:
    """Return the first present key's value as a string; raise LineError if it is another type."""
    for key in keys:
        if key in obj and obj[key] is not None:
            value = obj[key]
            if not isinstance(value, str):
                raise LineError(f'"{key}" must be a string, not {_kind(value)}', f'write "{key}" as a JSON string')
            return value
    return None


def _strings(obj: dict[str, Any], key: str) -> list[str]:
    """Return a list-of-strings field (a comma-separated string is accepted too)."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return value.split(",") if key == "tags" else [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise LineError(
        f'"{key}" must be a string or a list of strings, not {_kind(value)}', f'write "{key}" as ["a", "b"]'
    )


def _body(obj: dict[str, Any]) -> tuple[str, ...]:
    """Return the body (a string or a list of paragraph strings) as plain paragraphs."""
    for key in ("body", "text", "content"):
        value = obj.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            return html_to_paragraphs(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(p for v in value for p in html_to_paragraphs(v))
        raise LineError(
            f'"{key}" must be a string or a list of strings, not {_kind(value)}',
            "write the body as text or as a list of paragraphs",
        )
    return ()


def _plain(value: str | None) -> str:
    return " ".join(html_to_paragraphs(value)) if value else ""


def _unrecognized(shown: str, lineno: int, what: str, raw: str, hint: str) -> Problem:
    """Return the warning for a date or time that could not be read."""
    return Problem(shown, lineno, f'unrecognized {what} "{clean_text(raw)[:40]}"', hint, Severity.WARNING)


def _read_published(raw: str | None, implausible: list[dt.date]) -> tuple[dt.date | None, dt.datetime | None]:
    """Return the local date and moment of a `published` time; an implausible one is noted and dropped."""
    if not raw:
        return None, None
    date, published = parse_timestamp(raw)
    if date and not plausible_date(date):
        # A placeholder (0001-01-01) or far-future time is no publication time at all.
        implausible.append(date)
        return None, None
    return date, published


def _dates(
    obj: dict[str, Any], shown: str, lineno: int, title: str, warnings: list[Problem]
) -> tuple[dt.date | None, dt.datetime | None, str]:
    """Return (local date, aware datetime, date source) of a line's object, adding its warnings."""
    implausible: list[dt.date] = []
    raw_published = _string(obj, "published")
    date, published = _read_published(raw_published, implausible)
    date_source = "published" if date else ""
    raw_date = _string(obj, "date")
    if raw_date:
        # An explicit date is the publisher's day; `published` adds the moment.
        own, own_published = parse_timestamp(raw_date)
        if own and not plausible_date(own):
            implausible.append(own)
        elif own:
            date, date_source = own, "json"
            published = published or own_published
        else:
            warnings.append(_unrecognized(shown, lineno, "date", raw_date, "use YYYY-MM-DD or DD.MM.YYYY"))
    elif raw_published and date is None and not implausible:
        hint = "use ISO 8601, e.g. 2026-02-04T10:15:00+05:00"
        warnings.append(_unrecognized(shown, lineno, "published time", raw_published, hint))
    if date is None and implausible:
        warnings.append(implausible_problem(shown, lineno, title, implausible))
    return date, published, date_source


def _url(obj: dict[str, Any], shown: str, lineno: int, warnings: list[Problem]) -> str | None:
    """Return the line's http(s) link, warning when one was given but had to be dropped."""
    raw_url = _string(obj, "url", "link", "source_url")
    url = safe_url(raw_url)
    if raw_url and url is None:
        warnings.append(
            Problem(
                shown,
                lineno,
                f'url "{clean_text(raw_url)[:60]}" is not an http(s) URL and was dropped',
                "only http and https links are kept",
                Severity.WARNING,
            )
        )
    return url


def parse_line(obj: Any, name: str, shown: str, lineno: int) -> tuple[RawItem, list[Problem]]:
    """Return the item of one decoded JSON line and its warnings; raise LineError if it is unusable."""
    if not isinstance(obj, dict):
        raise LineError(f"line is {_kind(obj)}, not a JSON object", 'write one {"title": ..., "body": ...} per line')
    warnings: list[Problem] = []
    title = _plain(_string(obj, "title"))
    body = _body(obj)
    if not title and not body:
        raise LineError("object has neither a title nor a body", 'add "title" and "body"')
    date, published, date_source = _dates(obj, shown, lineno, title, warnings)
    url = _url(obj, shown, lineno, warnings)
    unknown = sorted(set(obj) - KNOWN_KEYS)
    if unknown:
        logger.debug("%s:%d: ignoring keys %s", shown, lineno, ", ".join(unknown))
    source = clean_text(_string(obj, "source") or "") or host_name(url)
    item = RawItem(
        origin=f"{name}:{lineno}",
        title=title or None,
        body=body,
        date=date,
        date_source=date_source,
        published=published,
        language=pick_language(_string(obj, "language", "lang"), " ".join([title, *body])),
        source=source or None,
        source_url=url,
        sections=unique([*_strings(obj, "sections"), *_strings(obj, "section")]),
        tags=unique(_strings(obj, "tags")),
        summary=_plain(_string(obj, "summary")) or None,
    )
    return item, warnings


def read_jsonl(text: str, name: str, shown: str) -> SourceResult:
    """Return one item per good line of a JSON Lines file and a problem per bad line."""
    items: list[RawItem] = []
    problems: list[Problem] = []
    seen = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        seen += 1
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(
                    shown,
                    lineno,
                    f"invalid JSON: {exc.msg} at column {exc.colno}",
                    "fix or remove the line; the other lines were read",
                )
            )
            continue
        except RecursionError:
            problems.append(
                Problem(
                    shown,
                    lineno,
                    "invalid JSON: nested too deeply",
                    "fix or remove the line; the other lines were read",
                )
            )
            continue
        try:
            item, warnings = parse_line(obj, name, shown, lineno)
        except LineError as exc:
            problems.append(Problem(shown, lineno, exc.message, exc.hint))
            continue
        items.append(item)
        problems.extend(warnings)
    return SourceResult(shown, "jsonl", items=tuple(items), problems=tuple(problems), raw_count=seen)
