"""Helpers for the site checks, the browser test and the screenshot script.

Build a site with the `digest` CLI (in a subprocess, as a user would run it), find the
external tools the checks need (Chromium, Java, Node, the npm packages), and serve a built
site under a base path such as /digest/ on a free 127.0.0.1 port, like a GitHub Pages
project site. Nothing here imports the generator: it is driven through its command line.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

E2E_DIR = Path(__file__).resolve().parent
REPO = E2E_DIR.parent.parent
SHARED = REPO.parent / "shared"
TOOLS = SHARED / "tools"
SEEDS_RAW = SHARED / "fixtures" / "raw"
BASE_URL = "https://example.github.io/digest/"
BASE_PATH = "/digest/"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
VKIT = Path(os.environ.get("VKIT", "/tmp/vkit"))
ARTICLE_URL = re.compile(r"^\d{4}/\d{2}/\d{2}/[a-z0-9-]+/[^/]+/index\.html$")
BUILD_TIMEOUT = 600


def in_ci() -> bool:
    """Return True when running under CI (CI set and not 'false'/'0'): nothing may be skipped there."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def tool_env() -> dict[str, str]:
    """Return os.environ with this interpreter's bin directory first on PATH.

    The shared checks run `python3`, which must be the one that has lxml and feedparser
    (the project's virtualenv), not whatever python3 the machine has.
    """
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def missing_tools(*, java: bool = False, vkit: bool = False) -> list[str]:
    """Return what is missing for the browser-based checks (empty when all is there)."""
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    for exe in ("node", "npm") + (("java",) if java else ()):
        if shutil.which(exe) is None:
            missing.append(exe)
    if not vkit and playwright_dir() is None:
        missing.append("playwright-core (npm ci --ignore-scripts --prefix tests/e2e)")
    return missing


def require_tools(*, java: bool = False, vkit: bool = False, what: str = "this test") -> None:
    """Skip the current test when tools are missing, or fail it under CI, where nothing may skip."""
    import pytest

    missing = missing_tools(java=java, vkit=vkit)
    if vkit and not (TOOLS / "check_all.sh").is_file():
        missing.append(str(TOOLS / "check_all.sh"))
    if not SEEDS_RAW.is_dir():
        pytest.skip("../shared/fixtures is absent: the seeds and the checks ship only with the project's CI")
    if not missing:
        return
    message = f"missing for {what}: {', '.join(missing)} (bash .ci/run installs them)"
    if in_ci():
        pytest.fail(f"CI must run {what}: {message}")
    pytest.skip(message)


def playwright_dir() -> Path | None:
    """Return the node_modules folder that holds playwright-core: ours first, then the kit's."""
    for node_modules in (E2E_DIR / "node_modules", VKIT / "node_modules"):
        if (node_modules / "playwright-core" / "package.json").is_file():
            return node_modules
    return None


def run_digest(args: Sequence[str], *, cwd: Path = REPO, ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess[str]:
    """Run `python -m generator ARGS` with this interpreter; fail with its output unless the exit status is in ok."""
    cmd = [sys.executable, "-m", "generator", *args]
    proc = subprocess.run(
        cmd, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
    )
    if proc.returncode not in ok or "Traceback (most recent call last)" in proc.stderr:
        raise AssertionError(
            f"`{' '.join(cmd)}` exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


def ingest(content: Path, raw: Sequence[Path]) -> None:
    """Run `digest ingest --content CONTENT RAW...`; require content files to come out of it.

    Exit status 1 is allowed: ingest reports and skips items it rejects (the seeds have some),
    and that is the ingest tests' business, not the site checks'. A crash is not allowed.
    """
    run_digest(["ingest", "--content", str(content), *map(str, raw)], ok=(0, 1))
    assert any(content.rglob("*.md")), f"digest ingest wrote no content files into {content}"


def build_seed_site(root: Path, base_url: str = BASE_URL) -> Path:
    """Ingest the shared seeds into root/content and build root/site; return the site (cached in root)."""
    site = root / "site"
    if (site / "index.html").is_file():
        return site
    raw = sorted(SEEDS_RAW.glob("*.txt"))
    assert raw, f"no seed files in {SEEDS_RAW}"
    content = root / "content"
    ingest(content, raw)
    run_digest(["build", "--no-ingest", "--content", str(content), "--output", str(site), "--base-url", base_url])
    assert (site / "index.html").is_file(), f"digest build wrote no {site / 'index.html'}"
    return site


def article_pages(site: Path) -> list[Path]:
    """Return the article pages (YYYY/MM/DD/<theme>/<slug>/index.html) of a built site, sorted."""
    return sorted(p for p in site.rglob("index.html") if ARTICLE_URL.match(p.relative_to(site).as_posix()))


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(site: Path, base_path: str = BASE_PATH) -> Iterator[str]:
    """Serve site under base_path with `python -m http.server` on 127.0.0.1; yield the base URL.

    The site is symlinked into a temporary document root at base_path, as a GitHub Pages
    project site is served; the server is stopped (by its own handle) on exit.
    """
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    with tempfile.TemporaryDirectory(prefix="digest-serve-") as tmp:
        docroot = Path(tmp)
        if base_path != "/":
            link = docroot / base_path.strip("/")
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(site.resolve(), target_is_directory=True)
        else:
            docroot = site.resolve()
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(docroot)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}{base_path}"
            _wait_until_up(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"http.server exited with {server.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


def run_node(script: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run tests/e2e/SCRIPT with node and ARGS; return the finished process (output captured)."""
    env = tool_env()
    node_modules = playwright_dir()
    if node_modules is not None:
        env["PLAYWRIGHT_NODE_MODULES"] = str(node_modules)
    env["CHROMIUM"] = str(CHROMIUM)
    return subprocess.run(
        ["node", str(E2E_DIR / script), *args],
        cwd=E2E_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
