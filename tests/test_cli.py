"""CLI behaviour: exit codes, messages, help and version."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from generator import __version__
from generator.cli import cli


def _invoke(args: list[str], cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_version_and_help(tmp_path: Path) -> None:
    code, out = _invoke(["--version"], tmp_path)
    assert code == 0 and __version__ in out
    code, out = _invoke(["--help"], tmp_path)
    assert code == 0
    for command in ("build", "check", "ingest"):
        assert command in out


def test_usage_error_exits_2(tmp_path: Path) -> None:
    code, out = _invoke(["build", "--no-such-flag"], tmp_path)
    assert code == 2
    assert "No such option" in out


def test_config_error_exits_1_with_located_message(tmp_path: Path) -> None:
    (tmp_path / "digest.yaml").write_text("title: x\nper_page: -1\nwhat: 1\n", encoding="utf-8")
    code, out = _invoke(["build"], tmp_path)
    assert code == 1
    assert "digest.yaml:2: per_page: expected a whole number" in out
    assert "digest.yaml:3: what: unknown key" in out
    assert "Traceback" not in out
