"""The persistent build cache: round trips, invalidation, damage, pruning and fingerprints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.cache import FILE_NAME, BuildCache, NullCache, code_fingerprint, fingerprint, tree_fingerprint
from generator.models import Article, Link, Page, Problem, Severity

REPO = Path(__file__).resolve().parent.parent
OLD_NS = 1_600_000_000 * 10**9  # an mtime long past: the stat fast path trusts it


def article(**changes: object) -> Article:
    """Return a small article, changed as asked."""
    base = Article(
        id="5c1e9a0b7d2f",
        title="Thirty-two documents signed",
        date=dt.date(2026, 2, 4),
        theme="economy",
        body="Thirty-two commercial documents were signed.\n\nMore *text*.",
        tags=("pakistan", "trade"),
        published=dt.datetime(2026, 2, 4, 10, 30, tzinfo=ZoneInfo("Asia/Almaty")),
        slug="thirty-two-documents-signed",
        src_path="2026/02/04/economy/thirty-two-documents-signed.md",
        score=1.5,
        extra=(("editor", "anna"),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def page(**changes: object) -> Page:
    """Return an article page, changed as asked."""
    a = article()
    base = Page(
        url=a.url,
        template="article.html",
        title=a.title,
        kind="article",
        article=a,
        related=(Link("2026/02/03/economy/other/", "Other", 0, "ru"),),
        up=Link("2026/02/04/", "4 February 2026"),
        days=((dt.date(2026, 2, 4), 3),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def content_file(root: Path, text: str = "---\ntitle: A\ndate: 2026-02-04\n---\nBody.\n") -> tuple[Path, bytes]:
    """Write a content file with an old mtime; return its path and bytes."""
    path = root / "content" / "2026" / "02" / "04" / "economy" / "a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(data)
    os.utime(path, ns=(OLD_NS, OLD_NS))
    return path, data


def cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the messages of the cache's warnings."""
    return [r.getMessage() for r in caplog.records if r.name == "generator.cache" and r.levelno == logging.WARNING]


def test_pages_content_and_blobs_survive_a_new_process(tmp_path: Path) -> None:
    path, data = content_file(tmp_path)
    value = (article(), [Problem("a.md", 3, "odd tag", "drop it", Severity.WARNING)])
    with BuildCache.open(tmp_path, "salt-1") as cache:
        cache.put_page("k1", b"<html>one</html>")
        cache.put_content("a.md", path.stat(), data, value)
        cache.put_blob("search", "index-1", b"\x00snapshot")
        cache.commit()
    assert (tmp_path / ".cache" / "digest" / FILE_NAME).is_file()

    with BuildCache.open(tmp_path, "salt-1") as cache:
        assert cache.get_page("k1") == b"<html>one</html>"
        assert cache.get_page("k2") is None
        assert cache.get_content("a.md", path.stat()) == value
        assert cache.get_blob("search", "index-1") == b"\x00snapshot"
        assert cache.get_blob("search", "index-2") is None  # stored under another key
        assert (cache.hits, cache.misses) == (3, 2)


def test_content_is_matched_by_bytes_when_the_stat_changed(tmp_path: Path) -> None:
    # A fresh CI checkout gives every file a new mtime: same bytes must still hit.
    path, data = content_file(tmp_path)
    with BuildCache.open(tmp_path, "s") as cache:
        cache.put_content("a.md", path.stat(), data, "parsed")
        cache.commit()
    os.utime(path, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_content("a.md", path.stat()) is None  # the stat alone is not enough now
        assert cache.get_content("a.md", path.stat(), path.read_bytes()) == "parsed"
        cache.commit()
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_content("a.md", path.stat()) == "parsed"  # the new stat was recorded


def test_edited_content_misses(tmp_path: Path) -> None:
    path, data = content_file(tmp_path)
    with BuildCache.open(tmp_path, "s") as cache:
        cache.put_content("a.md", path.stat(), data, "old")
        cache.commit()
    # Same size, same mtime (set back, as some tools do), other bytes.
    path, data = content_file(tmp_path, "---\ntitle: B\ndate: 2026-02-04\n---\nBody.\n")
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_content("a.md", path.stat()) is None  # the ctime moved
        assert cache.get_content("a.md", path.stat(), data) is None


def test_fresh_files_are_compared_by_bytes(tmp_path: Path) -> None:
    # A file written just now may change again within its mtime tick: its stat is not trusted.
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    with BuildCache.open(tmp_path, "s") as cache:
        cache.put_content("a.md", path.stat(), b"one", "parsed")
        cache.commit()
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_content("a.md", path.stat()) is None
        assert cache.get_content("a.md", path.stat(), b"one") == "parsed"


def test_another_salt_clears_the_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with BuildCache.open(tmp_path, "version-1") as cache:
        cache.put_page("k", b"old template")
        cache.commit()
    with BuildCache.open(tmp_path, "version-2") as cache:
        assert cache.get_page("k") is None
        cache.put_page("k", b"new template")
        cache.commit()
    with BuildCache.open(tmp_path, "version-1") as cache:
        assert cache.get_page("k") is None  # cleared again, not restored
    assert cache_warnings(caplog) == []  # a salt change is routine, not a problem


def foreign_database(path: Path) -> None:
    """Write another program's SQLite database at path."""
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
    db.close()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(os.urandom(4096)), id="random-bytes"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(200)), id="truncated"),
        pytest.param(lambda p: foreign_database(p), id="foreign-sqlite"),
    ],
)
def test_an_unusable_file_is_replaced_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    path = tmp_path / ".cache" / "digest" / FILE_NAME
    path.parent.mkdir(parents=True)
    damage(path)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING), BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_page("k") is None
        cache.put_page("k", b"page")
        cache.commit()
    messages = cache_warnings(caplog)
    if messages:  # an empty file is a valid new database: nothing to warn about
        assert len(messages) == 1
        assert messages[0].startswith(f"build cache {path} unusable (")
        assert messages[0].endswith("); rebuilding without it")
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_page("k") == b"page"
    assert len(cache_warnings(caplog)) == len(messages)


def test_an_entry_that_cannot_be_unpickled_empties_the_cache_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, data = content_file(tmp_path)
    with BuildCache.open(tmp_path, "s") as cache:
        cache.put_content("a.md", path.stat(), data, "parsed")
        cache.put_content("b.md", path.stat(), data, "parsed too")
        cache.put_page("k", b"page")
        cache.commit()
    db = sqlite3.connect(tmp_path / ".cache" / "digest" / FILE_NAME)
    with db:
        db.execute("UPDATE content SET value = ? ", (b"\x80\x05not a pickle",))
    db.close()
    with caplog.at_level(logging.WARNING), BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_content("a.md", path.stat()) is None
        assert cache.get_content("b.md", path.stat()) is None
        assert cache.get_page("k") is None  # everything went: the file is not trusted
        cache.put_content("a.md", path.stat(), data, "parsed again")
        cache.commit()
    assert len(cache_warnings(caplog)) == 1
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_content("a.md", path.stat()) == "parsed again"


def test_commit_prunes_entries_the_build_did_not_touch(tmp_path: Path) -> None:
    path, data = content_file(tmp_path)
    with BuildCache.open(tmp_path, "s") as cache:
        for key in ("used", "rewritten", "unused"):
            cache.put_page(key, key.encode())
        cache.put_content("used.md", path.stat(), data, 1)
        cache.put_content("unused.md", path.stat(), data, 2)
        cache.put_blob("search", "v1", b"index")
        cache.commit()
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_page("used") == b"used"
        cache.put_page("rewritten", b"again")
        assert cache.get_content("used.md", path.stat()) == 1
        cache.commit()  # a full build: "unused", "unused.md" and the blob were not asked for
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_page("used") == b"used"
        assert cache.get_page("rewritten") == b"again"
        assert cache.get_page("unused") is None
        assert cache.get_content("used.md", path.stat()) == 1
        assert cache.get_content("unused.md", path.stat()) is None
        assert cache.get_blob("search", "v1") is None


def test_commit_without_prune_and_close_without_commit(tmp_path: Path) -> None:
    with BuildCache.open(tmp_path, "s") as cache:
        cache.put_page("a", b"a")
        cache.commit()
    with BuildCache.open(tmp_path, "s") as cache:
        cache.put_page("b", b"b")
        cache.commit(prune=False)  # a partial rebuild keeps what it did not look at
        cache.put_page("c", b"c")  # a failed build: closed without commit
    with BuildCache.open(tmp_path, "s") as cache:
        assert (cache.get_page("a"), cache.get_page("b"), cache.get_page("c")) == (b"a", b"b", None)


def test_a_second_process_holding_the_cache_does_not_crash_this_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.cache

    monkeypatch.setattr(generator.cache, "LOCK_TIMEOUT", 0.1)
    with BuildCache.open(tmp_path, "s") as first:
        first.put_page("a", b"a")  # holds the write lock until commit
        with caplog.at_level(logging.WARNING), BuildCache.open(tmp_path, "s") as second:
            assert second.get_page("a") is None
            second.put_page("b", b"b")
            second.commit()
        first.commit()
    assert len(cache_warnings(caplog)) == 1
    with BuildCache.open(tmp_path, "s") as cache:
        assert cache.get_page("a") == b"a"  # the holder's file was kept, not replaced


def test_a_cache_folder_that_cannot_be_made_means_no_cache(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / ".cache").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING), BuildCache.open(tmp_path, "s") as cache:
        cache.put_page("k", b"x")
        assert cache.get_page("k") is None
        assert not cache.usable
        cache.commit()
    assert len(cache_warnings(caplog)) == 1


def test_null_cache_keeps_nothing(tmp_path: Path) -> None:
    path, data = content_file(tmp_path)
    with NullCache() as cache:
        cache.put_page("k", b"x")
        cache.put_content("a.md", path.stat(), data, 1)
        cache.put_blob("n", "k", b"x")
        cache.commit()
        assert cache.get_page("k") is None
        assert cache.get_content("a.md", path.stat(), data) is None
        assert cache.get_blob("n", "k") is None


FINGERPRINT_SCRIPT = """
import datetime as dt, sys
sys.path.insert(0, sys.argv[1])
from tests.test_cache import page
from generator.cache import fingerprint
print(fingerprint(page()))
print(fingerprint({"b": frozenset({"x", "y", "z"}), "a": (1, 2.5, None, True, b"raw")}))
"""


def test_fingerprint_is_the_same_in_another_process() -> None:
    # Hash randomization differs per process: a fingerprint built on hash() would differ.
    here = [fingerprint(page()), fingerprint({"b": frozenset({"x", "y", "z"}), "a": (1, 2.5, None, True, b"raw")})]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", FINGERPRINT_SCRIPT, str(REPO)], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.split() == here


@pytest.mark.parametrize(
    "changed",
    [
        page(title="Other title"),
        page(article=article(body="Thirty-two commercial documents were signed.\n\nMore *text*!")),
        page(article=article(extra=(("editor", "bob"),))),  # compare=False, but templates may read it
        page(article=article(published=dt.datetime(2026, 2, 4, 10, 30, tzinfo=ZoneInfo("Asia/Tashkent")))),
        page(article=article(tags=("trade", "pakistan"))),
        page(article=article(score=1.5000001)),
        page(article=article(featured=True)),
        page(related=()),
        page(related=(Link("2026/02/03/economy/other/", "Other", 0, "kk"),)),
        page(up=None),
        page(days=((dt.date(2026, 2, 5), 3),)),
        page(span="3 February 2026"),
    ],
)
def test_fingerprint_changes_with_any_field(changed: Page) -> None:
    assert fingerprint(changed) != fingerprint(page())


def test_fingerprint_tells_types_and_boundaries_apart() -> None:
    values = [
        ("ab", "c"),
        ("a", "bc"),
        ["ab", "c"],
        "abc",
        b"abc",
        1,
        1.0,
        True,
        "1",
        None,
        (),
        dt.date(2026, 2, 4),
        dt.datetime(2026, 2, 4),
        Severity.ERROR,
        "error",
        Path("a/b"),
    ]
    assert len({fingerprint(v) for v in values}) == len(values)
    assert fingerprint(page()) == fingerprint(page())  # equal values, distinct objects


def test_fingerprint_refuses_what_it_cannot_walk() -> None:
    with pytest.raises(TypeError, match="cannot fingerprint"):
        fingerprint((object(),))


def test_tree_and_code_fingerprints_follow_the_files(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "base.html").write_text("<html>")
    (tmp_path / "static" / "site.css").write_text("body{}")
    before = tree_fingerprint([tmp_path])
    assert tree_fingerprint([tmp_path]) == before
    (tmp_path / "static" / "site.css").write_text("body{color:red}")
    assert tree_fingerprint([tmp_path]) != before
    assert tree_fingerprint([tmp_path / "missing", tmp_path]) != tree_fingerprint([tmp_path])
    assert len(code_fingerprint()) == 64


def test_pruned_space_is_given_back(tmp_path: Path) -> None:
    with BuildCache.open(tmp_path, "s") as cache:
        for number in range(200):
            cache.put_page(f"k{number}", os.urandom(10_000))
        cache.commit()
    path = tmp_path / ".cache" / "digest" / FILE_NAME
    full = path.stat().st_size
    with BuildCache.open(tmp_path, "s") as cache:
        cache.put_page("k0", b"small")
        cache.commit()
    assert path.stat().st_size < full / 4
