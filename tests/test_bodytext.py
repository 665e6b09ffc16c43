"""Body text: plain paragraphs to content-file Markdown and back."""

from __future__ import annotations

import pytest

from generator.bodytext import join_paragraphs, to_markdown, to_plain


def test_join_paragraphs_collapses_spaces_and_drops_empty_ones() -> None:
    assert join_paragraphs(["  One\n two ", "", " \t", "Three"]) == "One two\n\nThree"


@pytest.mark.parametrize(
    "plain",
    [
        "# not a heading\n\n> not a quote\n\n- not a list\n\n1. not a list either\n\n===",
        "<script>alert(1)</script> and a < b",
        "Plain text stays as it is.\n\nSo does a second paragraph.",
    ],
)
def test_ingest_markdown_reads_back_as_the_plain_text(plain: str) -> None:
    markdown = to_markdown(plain)
    assert to_plain(markdown) == plain


def test_plain_body_without_escapes_is_its_own_markdown() -> None:
    plain = "Nothing to escape here.\n\nNor here: 2 * 3 = 6."
    assert to_markdown(plain) is plain


def test_to_plain_strips_what_people_write_in_markdown() -> None:
    markdown = "## Heading\n\n**Bold** and _light_ and `code`, a [link](https://x.kz/a) ![img](i.png)\n\n* item"
    assert to_plain(markdown) == "Heading\n\nBold and light and code, a link img\n\nitem"


def test_to_plain_keeps_what_only_looks_like_markup() -> None:
    text = "snake_case_name, 2 * 3 * 4, \\*not emphasis\\*, AT&T &amp; co"
    assert to_plain(text) == "snake_case_name, 2 * 3 * 4, *not emphasis*, AT&T & co"
