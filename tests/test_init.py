"""Tests for `digest init`: a new site has every file, refuses to clobber, and builds at once."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import scaffold
from generator.cli import cli
from generator.config import TOP_KEYS, load_config
from generator.scaffold import default_templates_dir, init_site

SITE_FILES = {
    ".github/workflows/ci.yml",
    ".github/workflows/pages.yml",
    ".gitignore",
    "README.md",
    "digest.yaml",
    "raw/sample.jsonl",
    "requirements.txt",
}


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_init_writes_a_complete_site(tmp_path: Path) -> None:
    result = init_site(tmp_path / "news")
    assert _files(tmp_path / "news") == SITE_FILES
    assert set(result.written) == SITE_FILES and not result.kept
    assert result.summary == f"created {len(SITE_FILES)} files in {tmp_path / 'news'}"
    assert "/site/" in (tmp_path / "news/.gitignore").read_text(encoding="utf-8").splitlines()


def test_config_is_valid_and_its_example_sources_too(tmp_path: Path) -> None:
    init_site(tmp_path / "news")
    path = tmp_path / "news/digest.yaml"
    config = load_config(path)
    assert config.sources == ()
    assert config.paths.raw == (tmp_path / "news/raw").resolve()

    # Uncommenting the documented examples, as the comment says, gives a working list.
    text = path.read_text(encoding="utf-8").replace("sources: []", "sources:")
    text = re.sub(r"^#(  - name:|    url:|    kind:|    every:)", r"\1", text, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")
    names = [s.name for s in load_config(path).sources]
    assert names == ["city-news", "ministry-press"]


def test_config_documents_every_key(tmp_path: Path) -> None:
    init_site(tmp_path / "news")
    text = (tmp_path / "news/digest.yaml").read_text(encoding="utf-8")
    curation_keys = ("exclude_sources", "exclude_keywords", "pin", "hide", "source_priority", "merge_window_days")
    # Every key the config accepts (read from its schema, so a new key needs documenting too).
    for key in (*sorted(TOP_KEYS), *curation_keys):
        assert re.search(rf"^#? *{key}:", text, re.MULTILINE), key


def test_refuses_a_non_empty_folder_without_force(tmp_path: Path) -> None:
    target = tmp_path / "news"
    target.mkdir()
    (target / "digest.yaml").write_text("title: Mine\n", encoding="utf-8")
    runner = CliRunner()

    refused = runner.invoke(cli, ["init", str(target)])
    assert refused.exit_code == 1
    assert "folder is not empty" in refused.output and "--force" in refused.output
    assert _files(target) == {"digest.yaml"}

    forced = runner.invoke(cli, ["init", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "kept existing digest.yaml" in forced.output
    assert (target / "digest.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    assert _files(target) == SITE_FILES


def test_templates_flag_copies_the_default_theme(tmp_path: Path) -> None:
    init_site(tmp_path / "news", templates=True)
    shipped = {
        p.relative_to(default_templates_dir()).as_posix()
        for p in default_templates_dir().rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    copied = {p.removeprefix("templates/") for p in _files(tmp_path / "news") if p.startswith("templates/")}
    assert copied == shipped
    assert "base.html" in copied and "static/style.css" in copied


def test_requirements_name_the_install_source_when_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scaffold, "install_requirement", lambda: "digest @ git+https://example.org/o/digest@v1")
    init_site(tmp_path / "news")
    lines = (tmp_path / "news/requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[-1] == "digest @ git+https://example.org/o/digest@v1"
    # Never the unrelated PyPI project of the same name.
    assert not any(line.strip().startswith("digest") and "@" not in line for line in lines)


def test_new_site_builds_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("generator.build") is None:
        pytest.skip("generator.build is not in this tree yet")
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "news")]).exit_code == 0
    monkeypatch.chdir(tmp_path / "news")

    built = runner.invoke(cli, ["build"])

    assert built.exit_code == 0, built.output
    index = (tmp_path / "news/site/index.html").read_text(encoding="utf-8")
    assert "City council approves a new budget for public transport" in index
    assert list((tmp_path / "news/content").rglob("*.md"))
