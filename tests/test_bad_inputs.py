"""Deliberately broken inputs (tests/fixtures/bad/) and the exact problems each must produce.

`tests/fixtures/bad/expected_errors.yaml` maps each file to `line: message` substrings and
the number of items that must still be read from it.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
import yaml

from generator.log import RunReport
from generator.models import Severity
from generator.sources import iter_inputs, read_source

BAD = Path(__file__).parent / "fixtures" / "bad"
EXPECTED: dict[str, dict] = yaml.safe_load((BAD / "expected_errors.yaml").read_text(encoding="utf-8"))


def test_every_bad_file_has_an_expectation() -> None:
    files = sorted(p.name for p in BAD.iterdir() if p.name != "expected_errors.yaml")
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_produces_its_problems(name: str) -> None:
    expected = EXPECTED[name]
    result = read_source(BAD / name, f"raw/{name}")
    got = [f"{p.line}: {p.message}" for p in result.problems]
    assert len(result.items) == expected["items"], got
    assert len(got) == len(expected["problems"]), got
    for want, have in zip(expected["problems"], got, strict=True):
        assert want in have, f"{name}: expected {want!r}, got {have!r}"
    for problem in result.problems:
        assert problem.path == f"raw/{name}"
        assert problem.hint, "every problem says what to do"


def test_run_goes_on_and_logs_every_problem(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(BAD, raw)
    (raw / "expected_errors.yaml").unlink()
    (raw / "good.jsonl").write_text('{"title": "Still read", "date": "2026-02-04", "body": "Fine."}\n', "utf-8")
    files, missing = iter_inputs([raw, tmp_path / "missing.txt"])
    report = RunReport()
    report.extend(missing)
    items = []
    with caplog.at_level(logging.WARNING, logger="generator.log"):
        for path in files:
            result = read_source(path, f"raw/{path.name}")
            report.extend(result.problems)
            items.extend(result.items)
    # The good file and the recoverable parts of bad files are read despite everything else.
    assert "Still read" in [item.title for item in items]
    assert len(items) == sum(e["items"] for e in EXPECTED.values()) + 1
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "generator.log"]
    assert ("ERROR", f"{tmp_path / 'missing.txt'}: no such file or directory (check the path)") in logged
    assert ("ERROR", "raw/image.png: binary file, not text (remove it or convert it)") in logged
    assert ("ERROR", "raw/empty.txt: empty file (it has no text; remove it or add content)") in logged
    assert (
        "WARNING",
        'raw/bad_lines.jsonl:8: unrecognized date "sometime soon" (use YYYY-MM-DD or DD.MM.YYYY)',
    ) in logged
    assert len(logged) == len(report.problems) == 1 + sum(len(e["problems"]) for e in EXPECTED.values())
    assert report.failed
    assert all(p.severity is Severity.ERROR for p in report.errors)
