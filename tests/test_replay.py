"""The year-replay benchmark, shortened: scheduled fetch → build runs with faults, checked."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_a_fortnight_of_scheduled_runs_loses_nothing_and_replays_identically() -> None:
    # benchmarks/replay.py checks every invariant itself (each dated item an article exactly
    # once, no deleted article back, no edit lost, every run published) and exits 1 if any
    # fails; --twice compares a second replay's content tree byte for byte.
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "replay.py"), "--days", "14", "--twice", "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "14 published" in done.stdout and "byte-identical" in done.stdout
    assert "replay: OK" in done.stdout
