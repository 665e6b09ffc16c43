"""Interrupted and overlapping runs, through the real CLI in subprocesses on real files.

A failing --strict build, a build or ingest killed with SIGKILL, and two runs started at
once must each leave site/ and content/ either as they were or complete. Builds are
stopped at a chosen phase with the DIGEST_TEST_PAUSE test hook (generator/lock.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import content, lock, write
from tests.conftest import write_files

FIXTURE = Path(__file__).parent / "fixtures" / "site-content"
EDITED = "2026/02/03/economy/bank-keeps-base-rate.md"
BUSY = re.compile(r"error: another digest build is running in this folder \(pid (\d+)\); wait for it to finish")
TIMEOUT = 60  # seconds for any one run: a bound, never reached when things work


def digest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m generator ARGS` in cwd and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def start(cwd: Path, *args: str, pause: str = "") -> subprocess.Popen[str]:
    """Start `python -m generator ARGS` in cwd; with pause, return once it waits at that phase."""
    env = {**os.environ, lock.PAUSE_ENV: pause} if pause else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    if pause:
        assert proc.stderr is not None
        for line in proc.stderr:  # ends when the process does, so this is bounded
            if f"paused at {pause.partition(':')[0]}" in line:
                return proc
        proc.wait(TIMEOUT)
        pytest.fail(f"the build never paused at {pause} (exit {proc.returncode})")
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL a run and reap it."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(TIMEOUT)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    """Collect started runs; kill any still running when the test ends, and close their pipes."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=TIMEOUT)


def project(root: Path) -> Path:
    """Make a site folder with the fixture content (default config, no raw/); return it."""
    shutil.copytree(FIXTURE, root / "content")
    return root


def edit(root: Path) -> None:
    """Change one article's title, so the next build's site differs from the last one."""
    path = root / "content" / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("keeps the base rate", "holds its rate"), "utf-8")


def tree(root: Path, *, pagefind: bool = True) -> dict[str, str]:
    """Return {relative path: sha256 of the bytes, or "dir"} for everything under root."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not pagefind and rel.split("/")[0] == "pagefind":
            continue
        out[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def leftovers(root: Path) -> list[str]:
    """Return what sits next to content/ and site/ besides them: staging, old copies, locks."""
    return sorted(p.name for p in root.iterdir() if p.name not in ("content", "site", "raw", ".cache"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Return the tree (without Pagefind's files) of one uninterrupted build of the edited content."""
    root = project(tmp_path_factory.mktemp("reference"))
    edit(root)
    done = digest(root, "build", "--no-ingest")
    assert done.returncode == 0, done.stderr
    return tree(root / "site", pagefind=False)


def assert_complete(site: Path, reference: dict[str, str]) -> None:
    """Assert site is a whole build of the edited content (Pagefind's index varies run to run)."""
    assert tree(site, pagefind=False) == reference
    assert (site / "pagefind" / "pagefind-ui.js").is_file()


# --- 1. a failing --strict build publishes nothing -----------------------------------------


def test_strict_failure_leaves_the_site_byte_identical(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert digest(root, "build", "--no-ingest").returncode == 0
    before, inode = tree(root / "site"), (root / "site").stat().st_ino
    assert "pagefind/pagefind-ui.js" in before
    # A warning only (a non-http source link), which --strict makes fatal.
    write_files(
        root / "content",
        {
            "2026/02/05/economy/ftp-story.md": (
                "---\ntitle: Ftp story\ndate: 2026-02-05\ntheme: economy\nsource_url: ftp://x.example/a\n---\nBody.\n"
            )
        },
    )
    done = digest(root, "build", "--no-ingest", "--strict")
    assert done.returncode == 1
    assert "source_url is not http(s)" in done.stderr
    assert "error: site not published: 1 problem under --strict (the previous site is unchanged)" in done.stderr
    assert tree(root / "site") == before
    assert (root / "site").stat().st_ino == inode  # not even swapped for a copy
    assert leftovers(root) == []
    # Without --strict the same content publishes, warning and all: the test above can fail.
    done = digest(root, "build", "--no-ingest")
    assert done.returncode == 0, done.stderr
    assert (root / "site/2026/02/05/economy/ftp-story/index.html").is_file()


# --- 2. a killed build leaves the previous site --------------------------------------------


@pytest.mark.parametrize("phase", ["locked", "staged", "indexed", "swap"])
def test_build_killed_at_each_phase(
    tmp_path: Path, phase: str, reference: dict[str, str], procs: list[subprocess.Popen[str]]
) -> None:
    root = project(tmp_path)
    assert digest(root, "build", "--no-ingest").returncode == 0
    before = tree(root / "site")
    edit(root)
    proc = start(root, "build", "--no-ingest", pause=phase)
    procs.append(proc)
    kill(proc)
    if phase == "swap" and (root / "site").exists():
        # Killed just after the atomic exchange: the new site is whole, the old one awaits removal.
        assert_complete(root / "site", reference)
        assert [n for n in leftovers(root) if n.startswith(".site.new-")], leftovers(root)
    elif phase == "swap":
        # No atomic exchange on this file system: killed between two renames, the previous
        # site waits under another name for the next build to put back.
        assert [n for n in leftovers(root) if n.startswith(".site.old-")], leftovers(root)
    else:
        assert tree(root / "site") == before
    done = digest(root, "build", "--no-ingest")
    assert done.returncode == 0, done.stderr  # the dead build's lock is gone with it
    assert_complete(root / "site", reference)
    assert leftovers(root) == []


def test_build_killed_at_random_moments(
    tmp_path: Path, reference: dict[str, str], procs: list[subprocess.Popen[str]]
) -> None:
    root = project(tmp_path)
    started = time.perf_counter()
    assert digest(root, "build", "--no-ingest").returncode == 0
    seconds = time.perf_counter() - started
    before = tree(root / "site")
    edit(root)
    rng = random.Random(7)
    for _ in range(4):
        proc = start(root, "build", "--no-ingest")
        procs.append(proc)
        time.sleep(rng.uniform(0.3, 1.0) * seconds)  # the first part is the interpreter starting
        if proc.poll() is None:
            kill(proc)
        if tree(root / "site") != before:  # the swap happened: the site is then the whole new one
            assert_complete(root / "site", reference)
    done = digest(root, "build", "--no-ingest")
    assert done.returncode == 0, done.stderr
    assert_complete(root / "site", reference)
    assert leftovers(root) == []


def test_next_build_restores_a_site_cut_between_two_renames(tmp_path: Path) -> None:
    # Where the OS has no atomic exchange, swap_in renames site → .site.old-*, then staging →
    # site: a kill between the two leaves no site/ at all. The next build must put it back,
    # even one that then fails --strict and publishes nothing.
    root = project(tmp_path)
    assert digest(root, "build", "--no-ingest").returncode == 0
    before = tree(root / "site")
    os.replace(root / "site", root / ".site.old-k1ll3d")
    write_files(root, {".site.new-h4lf/index.html": "<p>half a site"})
    write_files(root / "content", {"2026/02/05/economy/broken.md": "---\ntitle: No date\n---\n"})
    done = digest(root, "build", "--no-ingest", "--strict")
    assert done.returncode == 1
    assert "site not published" in done.stderr
    assert tree(root / "site") == before
    assert leftovers(root) == []


def test_swap_without_atomic_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    write.swap_in(write.stage_site([write.OutputFile("index.html", b"one")], out), out)
    write.swap_in(write.stage_site([write.OutputFile("index.html", b"two")], out), out)
    assert (out / "index.html").read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# --- 3. a killed ingest leaves complete files, and a rerun completes the set --------------


def _raw_wire(root: Path, count: int = 1500) -> None:
    """Write raw/wire.jsonl: `count` distinct articles, enough that writing them takes a while."""
    rng = random.Random(3)
    words = ["steppe", "river", "grain", "bank", "rate", "oil", "budget", "school", "museum", "road", "port"]
    lines = []
    for i in range(count):
        title = " ".join(rng.choice(words) for _ in range(5)).capitalize() + f" {i}"
        body = " ".join(rng.choice(words) for _ in range(40)) + f" number {i}."
        item = {"title": title, "date": f"2026-02-{1 + i % 20:02d}", "url": f"https://wire.example/n/{i}", "body": body}
        lines.append(json.dumps(item))
    write_files(root, {"raw/wire.jsonl": "\n".join(lines) + "\n"})


def _content_files(root: Path) -> dict[str, str]:
    return {rel: sha for rel, sha in tree(root / "content").items() if sha != "dir"}


def test_ingest_killed_mid_write(tmp_path: Path, procs: list[subprocess.Popen[str]]) -> None:
    ref, run = tmp_path / "ref", tmp_path / "run"
    for root in (ref, run):
        _raw_wire(root)
    done = digest(ref, "ingest")
    assert done.returncode == 0, done.stderr
    expected = _content_files(ref)  # with ingest's own files (its ledger of ids)
    assert sum(rel.endswith(".md") for rel in expected) == 1500

    proc = start(run, "ingest")
    procs.append(proc)
    deadline = time.monotonic() + TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        if (run / "content").is_dir() and next((run / "content").rglob("*.md"), None):
            break  # writing has begun: kill it mid-way
        time.sleep(0.005)
    kill(proc)
    written = {rel: d for rel, d in _content_files(run).items() if rel.endswith(".md")}
    assert 0 < len(written) < 1500, "the ingest was not killed while writing"
    # Every article file there is whole, and the same as an uninterrupted run's.
    assert written == {rel: expected.get(rel) for rel in written}
    # What a kill inside one file's write leaves (the window is too short to hit reliably).
    half = run / "content" / Path(next(iter(written))).parent / ".half-written-story.md.tmp"
    half.write_text("---\ntitle: Half", encoding="utf-8")

    checked = digest(run, "check")
    assert checked.returncode == 0, checked.stderr
    assert ".tmp" not in checked.stderr

    done = digest(run, "ingest")
    assert done.returncode == 0, done.stderr
    assert _content_files(run) == expected  # the set is complete, and no temp file is left


def test_remove_stale_temp_files(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {"2026/02/05/economy/a.md": "x", "2026/02/05/economy/.a.md.tmp": "x", ".report.json.tmp": "x", "b.tmp": "x"},
    )
    removed = content.remove_stale_temp_files(tmp_path)
    assert [p.name for p in removed] == [".report.json.tmp", ".a.md.tmp"]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.md", "b.tmp"]


# --- 4. two runs at once: both succeed, or one refuses; never a mixed site -------------------


def _outcome(proc: subprocess.Popen[str], other: subprocess.Popen[str]) -> int:
    """Wait for a run; return its exit code, checking that a refusal names the other run."""
    _, err = proc.communicate(timeout=TIMEOUT)
    if proc.returncode == 1:
        match = BUSY.search(err)
        assert match, err
        assert int(match.group(1)) == other.pid
        assert "Traceback" not in err
    else:
        assert proc.returncode == 0, err
    return proc.returncode


def test_two_builds_started_at_once(
    tmp_path: Path, reference: dict[str, str], procs: list[subprocess.Popen[str]]
) -> None:
    root = project(tmp_path)
    assert digest(root, "build", "--no-ingest").returncode == 0
    edit(root)
    for _ in range(2):
        first, second = start(root, "build", "--no-ingest"), start(root, "build", "--no-ingest")
        procs += [first, second]
        codes = [_outcome(first, second), _outcome(second, first)]
        assert 0 in codes
        assert_complete(root / "site", reference)
        assert leftovers(root) == []


def test_build_refuses_while_another_holds_the_site(
    tmp_path: Path, reference: dict[str, str], procs: list[subprocess.Popen[str]]
) -> None:
    root = project(tmp_path)
    edit(root)
    first = start(root, "build", "--no-ingest", pause="staged:3")  # holds the lock meanwhile
    procs.append(first)
    done = digest(root, "build", "--no-ingest")
    assert done.returncode == 1
    assert BUSY.search(done.stderr) and f"(pid {first.pid})" in done.stderr, done.stderr
    _, err = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, err
    assert_complete(root / "site", reference)
    assert leftovers(root) == []


def test_build_refuses_while_content_is_being_written(tmp_path: Path, procs: list[subprocess.Popen[str]]) -> None:
    root = project(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from generator import lock\n"
            "with lock.content_lock(Path('content')):\n"
            "    print('held', flush=True); sys.stdin.read()",
        ],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    procs.append(holder)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    done = digest(root, "build", "--no-ingest")
    assert done.returncode == 1
    assert (
        f"error: another digest ingest or build is using content/ in this folder (pid {holder.pid}); "
        "wait for it to finish"
    ) in done.stderr
    assert not (root / "site").exists()
    holder.communicate("", timeout=TIMEOUT)  # lets go of the lock
    done = digest(root, "build", "--no-ingest")
    assert done.returncode == 0, done.stderr
    assert leftovers(root) == []


def test_lock_is_reentrant_and_leaves_no_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with lock.site_lock(site), lock.site_lock(site):  # a preview server's rebuild inside its build
        assert (tmp_path / ".site.lock").read_text() == f"{os.getpid()}\n"
    assert list(tmp_path.iterdir()) == []


CONTENT_BUSY = re.compile(
    r"error: another digest ingest or build is using content/ in this folder \(pid (\d+)\); wait for it to finish"
)


def _article_pages(site: Path) -> int:
    return len(list(site.glob("2026/*/*/*/*/index.html")))


def test_ingest_refuses_while_a_build_reads_content(tmp_path: Path, procs: list[subprocess.Popen[str]]) -> None:
    root = project(tmp_path)
    _raw_wire(root, 20)
    build = start(root, "build", "--no-ingest", pause="loaded:3")  # holds content/'s lock meanwhile
    procs.append(build)
    done = digest(root, "ingest")
    assert done.returncode == 1
    match = CONTENT_BUSY.search(done.stderr)
    assert match and int(match.group(1)) == build.pid, done.stderr
    _, err = build.communicate(timeout=TIMEOUT)
    assert build.returncode == 0, err
    assert _article_pages(root / "site") == 13
    assert digest(root, "ingest").returncode == 0  # once the build is done
    assert leftovers(root) == []


def test_build_and_ingest_started_at_once(tmp_path: Path, procs: list[subprocess.Popen[str]]) -> None:
    root = project(tmp_path)
    _raw_wire(root, 300)
    ingest, build = start(root, "ingest"), start(root, "build", "--no-ingest")
    procs += [ingest, build]
    outcomes = {}
    for name, proc in (("ingest", ingest), ("build", build)):
        _, err = proc.communicate(timeout=TIMEOUT)
        if proc.returncode == 1:
            match = CONTENT_BUSY.search(err)
            assert match, err
        else:
            assert proc.returncode == 0, err
        outcomes[name] = proc.returncode
    assert 0 in outcomes.values()
    if outcomes["build"] == 0:
        # The build read content/ before the ingest or after it, never half-way.
        assert _article_pages(root / "site") in (13, 313)
    assert sum(1 for _ in (root / "content").rglob("*.md")) == (314 if outcomes["ingest"] == 0 else 14)
    assert leftovers(root) == []
