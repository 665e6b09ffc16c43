"""Build the static search index of a rendered site with Pagefind.

Input: a directory of rendered HTML (article text marked `data-pagefind-body`). Output: a
`pagefind/` folder inside it, written by the Pagefind binary, and a `SearchResult` saying
whether that worked. Never raises for a missing or failing Pagefind: search is optional.
On Linux, Pagefind is killed with its parent, so a killed build leaves no writer behind.
"""

from __future__ import annotations

import ctypes
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 300
#: The pages Pagefind reads, relative to the site: articles, whose URLs are YYYY/MM/DD/theme/slug/.
ARTICLE_PAGES = "*/*/*/*/*/index.html"
UNAVAILABLE_NOTE = "Search is not available on this copy of the site: it was built without Pagefind."
FAILED_NOTE = "Search is not available on this copy of the site: building its index failed."


@dataclass(frozen=True)
class SearchResult:
    """What indexing did: `note` is "" on success, else the text the search page shows."""

    ok: bool
    note: str
    detail: str = ""
    seconds: float = 0.0


def _command() -> list[str] | None:
    """Return the command that runs Pagefind, or None when it is not installed."""
    has_binary = any(importlib.util.find_spec(name) for name in ("pagefind_bin_extended", "pagefind_bin"))
    if importlib.util.find_spec("pagefind") is not None and has_binary:
        return [sys.executable, "-m", "pagefind"]
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return [found] if found else None


def _die_with_parent() -> Callable[[], None] | None:
    """Return a pre-exec function that makes the child get SIGKILL when its parent dies (Linux)."""
    # A build killed while Pagefind runs would otherwise leave it writing into the staging
    # directory that the next build removes.
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def arm() -> None:
        prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


def search_note() -> str:
    """Return "" when Pagefind can run, else the note the search page shows instead."""
    return "" if _command() else UNAVAILABLE_NOTE


def index_site(site_dir: Path) -> SearchResult:
    """Run Pagefind over site_dir, writing site_dir/pagefind/; report instead of raising."""
    command = _command()
    if command is None:
        return SearchResult(False, UNAVAILABLE_NOTE, "pagefind is not installed")
    start = time.perf_counter()
    try:
        done = subprocess.run(
            # Only article pages (YYYY/MM/DD/theme/slug/) carry data-pagefind-body; reading
            # the listings too costs a fifth more time for nothing.
            [*command, "--site", str(site_dir), "--silent", "--glob", ARTICLE_PAGES],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            # Safe with the preview server's threads: the child only calls prctl and getppid.
            preexec_fn=_die_with_parent(),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return SearchResult(False, FAILED_NOTE, f"pagefind could not run: {exc}")
    seconds = time.perf_counter() - start
    if done.returncode != 0 or not (site_dir / "pagefind" / "pagefind-ui.js").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()
        return SearchResult(
            False, FAILED_NOTE, f"pagefind failed (exit {done.returncode}): {' '.join(detail[-3:])}", seconds
        )
    logger.debug("pagefind indexed %s in %.2f s", site_dir, seconds)
    return SearchResult(True, "", "", seconds)
