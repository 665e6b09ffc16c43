"""Tests for `generator.write` (putting the site on disk) and `generator.files.write_atomic`."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from generator import files
from generator.errors import BuildError
from generator.files import write_atomic
from generator.write import (
    OutputFile,
    clean_leftovers,
    discard_staging,
    make_spare,
    spare_path,
    stage_site,
    swap_in,
    write_changed,
)


def tree(root: Path) -> dict[str, bytes]:
    """Return every file under root (dot files included) by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- write_atomic ----------------------------------------------------------------------------


def test_write_atomic_writes_bytes_and_text(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.bin", b"\x00\x01")
    write_atomic(tmp_path / "b.md", "line one\nстрока два\n")
    write_atomic(str(tmp_path / "c.txt"), "as a str path")
    assert tree(tmp_path) == {
        "a.bin": b"\x00\x01",
        "b.md": "line one\nстрока два\n".encode(),  # UTF-8, LF kept on every platform
        "c.txt": b"as a str path",
    }


def test_write_atomic_replaces_and_creates_folders(tmp_path: Path) -> None:
    target = tmp_path / "new/deeper/file.json"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert tree(tmp_path) == {"new/deeper/file.json": b"second"}


def test_write_atomic_gives_new_files_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    write_atomic(tmp_path / "f", b"x")
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o666 & ~umask


def test_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    target.write_bytes(b"old")

    def refuse(src: str, dst: object) -> None:
        assert Path(src).name.startswith(".state.json.") and src.endswith(".tmp")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, b"new")
    assert tree(tmp_path) == {"state.json": b"old"}


def test_concurrent_writers_of_one_path_never_mix(tmp_path: Path) -> None:
    target = tmp_path / "shared.txt"
    payloads = [bytes([65 + n]) * 200_000 for n in range(4)]
    errors: list[BaseException] = []

    def writer(data: bytes) -> None:
        try:
            for _ in range(20):
                write_atomic(target, data)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert target.read_bytes() in payloads
    assert tree(tmp_path).keys() == {"shared.txt"}


# --- write_changed ---------------------------------------------------------------------------


def test_write_changed_writes_only_what_changed(tmp_path: Path) -> None:
    known: dict[str, bytes] = {}
    first = [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a")]
    assert write_changed(first, tmp_path, known) == ["index.html", "a/index.html"]
    second = [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a, edited")]
    assert write_changed(second, tmp_path, known, removed=["gone.html"]) == ["a/index.html", "gone.html"]
    assert tree(tmp_path) == {"index.html": b"home", "a/index.html": b"a, edited"}
    assert known == {f.path: f.digest for f in second}


def test_write_changed_refuses_paths_outside_the_site(tmp_path: Path) -> None:
    for bad in ("../escape.html", "/etc/passwd", ""):
        with pytest.raises(BuildError, match="escapes the site directory"):
            write_changed([OutputFile(bad, b"x")], tmp_path / "site", {})
    assert not (tmp_path / "escape.html").exists()


# --- stage_site / swap_in --------------------------------------------------------------------


def test_stage_and_swap_replace_the_whole_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    swap_in(stage_site([OutputFile("index.html", b"v1"), OutputFile("old.html", b"x")], site), site)
    swap_in(stage_site([OutputFile("index.html", b"v2")], site), site)
    assert tree(site) == {"index.html": b"v2"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or old copy left
    assert site.stat().st_mode & 0o755 == 0o755


def test_stage_refuses_two_files_at_one_path(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="two pages want the same output file"):
        stage_site([OutputFile("a.html", b"1"), OutputFile("a.html", b"2")], tmp_path / "site")
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match="holds no built site"):
        stage_site([OutputFile("index.html", b"x")], tmp_path / "docs")
    assert tree(tmp_path) == {"docs/notes.txt": b"mine"}


def test_discard_and_clean_leftovers(tmp_path: Path) -> None:
    site = tmp_path / "site"
    swap_in(stage_site([OutputFile("index.html", b"v1")], site), site)
    discard_staging(stage_site([OutputFile("index.html", b"v2")], site))
    leftover = stage_site([OutputFile("index.html", b"v3")], site)  # as if the build was killed
    assert clean_leftovers(site) == [leftover]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert tree(site) == {"index.html": b"v1"}


def test_staging_links_unchanged_files_from_the_published_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    swap_in(stage_site([OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a1")], out), out)
    staging = stage_site([OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a2")], out)
    # Equal bytes share the inode; changed ones are new files, so the published site is intact.
    assert (staging / "index.html").stat().st_ino == (out / "index.html").stat().st_ino
    assert (staging / "a/index.html").stat().st_ino != (out / "a/index.html").stat().st_ino
    assert tree(out) == {"index.html": b"home", "a/index.html": b"a1"}
    swap_in(staging, out)
    assert tree(out) == {"index.html": b"home", "a/index.html": b"a2"}
    assert not spare_path(out).exists()


def test_a_spare_copy_is_refreshed_in_place_and_the_published_site_is_untouched(tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a1"), OutputFile("b/index.html", b"b")]
    swap_in(stage_site(first, out, spare=True), out, spare=True)
    make_spare(out)
    spare = spare_path(out)
    assert tree(spare) == tree(out) and (spare / "a/index.html").stat().st_ino == (out / "a/index.html").stat().st_ino
    (spare / "pagefind").mkdir()
    (spare / "pagefind" / "bundles.json").write_bytes(b"{}")  # the search index keeps its own folder
    second = [OutputFile("index.html", b"home"), OutputFile("a/index.html", b"a2"), OutputFile("c/d/index.html", b"c")]
    staging = stage_site(second, out, spare=True)
    assert staging == spare
    assert tree(staging) == {f.path: f.data for f in second} | {"pagefind/bundles.json": b"{}"}
    assert not (staging / "b").exists()  # emptied folders go too
    assert tree(out) == {f.path: f.data for f in first}  # a shared inode was replaced, not written
    swap_in(staging, out, spare=True)
    assert tree(out)["a/index.html"] == b"a2"
    assert tree(spare_path(out)) == {f.path: f.data for f in first}  # the old site is the next spare
