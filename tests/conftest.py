"""Shared fixtures: the shared seed folder (skipped when absent) and small site helpers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS_RAW = SHARED / "fixtures" / "raw"
SEEDS_EXPECTED = SHARED / "fixtures" / "expected"


@pytest.fixture
def shared_dir() -> Path:
    """Return ../shared, skipping the test when this clone has none (CI always has it)."""
    if not SEEDS_RAW.is_dir():
        pytest.skip("../shared/fixtures is absent: the seed ground truth ships only with the project's CI")
    return SHARED


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create files under root from a {relative path: text or bytes} mapping; return root."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def make_config(root: Path, yaml_text: str = "") -> Config:
    """Write digest.yaml under root (if text is given) and return the loaded config."""
    root.mkdir(parents=True, exist_ok=True)
    if yaml_text:
        (root / "digest.yaml").write_text(yaml_text, encoding="utf-8")
        return load_config(root / "digest.yaml")
    return load_config(None, cwd=root)


@pytest.fixture
def site_config(tmp_path: Path) -> Config:
    """Return a default config rooted at a temporary directory."""
    return make_config(tmp_path / "site")


def run_digest(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the `digest` CLI in cwd; return its exit code and its output (stdout and stderr)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, args)
    finally:
        os.chdir(old)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
