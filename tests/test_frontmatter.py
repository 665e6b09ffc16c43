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


def _yaml_dump(meta: dict[str, object]) -> str:
    return yaml.dump(
        meta,
        Dumper=frontmatter._Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=frontmatter._WIDTH,
    )


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


def test_simple_front_matter_is_written_exactly_as_yaml_dump_would() -> None:
    """The fast path must be byte-identical to yaml.dump wherever it answers at all."""
    rng = random.Random(20261122)
    answered = 0
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
        fast = frontmatter._emit_simple(meta)
        if fast is not None:
            answered += 1
            assert fast == _yaml_dump(meta), meta
            assert yaml.safe_load(fast) == meta
    # It must answer for most strings, or it is not the fast path it claims to be.
    assert answered > 1_500


@pytest.mark.parametrize(
    "value",
    [{"nested": 1}, 3, 1.5, None, dt.datetime(2026, 2, 4, 10, 30), ("a", "b"), "tab\there", "x" * 6_000],
)
def test_values_the_fast_path_does_not_know_go_through_yaml(value: object) -> None:
    meta = {"id": "x1", "extra": value}
    assert frontmatter._emit_simple(meta) is None
    if not isinstance(value, tuple):  # SafeDumper refuses tuples; content never passes one
        assert frontmatter.join(meta, "") == f"---\n{_yaml_dump(meta)}---\n"
