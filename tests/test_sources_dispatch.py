"""Finding inputs, detecting formats from content and dispatching to the readers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import generator.sources as sources
from generator.models import Problem, Severity, SourceResult
from generator.sources import iter_inputs, read_source, read_text
from generator.sources.detect import detect_format
from tests.conftest import write_files

INPUTS = Path(__file__).parent / "fixtures" / "inputs"


# --- iter_inputs -------------------------------------------------------------------------


def test_directories_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    write_files(tmp_path, {"b.txt": "x", "a/z.txt": "x", "a/b/c.txt": "x", "A.txt": "x", "c.jsonl": "{}"})
    files, problems = iter_inputs([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["A.txt", "a/b/c.txt", "a/z.txt", "b.txt", "c.jsonl"]
    assert problems == []


def test_hidden_files_and_folders_are_skipped(tmp_path: Path) -> None:
    write_files(tmp_path, {".gitkeep": "", ".cache/x.txt": "x", "news.txt": "x"})
    files, problems = iter_inputs([tmp_path])
    assert [f.name for f in files] == ["news.txt"]
    assert problems == []


def test_symlinks_are_reported_and_never_followed(tmp_path: Path) -> None:
    outside = write_files(tmp_path / "outside", {"secret.txt": "do not read", "dir/leak.txt": "no"})
    raw = write_files(tmp_path / "raw", {"ok.txt": "x"})
    (raw / "link.txt").symlink_to(outside / "secret.txt")
    (raw / "linkdir").symlink_to(outside / "dir")
    files, problems = iter_inputs([raw, raw / "link.txt"])
    assert files == [raw / "ok.txt"]
    assert [(p.path, p.message, p.severity) for p in problems] == [
        (str(raw / "link.txt"), "symbolic link skipped", Severity.WARNING),
        (str(raw / "linkdir"), "symbolic link skipped", Severity.WARNING),
        (str(raw / "link.txt"), "symbolic link skipped", Severity.WARNING),
    ]


def test_missing_path_is_a_problem(tmp_path: Path) -> None:
    files, problems = iter_inputs([tmp_path / "nope.txt"])
    assert files == []
    assert problems == [Problem(str(tmp_path / "nope.txt"), 0, "no such file or directory", "check the path")]
    assert str(problems[0]) == f"{tmp_path / 'nope.txt'}: no such file or directory (check the path)"


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.txt": "x"})
    files, _ = iter_inputs([tmp_path, tmp_path / "a.txt"])
    assert files == [tmp_path / "a.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_skipped_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    files, problems = iter_inputs([tmp_path])
    assert files == []
    assert [p.message for p in problems] == ["not a regular file; skipped"]


# --- detect_format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("<!doctype HTML>\n<title>x</title>", "html"),
        ("\n\n  <html lang='kk'><body>x</body></html>", "html"),
        ("<div class='news'><h2>x</h2></div>", "html"),
        ("Saved from https://example.org\n<html><body>x</body></html>", "html"),
        ('<?xml version="1.0"?>\n<!-- c -->\n<rss version="2.0"><channel/></rss>', "feed"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "feed"),
        ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"><channel/></rdf:RDF>', "feed"),
        ('<?xml version="1.0"?><urlset><url/></urlset>', "xml"),
        # HTML whose first element is not <html>: a style or script block, a comment, a BOM, <meta>.
        ("<style>p { color: red }</style>\n<div><h1>x</h1><p>y</p></div>", "html"),
        ("<script>if (a < b) { go(); }</script><div><p>y</p></div>", "html"),
        ("<!-- saved from url=(0030)https://news.example/ -->\n<div><p>y</p></div>", "html"),
        ('\ufeff \n<meta charset="utf-8"><title>x</title><p>y</p>', "html"),
        ("<STYLE>p {}</STYLE><P>y</P>", "html"),
        ('<?xml version="1.0"?><div xmlns="http://www.w3.org/1999/xhtml"><x/><y/></div>', "html"),
        # XML whose root shares a name with an HTML element is still XML: its elements are not HTML's.
        ("<data><row><title>x</title><date>y</date></row></data>", "xml"),
        ('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><path/><g/></svg>', "xml"),
        ("<x:data xmlns:x='u'><p>a</p></x:data>", "xml"),
        ("<!-- generated -->\n<rss version='2.0'><channel/></rss>", "feed"),
        ('{"title": "a"}\n{"title": "b"}\n', "jsonl"),
        ('{"title": "a"\n{"title": "b"}\n{"title": "c"}\n', "jsonl"),
        ('[{"title": "a"}]', "json"),
        ('{\n  "title": "a"\n}\n', "json"),
        ("04.02.2026\nTitle\nBody text.\n", "text"),
        ("<<< BREAKING >>> Title\nBody <b>bold</b> text.\n", "text"),
        ("[Photo] Title of a story\nBody\n", "text"),
    ],
)
def test_format_comes_from_content(text: str, expected: str) -> None:
    assert detect_format(text) == expected


def test_extension_does_not_override_content(tmp_path: Path) -> None:
    # A feed saved as .txt and an HTML page saved as .xml are read as what they are.
    shutil.copy(INPUTS / "feed_atom.xml", tmp_path / "feed.txt")
    shutil.copy(INPUTS / "article_de.html", tmp_path / "page.xml")
    assert read_source(tmp_path / "feed.txt", "feed.txt").format == "feed"
    assert read_source(tmp_path / "page.xml", "page.xml").format == "html"


# --- read_source ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("article_en.html", "html", 1),
        ("article_ru_cp1251.html", "html", 1),
        ("article_de.html", "html", 1),
        ("listing.html", "html", 4),
        ("feed_rss2.xml", "feed", 3),
        ("feed_rdf.xml", "feed", 2),
        ("feed_atom.xml", "feed", 2),
        ("articles.jsonl", "jsonl", 3),
    ],
)
def test_every_fixture_is_dispatched_to_its_reader(name: str, fmt: str, count: int) -> None:
    result = read_source(INPUTS / name, f"tests/fixtures/inputs/{name}")
    assert result.format == fmt
    assert len(result.items) == count
    assert result.path == f"tests/fixtures/inputs/{name}"
    for item in result.items:
        # The origin names the input as shown everywhere else, so two sources' same-named
        # files (raw/a/2026-02-04.xml, raw/b/2026-02-04.xml) never share one.
        file_name, line = item.origin.rsplit(":", 1)
        assert file_name == f"tests/fixtures/inputs/{name}"
        assert int(line) >= 1


def test_utf16_text_dump_goes_to_the_text_reader() -> None:
    result = read_source(INPUTS / "dump_utf16.txt", "dump_utf16.txt")
    assert result.format == "text"
    titles = {item.title for item in result.items}
    assert "Астанада халықаралық кітап көрмесі ашылды" in titles


def test_too_large_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_BYTES", 1024)
    path = write_files(tmp_path, {"big.txt": "x" * 4096}) / "big.txt"
    result = read_source(path, "raw/big.txt")
    assert result.items == ()
    assert [str(p) for p in result.problems] == [
        "raw/big.txt: file too large (0.0 MB; the limit is 0 MB) (split it into smaller files)"
    ]


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    result = read_source(tmp_path / "gone.txt", "raw/gone.txt")
    assert [p.message for p in result.problems] == ["cannot read file: No such file or directory"]


def test_symlink_is_not_opened_by_read_source(tmp_path: Path) -> None:
    write_files(tmp_path, {"secret.txt": "04.02.2026\nSecret\nBody.\n"})
    (tmp_path / "link.txt").symlink_to(tmp_path / "secret.txt")
    result = read_source(tmp_path / "link.txt", "link.txt")
    assert result.items == ()
    assert result.problems[0].message.startswith("cannot read file")


def test_reader_crash_becomes_a_problem(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str, name: str, shown: str) -> SourceResult:
        raise RuntimeError("boom")

    monkeypatch.setitem(sources.READERS, "jsonl", broken)
    with caplog.at_level("DEBUG", logger="generator.sources"):
        result = read_text('{"title": "x"}\n', "x.jsonl", "raw/x.jsonl")
    assert [str(p) for p in result.problems] == [
        "raw/x.jsonl: the jsonl reader failed: RuntimeError: boom "
        "(this is a bug in digest; run with -v and report it with the file)"
    ]
    assert "reader jsonl failed on raw/x.jsonl" in caplog.text


def test_replaced_characters_are_reported_as_a_warning(tmp_path: Path) -> None:
    data = "\ufeff".encode("utf-16-le") + '{"title": "Ok", "body": "text"}\n'.encode("utf-16-le") + b"\x00\xd8"
    path = write_files(tmp_path, {"x.jsonl": data}) / "x.jsonl"
    result = read_source(path, "x.jsonl")
    assert len(result.items) == 1
    assert result.problems[0].severity is Severity.WARNING
    assert "could not be decoded as utf-16-le" in result.problems[0].message
