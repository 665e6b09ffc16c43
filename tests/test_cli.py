"""CLI behaviour: each command's effect on a real site, exit codes, located messages, quiet mode."""

from __future__ import annotations

from pathlib import Path

from generator import __version__

from .conftest import run_digest, write_files

SAMPLE_TITLE = "City council approves a new budget for public transport"  # in init's raw/sample.jsonl
BROKEN_JSONL = '{"title": 5}\nnot json\n'


def _new_site(tmp_path: Path) -> Path:
    """Run `digest init` in tmp_path; return the new site's folder."""
    code, out = run_digest(["init", "news"], tmp_path)
    assert code == 0, out
    return tmp_path / "news"


def test_version(tmp_path: Path) -> None:
    code, out = run_digest(["--version"], tmp_path)
    assert code == 0 and __version__ in out


def test_init_makes_a_site_that_checks_ingests_and_builds(tmp_path: Path) -> None:
    site = _new_site(tmp_path)
    assert (site / "digest.yaml").is_file() and (site / "raw/sample.jsonl").is_file()

    code, out = run_digest(["check"], site)
    assert code == 0, out

    code, out = run_digest(["ingest"], site)
    assert code == 0, out
    assert "3 raw items → 3 articles" in out
    assert len(list((site / "content").rglob("*.md"))) == 3

    code, out = run_digest(["build", "--no-ingest"], site)
    assert code == 0, out
    assert SAMPLE_TITLE in (site / "site/index.html").read_text(encoding="utf-8")


def test_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    write_files(tmp_path, {"news/notes.txt": "mine"})
    code, out = run_digest(["init", "news"], tmp_path)
    assert code == 1
    assert "folder is not empty" in out
    assert not (tmp_path / "news/digest.yaml").exists()


def test_check_names_the_broken_file_and_line(tmp_path: Path) -> None:
    site = _new_site(tmp_path)
    write_files(site, {"content/2026/02/04/economy/bad.md": "---\ntitle: x\ndate: 2026-02-30\n---\nText.\n"})
    code, out = run_digest(["check"], site)
    assert code == 1
    assert "content/2026/02/04/economy/bad.md:3: invalid value in front matter" in out
    assert "Traceback" not in out


def test_ingest_rejects_bad_items_but_only_fails_with_strict(tmp_path: Path) -> None:
    site = _new_site(tmp_path)
    write_files(site, {"raw/broken.jsonl": BROKEN_JSONL})

    code, out = run_digest(["ingest"], site)
    assert code == 0, out
    assert 'warning: raw/broken.jsonl:1: "title" must be a string' in out
    assert "warning: raw/broken.jsonl:2: invalid JSON" in out
    assert len(list((site / "content").rglob("*.md"))) == 3  # the good inputs were still ingested

    code, out = run_digest(["ingest", "--strict"], site)
    assert code == 1
    assert "error: raw/broken.jsonl:2: invalid JSON" in out


def test_ingest_of_a_missing_path_fails(tmp_path: Path) -> None:
    site = _new_site(tmp_path)
    code, out = run_digest(["ingest", "nowhere"], site)
    assert code == 1
    assert "nowhere: no such file or directory" in out
    assert not (site / "content").exists()


def test_quiet_prints_nothing_but_errors(tmp_path: Path) -> None:
    site = _new_site(tmp_path)
    assert run_digest(["-q", "ingest"], site) == (0, "")
    assert run_digest(["check", "-q"], site) == (0, "")

    write_files(site, {"raw/broken.jsonl": BROKEN_JSONL})
    code, out = run_digest(["-q", "ingest", "--strict"], site)
    assert code == 1
    assert out.splitlines()[0].startswith("error: raw/broken.jsonl:1:")
    assert all(line.startswith("error: ") or "problem" in line for line in out.splitlines())


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    code, out = run_digest(["build", "--no-such-flag"], tmp_path)
    assert code == 2
    assert "No such option" in out and "--no-such-flag" in out
    code, out = run_digest(["publish"], tmp_path)
    assert code == 2
    assert "No such command" in out and "publish" in out


def test_config_error_exits_1_with_located_message(tmp_path: Path) -> None:
    (tmp_path / "digest.yaml").write_text("title: x\nper_page: -1\nwhat: 1\n", encoding="utf-8")
    code, out = run_digest(["build"], tmp_path)
    assert code == 1
    assert "digest.yaml:2: per_page: expected a whole number" in out
    assert "digest.yaml:3: what: unknown key" in out
    assert "Traceback" not in out
