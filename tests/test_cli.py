"""CLI behaviour: exit codes, messages, help and version."""

from __future__ import annotations

from pathlib import Path

from generator import __version__

from .conftest import run_digest


def test_version_and_help(tmp_path: Path) -> None:
    code, out = run_digest(["--version"], tmp_path)
    assert code == 0 and __version__ in out
    code, out = run_digest(["--help"], tmp_path)
    assert code == 0
    for command in ("build", "check", "ingest"):
        assert command in out


def test_usage_error_exits_2(tmp_path: Path) -> None:
    code, out = run_digest(["build", "--no-such-flag"], tmp_path)
    assert code == 2
    assert "No such option" in out


def test_config_error_exits_1_with_located_message(tmp_path: Path) -> None:
    (tmp_path / "digest.yaml").write_text("title: x\nper_page: -1\nwhat: 1\n", encoding="utf-8")
    code, out = run_digest(["build"], tmp_path)
    assert code == 1
    assert "digest.yaml:2: per_page: expected a whole number" in out
    assert "digest.yaml:3: what: unknown key" in out
    assert "Traceback" not in out
