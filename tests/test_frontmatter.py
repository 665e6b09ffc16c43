"""Front matter: split/join round trips and located errors."""

from __future__ import annotations

import datetime as dt

import pytest

from generator import frontmatter
from generator.errors import ContentError


def test_round_trip_is_exact() -> None:
    meta = {
        "id": "5c1e9a0b7d2f",
        "title": 'Quote: "yes" — and a colon',
        "date": dt.date(2026, 2, 4),
        "tags": ["pakistan", "trade"],
        "summary": "Тридцать два документа подписаны.",
        "custom": {"nested": [1, 2]},
        "featured": False,
    }
    text = frontmatter.join(meta, "First paragraph.\n\nSecond paragraph.")
    got, body, body_line, lines = frontmatter.split(text, "x.md")
    assert got == meta
    assert body.strip() == "First paragraph.\n\nSecond paragraph."
    assert frontmatter.join(got, body) == text
    assert text.split("\n")[body_line - 1] == "First paragraph."
    assert lines["title"] == 3
    assert text.endswith("\n") and "\r" not in text


def test_long_titles_are_never_folded() -> None:
    title = "word " * 60
    text = frontmatter.join({"title": title.strip()}, "")
    assert text.count("\n") == 3


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("no fences\n", 1, "no front matter"),
        ("---\ntitle: x\n", 1, "front matter is not closed"),
        ("---\ntitle: x\ndate: [2026\n---\n", 3, "invalid YAML"),
        ("---\n- a\n- b\n---\n", 2, "must be a mapping"),
        ("---\ntitle: x\ndate: 2026-02-30\n---\n", 3, "invalid value"),
    ],
)
def test_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ContentError) as info:
        frontmatter.split(text, "content/a.md")
    problem = info.value.problems[0]
    assert problem.path == "content/a.md"
    assert problem.line == line
    assert fragment in problem.message


def test_bom_and_crlf_are_accepted() -> None:
    meta, body, _, _ = frontmatter.split("\ufeff---\r\ntitle: x\r\n---\r\nBody\r\n", "a.md")
    assert meta == {"title": "x"}
    assert body.strip() == "Body"
