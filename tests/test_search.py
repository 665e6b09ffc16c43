"""search.py on its own: Pagefind over a small rendered tree, and every way it can fail.

Search is optional: a missing or failing Pagefind is a result with a note for the search
page, never an exception. The Pagefind tests need the `pagefind` wheel (a project
dependency); without it they skip and say so.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from generator import search


def _page(text: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        f"<body><nav>Menu words</nav><main><h1>Title</h1><div data-pagefind-body><p>{text}</p></div></main></body></html>"
    )


def _site(root: Path) -> Path:
    """Write two article pages (YYYY/MM/DD/theme/slug/) and a listing that repeats one."""
    files = {
        "2026/02/04/economy/tenge-gains/index.html": _page("The tenge gained against the dollar."),
        "2026/02/05/culture/museum-reopens/index.html": _page("The petroglyph museum reopened."),
        "themes/economy/index.html": _page("The tenge gained against the dollar."),
        "index.html": _page("Front page teaser."),
    }
    for rel, html in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    return root


def _needs_pagefind() -> None:
    if search._command() is None:
        pytest.skip("Pagefind is not installed: pip install 'pagefind[extended]' (a dependency of digest)")


def test_only_article_pages_are_indexed(tmp_path: Path) -> None:
    _needs_pagefind()
    result = search.index_site(_site(tmp_path))
    assert result.ok and result.note == "", result.detail
    entry = json.loads((tmp_path / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    # The listing and the front page carry the same marked text, but only articles count.
    assert sum(language["page_count"] for language in entry["languages"].values()) == 2
    assert (tmp_path / "pagefind" / "pagefind-ui.js").is_file()


def test_missing_pagefind_is_a_note_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "_command", lambda: None)
    assert search.search_note() == search.UNAVAILABLE_NOTE
    result = search.index_site(_site(tmp_path))
    assert not result.ok and result.note == search.UNAVAILABLE_NOTE
    assert not (tmp_path / "pagefind").exists()


def test_a_failing_pagefind_is_reported_with_its_last_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = [sys.executable, "-c", "import sys; print('index exploded', file=sys.stderr); sys.exit(3)"]
    monkeypatch.setattr(search, "_command", lambda: failing)
    result = search.index_site(_site(tmp_path))
    assert not result.ok and result.note == search.FAILED_NOTE
    assert "exit 3" in result.detail and "index exploded" in result.detail


def test_a_pagefind_that_cannot_start_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "_command", lambda: [str(tmp_path / "no-such-binary")])
    result = search.index_site(_site(tmp_path))
    assert not result.ok and result.note == search.FAILED_NOTE
    assert "could not run" in result.detail
