"""End-to-end ingest through the CLI: seed ground truth, editorial edits, idempotence, order."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, SEEDS_EXPECTED, SEEDS_RAW, run_digest


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_seeds_match_the_ground_truth(shared_dir: Path, tmp_path: Path) -> None:
    code, output = run_digest(["ingest", "--content", str(tmp_path / "content"), str(SEEDS_RAW)], tmp_path)
    # One seed item has neither title nor body: it is reported by line and skipped, and the
    # run still succeeds (rejected inputs never fail ingest; --strict makes them fatal).
    assert code == 0, output
    assert "000_1a08782589c742eb.txt:41: item has neither a title nor a body" in output
    code, output = run_digest(["ingest", "--strict", "--content", str(tmp_path / "strict"), str(SEEDS_RAW)], tmp_path)
    assert code == 1, output
    score = subprocess.run(
        [
            sys.executable, str(shared_dir / "tools" / "score_ingest.py"), str(tmp_path / "content"),
            *map(str, sorted(SEEDS_EXPECTED.glob("*.yaml"))), "-v",
            "--min", "count=1", "--min", "title=1", "--min", "date=1", "--min", "language=1",
            "--min", "first=1", "--min", "last=1", "--min", "url=1", "--min", "theme=0.9",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert score.returncode == 0, score.stdout + score.stderr
    assert "leaks 0" in score.stdout


def test_same_inputs_give_the_same_tree_in_any_order(shared_dir: Path, tmp_path: Path) -> None:
    inputs = sorted(SEEDS_RAW.glob("*.txt")) + sorted((REPO / "raw").iterdir())
    trees = []
    for n, order in enumerate((inputs, inputs[::-1])):
        content = tmp_path / f"content{n}"
        run_digest(["ingest", "--content", str(content), *map(str, order)], tmp_path)
        trees.append(_tree(content))
    assert trees[0] == trees[1]
    assert len(trees[0]) == 19 + 5 + 9 + 6 + 15  # the seeds' content counts and the sample's 15
    run_digest(["ingest", "--content", str(tmp_path / "content0"), *map(str, inputs)], tmp_path)
    assert _tree(tmp_path / "content0") == trees[0]  # a second ingest changes no byte


def test_hand_edits_survive_reingest(tmp_path: Path) -> None:
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    code, output = run_digest(["ingest"], tmp_path)
    assert code == 0, output
    content = tmp_path / "content"
    path = next(p for p in sorted(content.rglob("*.md")) if "saiga" in p.name)
    text = path.read_text(encoding="utf-8")
    edited = (
        text.replace("title: Saiga census", "title: Edited saiga census", 1)
        .replace("theme: environment", "theme: society", 1)
        .replace("featured: false", "featured: true", 1)
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    before = _tree(content)

    code, output = run_digest(["ingest"], tmp_path)
    assert code == 0, output
    assert _tree(content) == before  # no duplicate, no byte changed
    assert "0 articles" in output

    code, output = run_digest(["check"], tmp_path)  # the theme edit put the file in the wrong folder
    assert code == 0 and "wrong folder" in output and "/society/" in output
    code, output = run_digest(["check", "--strict"], tmp_path)
    assert code == 1
    code, output = run_digest(["check", "--fix"], tmp_path)
    assert code == 0, output
    moved = next(p for p in content.rglob("*.md") if "saiga" in p.name)
    assert moved.parent.name == "society"
    assert moved.read_text(encoding="utf-8") == edited

    code, output = run_digest(["ingest"], tmp_path)  # still no duplicate after the move
    assert len(_tree(content)) == len(before)
    code, output = run_digest(["build", "--no-ingest"], tmp_path)
    assert code == 0, output
    front = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Edited saiga census" in front


@pytest.mark.parametrize("flag", ["draft: true"])
def test_draft_is_hidden_everywhere(tmp_path: Path, flag: str) -> None:
    shutil.copytree(REPO / "raw", tmp_path / "raw")
    run_digest(["ingest"], tmp_path)
    path = next(p for p in sorted((tmp_path / "content").rglob("*.md")) if "saiga" in p.name)
    path.write_text(path.read_text(encoding="utf-8").replace("draft: false", flag, 1), encoding="utf-8")
    code, output = run_digest(["build", "--no-ingest"], tmp_path)
    assert code == 0, output
    site = tmp_path / "site"
    leaks = [
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and p.suffix in {".html", ".xml", ".json", ".txt"} and "aiga" in p.read_text(encoding="utf-8")
    ]
    assert leaks == []
