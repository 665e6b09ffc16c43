"""search.py on its own: shards, Pagefind over a small rendered tree, reuse, and every way it can fail.

Search is optional: a missing or failing Pagefind is a result with a note for the search
page, never an exception. The Pagefind tests need the `pagefind` wheel (a project
dependency); without it they skip and say so.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from generator import search
from generator.cache import BuildCache


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


def _bundles(site: Path) -> dict[str, dict[str, object]]:
    """Return each listed bundle's pagefind-entry.json, by folder."""
    root = site / search.FOLDER
    return {
        name: json.loads((root / name / "pagefind-entry.json").read_text(encoding="utf-8"))
        for name in search.published_bundles(site)
    }


def _page_count(entry: dict[str, object]) -> int:
    languages = entry["languages"]
    assert isinstance(languages, dict)
    return sum(language["page_count"] for language in languages.values())


def test_only_article_pages_are_indexed_one_bundle_per_shard(tmp_path: Path) -> None:
    _needs_pagefind()
    result = search.index_site(_site(tmp_path))
    assert result.ok and result.note == "", result.detail
    bundles = _bundles(tmp_path)
    # The listing and the front page carry the same marked text, but only articles count;
    # both articles are in 2026, the newest year, which has a shard per month.
    assert [name.split("-")[:2] for name in bundles] == [["2026", "02"]]
    assert sum(_page_count(entry) for entry in bundles.values()) == 2
    for name in search.UI_FILES:
        assert (tmp_path / "pagefind" / name).is_file()
    listing = json.loads((tmp_path / "pagefind" / "bundles.json").read_text(encoding="utf-8"))
    assert listing == {"bundles": [f"{name}/" for name in bundles], "pending": False}


def test_shards_follow_the_calendar_and_stay_small() -> None:
    pages = [f"2024/0{m}/1{d}/economy/a{m}{d}/index.html" for m in (1, 2) for d in range(3)]
    pages += [f"2025/03/{d:02d}/economy/b{d}-{i}/index.html" for d in range(1, 8) for i in range(2)]
    pages += ["2025/04/01/culture/c/index.html"]
    shards = search.plan_shards(pages, limit=6)
    # Newest first: the newest year by month, its crowded March cut into whole days; 2024
    # (a past year within the limit) is one shard.
    assert [s.name for s in shards] == ["2025-04", "2025-03-07", "2025-03-04", "2025-03-01", "2024"]
    assert shards[2].days == ("2025/03/04", "2025/03/05", "2025/03/06")
    assert shards[2].glob == "2025/03/{04,05,06}/*/*/index.html"
    assert shards[0].glob == "2025/04/*/*/*/index.html"
    assert shards[-1].glob == "2024/*/*/*/*/index.html"
    covered = [day for shard in shards for day in shard.days]
    assert sorted(covered) == sorted({p[:10] for p in pages})  # every day once
    # A past year above the limit goes by month.
    assert [s.name for s in search.plan_shards(pages, limit=4)][-2:] == ["2024-02", "2024-01"]


def test_a_new_article_changes_only_the_newest_bundle() -> None:
    digests = {f"2025/0{m}/10/economy/a{m}/index.html": bytes([m]) for m in range(1, 7)}
    before = search.plan_bundles(digests)
    digests["2025/06/11/economy/new/index.html"] = b"n"
    after = search.plan_bundles(digests)
    assert [b.folder for b in after[1:]] == [b.folder for b in before[1:]]
    assert after[0].shard.name == before[0].shard.name == "2025-06" and after[0].key != before[0].key


def test_unchanged_bundles_are_reused_from_the_site_the_cache_or_the_previous_site(tmp_path: Path) -> None:
    _needs_pagefind()
    site = _site(tmp_path / "site")
    extra = site / "2025/11/03/politics/vote/index.html"
    extra.parent.mkdir(parents=True)
    extra.write_text(_page("The vote was counted."), encoding="utf-8")
    with BuildCache.open(tmp_path, "salt") as cache:
        first = search.index_site(site, cache=cache)
        cache.commit()
    assert first.ok and (first.indexed, first.reused) == (2, 0), first
    folders = search.published_bundles(site)
    # In place (the preview server): nothing changed, nothing is indexed.
    again = search.index_site(site)
    assert again.ok and (again.indexed, again.reused) == (0, 0)
    # A fresh checkout: no pagefind/, but the cache has both bundles.
    shutil.rmtree(site / "pagefind")
    with BuildCache.open(tmp_path, "salt") as cache:
        cached = search.index_site(site, cache=cache)
    assert cached.ok and (cached.indexed, cached.reused) == (0, 2)
    assert search.published_bundles(site) == folders
    assert sum(_page_count(entry) for entry in _bundles(site).values()) == 3
    # A new build staged next to the old site takes the unchanged bundle from it.
    staged = tmp_path / "staged"
    shutil.copytree(site, staged, ignore=shutil.ignore_patterns("pagefind"))
    changed = staged / "2026/02/05/culture/museum-reopens/index.html"
    changed.write_text(_page("The museum reopened with a new hall."), encoding="utf-8")
    result = search.index_site(staged, previous=site)
    assert result.ok and (result.indexed, result.reused) == (1, 1)
    new_folders = search.published_bundles(staged)
    assert new_folders[1] == folders[1] and new_folders[0] != folders[0]
    assert sorted(p.name for p in (staged / "pagefind").iterdir() if p.is_dir()) == sorted(new_folders)


def test_pending_is_said_in_bundles_json(tmp_path: Path) -> None:
    _needs_pagefind()
    assert search.index_site(_site(tmp_path)).ok
    search.mark_pending(tmp_path)
    listing = json.loads((tmp_path / "pagefind" / "bundles.json").read_text(encoding="utf-8"))
    assert listing["pending"] is True
    assert search.index_site(tmp_path).ok  # indexing catches up and says so
    listing = json.loads((tmp_path / "pagefind" / "bundles.json").read_text(encoding="utf-8"))
    assert listing["pending"] is False


def test_a_site_without_articles_has_nothing_to_search(tmp_path: Path) -> None:
    _needs_pagefind()
    (tmp_path / "index.html").write_text(_page("Front page only."), encoding="utf-8")
    result = search.index_site(tmp_path)
    assert not result.ok and result.note == search.EMPTY_NOTE
    assert not (tmp_path / "pagefind").exists()


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
