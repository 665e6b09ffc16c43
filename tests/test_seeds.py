"""End-to-end check of the page dump parser on the shared seeds against their ground truth.

Reads ../shared/fixtures/{raw,expected} through the `shared_dir` fixture (skipped when the
folder is absent) and compares at the RawItem level, the way tools/score_ingest.py compares
content files: titles, first and last body words as casefolded letters and digits.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.models import RawItem
from generator.sources.text import read_text_dump

SEEDS = ("000_1a08782589c742eb", "001_7fb826408a7a0a54", "002_f3f1e45a48b694a8", "003_b937db6a12856c3a")
_TICKER = re.compile(r"\b[A-Z]{3}/USD\s*=")


def norm(text: str | None) -> str:
    """Return text as casefolded letters and digits (score_ingest.py's comparison)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def load(shared: Path, seed: str) -> tuple[dict[str, Any], tuple[RawItem, ...]]:
    expected = yaml.safe_load((shared / "fixtures" / "expected" / f"{seed}.yaml").read_text(encoding="utf-8"))
    name = expected["file"]
    raw = (shared / "fixtures" / "raw" / name).read_text(encoding="utf-8")
    result = read_text_dump(raw, name, f"raw/{name}")
    assert result.problems == ()
    return expected, result.items


def title_matches(expected: dict[str, Any], got: str | None) -> bool:
    want, have = norm(expected.get("title")), norm(got)
    if have == want:
        return True
    # A headline that repeats the whole body may be shortened to a prefix of itself.
    return bool(expected.get("title_may_be_shortened")) and len(have) >= 30 and want.startswith(have)


def find_item(expected: dict[str, Any], pool: list[RawItem]) -> RawItem:
    for item in pool:
        if expected.get("title") and title_matches(expected, item.title):
            return item
    first = norm(expected.get("body_first_words"))
    for item in pool:
        if first and norm(" ".join(item.body)).startswith(first):
            return item
    raise AssertionError(f"article {expected['index']} not found: {expected.get('title')!r}")


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_article_count(shared_dir: Path, seed: str) -> None:
    expected, items = load(shared_dir, seed)
    assert len(items) == expected["article_count"]
    content = [i for i in items if i.title or i.body]
    assert len(content) == expected.get("content_article_count", expected["article_count"])


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_articles(shared_dir: Path, seed: str) -> None:
    expected, items = load(shared_dir, seed)
    pool = list(items)
    for want in expected["articles"]:
        if not want.get("title") and not want.get("body_first_words"):
            continue  # an empty headline slot: nothing to match on
        item = find_item(want, pool)
        pool.remove(item)
        where = f"{seed} #{want['index']}"
        assert title_matches(want, item.title), where
        assert str(item.date) == str(want["date"]), where
        assert item.language == want["language"], where
        assert item.source_url == want.get("source_url"), where
        assert list(item.sections) == list(want.get("sections") or []), where
        body = norm(" ".join(item.body))
        if want.get("body_first_words"):
            starts = [want["body_first_words"], want.get("body_first_words_after_dateline")]
            assert any(s and body.startswith(norm(s)) for s in starts), where
        else:
            assert item.body == (), where
        if want.get("body_last_words"):
            assert body.endswith(norm(want["body_last_words"])), where
        if want.get("title_line"):
            assert item.origin == f"{expected['file']}:{want['title_line']}", where


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_boilerplate_stays_out_of_bodies(shared_dir: Path, seed: str) -> None:
    expected, items = load(shared_dir, seed)
    texts = [bp["text"].strip() for bp in expected.get("boilerplate_lines") or [] if len(bp.get("text") or "") > 4]
    for item in items:
        for para in item.body:
            assert para.strip() not in texts, (item.origin, para)
            assert "[/vc_" not in para
            assert not _TICKER.search(para)
            assert "Source :" not in para
        if item.title:
            assert not re.search(r"\d{2}\.\d{2}\.\d{4}$", item.title), item.title
