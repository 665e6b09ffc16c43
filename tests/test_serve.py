"""Tests for `digest serve` as a whole: real watchers, real builds, real edits on 127.0.0.1.

The HTTP side is tested in test_livereload.py and the rebuild decisions in test_rebuild.py;
here a few end-to-end runs check that the pieces are wired: an edit saved on disk becomes a
served page and a reload event, and the process starts and stops cleanly.
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from watchfiles import Change

from generator import search
from generator.cli import cli
from generator.config import load_config
from generator.livereload import EVENTS_URL, SCRIPT_URL
from generator.log import RunReport
from generator.serve import PreviewServer
from tests.conftest import REPO
from tests.preview import BUDGET, BUDGET_URL, LogLines, article, capture_log, make_site, page_text

WAIT = 30.0  # generous: only how long to wait for a change to show, never a speed assertion


def wait_until(check: Callable[[], bool], what: str) -> None:
    """Poll check until it is true; fail naming what never happened."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """Return a small site: a config and two articles."""
    return make_site(tmp_path / "site")


@pytest.fixture
def log() -> Iterator[LogLines]:
    """Capture generator log messages (records from the watcher threads included)."""
    with capture_log() as lines:
        yield lines


def test_edits_are_served_and_pages_told_to_reload(site_root: Path, log: LogLines) -> None:
    server = PreviewServer(load_config(site_root / "digest.yaml"), port=0, ingest=False)
    server.start()
    try:
        assert server.url == f"http://127.0.0.1:{server.port}/"
        assert "Budget approved" in page_text(server.port, "/")
        for page in (site_root / "site").rglob("*.html"):
            assert SCRIPT_URL not in page.read_text(encoding="utf-8"), page  # served pages only

        events = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        events.request("GET", EVENTS_URL)
        stream = events.getresponse()
        first = next_token(stream)

        (site_root / BUDGET).write_text(article("Budget approved", "Edited: grew by a tenth."), encoding="utf-8")
        wait_until(lambda: "grew by a tenth" in page_text(server.port, BUDGET_URL), "the edit to be served")
        assert next_token(stream) != first
        events.close()

        # Replace digest.yaml by renaming over it, as editors do: the watcher must keep hearing it.
        for title in ("Renamed Digest", "Renamed Again"):
            tmp = site_root / ".digest.yaml.tmp"
            tmp.write_text(f"title: {title}\nbase_url: https://example.github.io/test/\n", encoding="utf-8")
            tmp.replace(site_root / "digest.yaml")
            wait_until(partial(shows, server.port, "/archive/", title), f"the title {title!r}")

        # templates/ did not exist at the start: its creation must be seen and then watched.
        css = site_root / "templates/static/style.css"
        css.parent.mkdir(parents=True)
        css.write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
        wait_until(lambda: "rebeccapurple" in page_text(server.port, "/static/style.css"), "the new stylesheet")
        css.write_text("body { color: papayawhip; }\n", encoding="utf-8")
        wait_until(lambda: "papayawhip" in page_text(server.port, "/static/style.css"), "the edited stylesheet")
    finally:
        server.stop()
    assert server.failures == 0 and server.builds >= 4
    assert all(not t.is_alive() for t in server.threads)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0
    assert "budget-approved.md" in log.text()


def shows(port: int, path: str, text: str) -> bool:
    """Return True when the page at path holds text."""
    return text in page_text(port, path)


def next_token(stream: http.client.HTTPResponse) -> str:
    """Return the data of the next event of a server-sent-events stream."""
    while True:
        line = stream.fp.readline().decode()
        assert line, "the event stream ended"
        if line.startswith("data: "):
            return line[6:].strip()


class CountingBuilder:
    """A builder that builds nothing, and fails its rebuilds while told to."""

    def __init__(self) -> None:
        self.fail = False

    def build(self, report: RunReport) -> Any:
        return SimpleNamespace(summary="built nothing")

    def rebuild(self, changed: Iterable[Path], report: RunReport) -> Any:
        if self.fail:
            raise RuntimeError("a bug")
        return SimpleNamespace(full=False, written=1)


def test_apply_changes_counts_and_announces(site_root: Path, log: LogLines) -> None:
    builder = CountingBuilder()
    server = PreviewServer(load_config(site_root / "digest.yaml"), port=0, builder_factory=lambda *_: builder)
    token = server.signal.token
    edit = [(Change.modified, str(site_root / BUDGET))]
    assert server.apply_changes(edit).ok
    assert (server.builds, server.failures) == (1, 0) and server.signal.token != token

    token = server.signal.token
    builder.fail = True
    assert not server.apply_changes(edit).built
    assert (server.builds, server.failures) == (1, 1) and server.signal.token == token  # pages keep the old site


def test_warns_loudly_when_not_loopback(site_root: Path, log: LogLines) -> None:
    server = PreviewServer(load_config(site_root / "digest.yaml"), host="0.0.0.0", port=0, watch=False)
    server.warn_if_public()  # the check start() makes, without binding a public address in a test
    assert "other machines can reach" in log.text()
    assert server.url == f"http://0.0.0.0:{server.port}/"


def test_cli_reports_a_busy_port(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site_root)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--no-ingest"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def _interrupt(proc: subprocess.Popen[str], target: str) -> None:
    """Send SIGINT to the process (the kernel picks a thread) or to one of its worker threads."""
    if target == "process":
        proc.send_signal(signal.SIGINT)
        return
    # A terminal's Ctrl-C is process-directed and the kernel may hand it to any thread that
    # does not block it; aim it at a worker to make that case certain rather than rare.
    tgkill = getattr(ctypes.CDLL(None, use_errno=True), "tgkill", None)
    workers = [int(t) for t in os.listdir(f"/proc/{proc.pid}/task") if int(t) != proc.pid]
    if tgkill is None or not workers:
        pytest.skip("needs Linux's tgkill and /proc to signal one thread")
    assert tgkill(proc.pid, workers[0], signal.SIGINT) == 0


@pytest.mark.parametrize("target", ["process", "worker thread"])
def test_digest_serve_shows_an_edit_and_stops_on_ctrl_c(site_root: Path, target: str) -> None:
    # SIGINT is set to its default handler explicitly: a job started in the background by a
    # non-interactive shell (as CI may be) inherits it ignored.
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from generator.cli import main; sys.argv = ['digest', 'serve', '--port', '0', '--no-ingest']; main()"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-c", code], cwd=site_root, env=env, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("serving http://127.0.0.1:"):
                break
        else:
            raise AssertionError("".join(lines))
        port = int(line.split(":")[2].split("/")[0])
        assert "Budget approved" in page_text(port, "/")
        (site_root / BUDGET).write_text(article("Budget approved", "Edited from outside."), encoding="utf-8")
        wait_until(lambda: "Edited from outside." in page_text(port, BUDGET_URL), "the edit to be served")
        _interrupt(proc, target)
        try:
            rest = proc.communicate(timeout=WAIT)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert proc.returncode == 0, rest
    assert "Traceback" not in rest and "stopping" in rest


def test_the_search_page_says_when_the_index_is_catching_up(
    site_root: Path, tmp_path: Path, log: LogLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The index is refreshed after an edit is served, in the background: until it is,
    # bundles.json says so and the search page shows its catching-up notice. A slowed-down
    # Pagefind keeps that window open long enough to see.
    real = search._command()
    if real is None:
        pytest.skip("Pagefind is not installed: pip install 'pagefind[extended]' (a dependency of digest)")
    slow = tmp_path / "slow_pagefind.py"
    slow.write_text(
        f"import subprocess, sys, time\ntime.sleep(1.5)\nsys.exit(subprocess.call({real!r} + sys.argv[1:]))\n"
    )
    monkeypatch.setattr(search, "_command", lambda: [sys.executable, str(slow)])
    server = PreviewServer(load_config(site_root / "digest.yaml"), port=0, ingest=False)
    server.start()
    try:

        def listing() -> dict[str, Any]:
            data = json.loads(page_text(server.port, "/pagefind/bundles.json") or "{}")
            return data if isinstance(data, dict) else {}

        before = listing()
        assert before["pending"] is False and len(before["bundles"]) == 1
        assert 'id="search-catching-up"' in page_text(server.port, "/search/")  # hidden until needed
        (site_root / BUDGET).write_text(article("Budget approved", "Edited: the index lags."), encoding="utf-8")
        wait_until(lambda: "the index lags" in page_text(server.port, BUDGET_URL), "the edit to be served")
        wait_until(lambda: listing().get("pending") is True, "bundles.json to say the index is catching up")
        wait_until(lambda: listing().get("pending") is False, "the index to catch up")
        after = listing()["bundles"]
        assert after != before["bundles"]  # the edited month's bundle was indexed again
        assert page_text(server.port, f"/pagefind/{after[0]}pagefind-entry.json")  # and it is served
    finally:
        server.stop()
