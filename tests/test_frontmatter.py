"""Front matter: split/join round trips and located errors."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import yaml

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


def _reference(meta: dict[str, object]) -> str:
    """Return the file `yaml.dump` with the documented options would give for meta and no body."""
    return f"---\n{yaml.dump(meta, **frontmatter.DUMP_OPTIONS)}---\n"


# Characters that change how libyaml writes a scalar: indicators, quotes, spaces, digits,
# resolver look-alikes, Cyrillic, a no-break space, a tab, an emoji and a line break.
_TRICKY = [
    *"-?:,[]{}#&*!|>'\"%@`~.<=+ 0123456789eEyYnNoOtTfFxabz",
    "é",
    "қ",
    "«",
    "\u00a0",
    "\t",
    "😀",
    "\n",
    "yes",
    "No",
    "null",
    "true",
    "OFF",
    "2026-02-04",
    "1.5",
    "0x1F",
    ".inf",
    "---",
    "...",
    ": ",
    " #",
]
_WORDS = ["Kazakhstan", "Astana", "Тоқаев", "trade", "1e3", "it's", "«Хабар»", "A", "-", "*"]


def test_front_matter_is_written_exactly_as_yaml_dump_would() -> None:
    """Whatever path `join` takes, its text is yaml.dump's, and it reads back as the same mapping."""
    rng = random.Random(20261122)
    for _ in range(4_000):
        pieces = rng.choices(_TRICKY + _WORDS, k=rng.randint(0, 6))
        text = "".join(pieces) if rng.random() < 0.5 else " ".join(pieces)
        items = ["".join(rng.choices(_TRICKY + _WORDS, k=rng.randint(0, 3))) for _ in range(rng.randint(0, 3))]
        meta: dict[str, object] = {
            "id": "x1",
            "title": text,
            "date": dt.date(2026, 2, 4),
            "tags": items,
            "featured": rng.random() < 0.5,
            "summary": text[::-1],
        }
        written = frontmatter.join(meta, "")
        assert written == _reference(meta), meta
        assert frontmatter.split(written, "a.md")[0] == meta


@pytest.mark.parametrize(
    "value",
    [
        {"nested": [1, {"deep": "x: y"}]},
        3,
        1.5,
        None,
        dt.datetime(2026, 2, 4, 10, 30),
        "tab\there",
        "line\nbreak",
        "x" * 6_000,
        "😀 emoji",
        ["a", 1, None],
        [],
        {},
    ],
)
def test_values_of_every_other_kind_round_trip(value: object) -> None:
    meta = {"id": "x1", "extra": value}
    written = frontmatter.join(meta, "Body.")
    assert written == _reference(meta).removesuffix("\n") + "\nBody.\n"
    assert frontmatter.split(written, "a.md")[0] == meta


@pytest.mark.parametrize("key", ["Title", "two words", "ключ", "null", "1", "a:b", "-x", ""])
def test_keys_of_every_kind_round_trip(key: str) -> None:
    meta = {key: "value", "tags": ["a"]}
    written = frontmatter.join(meta, "")
    assert written == _reference(meta)
    assert frontmatter.split(written, "a.md")[0] == meta
