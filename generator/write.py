"""Put rendered files on disk: a whole site atomically, or only the files that changed.

Input: frozen `OutputFile`s (site-relative path + bytes) and an output directory. Output:
files under it. A full write stages everything in a temporary sibling directory and swaps
it in, so a failure leaves the previous site untouched; an incremental write replaces each
changed file through a temporary file and `os.replace`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import BuildError
from generator.models import Problem

logger = logging.getLogger(__name__)

#: Files that mark a directory as a site this tool built, so replacing it is safe.
SITE_MARKERS = (".nojekyll", "index.html")


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: its site-relative POSIX path and its bytes."""

    path: str
    data: bytes

    @property
    def digest(self) -> bytes:
        """Return a short hash of the bytes, to tell changed files from unchanged ones."""
        return hashlib.blake2b(self.data, digest_size=16).digest()


def _target(root: Path, rel: str) -> Path:
    """Return root / rel, refusing paths that would leave root."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise BuildError([Problem(rel, 0, "output path escapes the site directory", "this is a bug: report it")])
    return root.joinpath(*pure.parts)


def _check_replaceable(output_dir: Path) -> None:
    """Refuse to replace a non-empty directory that is not a site this tool built."""
    if not output_dir.exists():
        return
    if not output_dir.is_dir():
        raise BuildError(
            [Problem(str(output_dir), 0, "output path exists and is not a directory", "choose another --output")]
        )
    if any(output_dir.iterdir()) and not any((output_dir / m).exists() for m in SITE_MARKERS):
        raise BuildError(
            [
                Problem(
                    str(output_dir),
                    0,
                    "output directory is not empty and holds no built site",
                    "choose an empty or new --output; it would be replaced as a whole",
                )
            ]
        )


def stage_site(files: Iterable[OutputFile], output_dir: Path) -> Path:
    """Write every file into a new temporary directory next to output_dir; return it."""
    _check_replaceable(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_dir.parent, prefix=f".{output_dir.name}.new-"))
    try:
        seen: set[str] = set()
        for item in files:
            if item.path in seen:
                raise BuildError([Problem(item.path, 0, "two pages want the same output file", "rename one of them")])
            seen.add(item.path)
            path = _target(staging, item.path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(item.data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def discard_staging(staging: Path) -> None:
    """Remove a staging directory after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)


def swap_in(staging: Path, output_dir: Path) -> None:
    """Replace output_dir by the staged site (two renames; the old site is restored on failure)."""
    _check_replaceable(output_dir)
    # mkdtemp makes the directory private; a published site must be world-readable.
    staging.chmod(0o755)
    old: Path | None = None
    if output_dir.exists():
        old = Path(tempfile.mkdtemp(dir=output_dir.parent, prefix=f".{output_dir.name}.old-"))
        old.rmdir()
        os.replace(output_dir, old)
    try:
        os.replace(staging, output_dir)
    except BaseException:
        if old is not None:
            os.replace(old, output_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_changed(
    files: Iterable[OutputFile], output_dir: Path, known: dict[str, bytes], removed: Iterable[str] = ()
) -> list[str]:
    """Write the files whose digest differs from `known` (updated in place); return their paths."""
    written = []
    for item in files:
        digest = item.digest
        if known.get(item.path) == digest:
            continue
        path = _target(output_dir, item.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(item.data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        known[item.path] = digest
        written.append(item.path)
    for rel in removed:
        _target(output_dir, rel).unlink(missing_ok=True)
        known.pop(rel, None)
        written.append(rel)
    return written
