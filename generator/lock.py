"""Advisory locks that keep two digest runs from writing the same folder at once.

Input: the directory a run writes (site/ or content/). Output: a held lock file next to it
(`.site.lock`, `.content.lock`) for the length of a `with` block, or a `BusyError` naming
the process that holds it. Locks use `flock`, which the kernel drops when its process
dies, so a run killed with `kill -9` leaves no stale lock. Also the `DIGEST_TEST_PAUSE`
test hook, which stops a run at a named phase so tests can kill it there.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from generator.errors import DigestError
from generator.models import Problem

try:
    import fcntl
except ImportError:  # Windows: no flock; runs there are not guarded
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

#: Test hook: `DIGEST_TEST_PAUSE=PHASE[:SECONDS]` makes a run wait at that phase (see pause_for_test).
PAUSE_ENV = "DIGEST_TEST_PAUSE"
#: How many 10 ms waits a refused run gives the holder to write its pid into the lock file.
_PID_WAITS = 50


class BusyError(DigestError):
    """Another process holds the lock of the folder this run wants to write."""


class _Held:
    """This process's hold on one lock file: its descriptor and how many `with` blocks use it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.depth = 0


# Lock path → this process's hold. A hold is shared by every thread of the process: the
# preview server's builds and its background search refresh run in one process and are
# ordered by SiteBuilder itself; the lock keeps *other* processes out.
_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def _forget_in_child() -> None:
    """Drop the parent's holds in a forked child (ingest's worker processes)."""
    # The child's copy of a descriptor shares the parent's lock: closing it here releases
    # nothing, and keeps a worker that outlives its parent from prolonging the lock.
    for held in _held.values():
        with contextlib.suppress(OSError):
            os.close(held.fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def lock_path(directory: Path) -> Path:
    """Return the lock file guarding a directory: `.NAME.lock` next to it."""
    # Resolved, so that every spelling of one folder in one process finds the same hold.
    directory = directory.resolve()
    return directory.parent / f".{directory.name}.lock"


@contextlib.contextmanager
def site_lock(output_dir: Path) -> Iterator[None]:
    """Hold the lock of a site's output directory; raise BusyError if another process has it."""
    with _hold(lock_path(output_dir), "another digest build is running in {where}{pid}; wait for it to finish"):
        yield


@contextlib.contextmanager
def content_lock(content_dir: Path) -> Iterator[None]:
    """Hold the lock of a content directory; raise BusyError if another process has it."""
    name = content_dir.resolve().name
    message = f"another digest ingest or build is using {name}/ in {{where}}{{pid}}; wait for it to finish"
    with _hold(lock_path(content_dir), message):
        yield


@contextlib.contextmanager
def _hold(path: Path, message: str) -> Iterator[None]:
    """Hold path's lock for the block (reentrant within this process)."""
    key = str(path)
    with _held_guard:
        held = _held.get(key)
        if held is None:
            held = _held[key] = _Held(_acquire(path, message))
        held.depth += 1
    try:
        yield
    finally:
        with _held_guard:
            held.depth -= 1
            if held.depth == 0:
                del _held[key]
                _release(held.fd, path)


def _acquire(path: Path, message: str) -> int:
    """Open and lock path without waiting; return the descriptor or raise BusyError."""
    if fcntl is None:
        return -1
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise
            # A folder this run cannot write in is one no other run of ours writes either.
            logger.debug("not locking %s: %s", path, exc.strerror)
            return -1
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            # The holder writes its pid just after it locks: a run that lost the race by a
            # moment gives it that moment, so the refusal can name who holds the folder.
            for _ in range(_PID_WAITS):
                if holder:
                    break
                time.sleep(0.01)
                holder = _holder(fd)
            os.close(fd)
            where = "this folder" if path.parent == Path.cwd() else str(path.parent)
            pid = f" (pid {holder})" if holder else ""
            raise BusyError([Problem("", 0, message.format(where=where, pid=pid))]) from None
        except BaseException:
            os.close(fd)
            raise
        # The previous holder unlinks the file as it lets go: a lock taken on a file that
        # is no longer at path guards nothing, so take the one now there instead.
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        mine = os.fstat(fd)
        if current is not None and (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
            break
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _release(fd: int, path: Path) -> None:
    """Remove the lock file and let go of it (removing first, so no one locks a stale file)."""
    if fd < 0:
        return
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    os.close(fd)


def _holder(fd: int) -> int | None:
    """Return the pid written in a lock file if that process still runs, else None."""
    try:
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip())
        os.kill(pid, 0)
    except PermissionError:
        return pid  # alive, but another user's
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return pid


def pause_for_test(phase: str) -> None:
    """Wait here when DIGEST_TEST_PAUSE names this phase (a test hook for interrupted runs).

    A build's phases: `locked` (site lock taken), `loaded` (content read, its lock still
    held), `staged` (files written to the staging directory), `indexed` (search index
    built), `swap` (mid-swap). `DIGEST_TEST_PAUSE=staged`
    waits 60 s after logging `test hook: paused at staged`, so a test can kill the run
    there; `staged:0.5` waits 0.5 s, then goes on. Unset, it costs one environment lookup.
    """
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted:
        return
    name, _, seconds = wanted.partition(":")
    if name != phase:
        return
    logger.warning("test hook: paused at %s (%s)", phase, PAUSE_ENV)
    time.sleep(float(seconds or 60))
