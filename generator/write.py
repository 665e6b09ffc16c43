"""Put rendered files on disk: a whole site atomically, or only the files that changed.

Input: frozen `OutputFile`s (site-relative path + bytes) and an output directory. Output:
files under it. A full write stages everything in a temporary sibling directory and swaps
it in with one atomic exchange where the OS has one, so a failure or a `kill -9` leaves the
previous site untouched (`clean_leftovers` tidies what a killed run left); an incremental
write replaces each changed file atomically (`files.write_atomic`).
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import BuildError
from generator.files import digest, write_atomic
from generator.lock import pause_for_test
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
        return digest(self.data)


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


def stage_site(files: Iterable[OutputFile], output_dir: Path, *, spare: bool = False) -> Path:
    """Stage the whole site next to output_dir, for `swap_in`; return the staged directory.

    With spare, and a spare copy of an earlier site kept by `swap_in`, that copy is brought
    up to date in place: it is not published, and a big site where little changed then
    costs the changed files only, not tens of thousands of new directories. Otherwise the
    site is staged in a new temporary directory, where a file whose bytes equal those of
    the same file in the current output_dir is hard-linked from it instead of written.
    Nothing ever writes into a file of a site (every writer replaces files by renaming), so
    an inode two sites share never changes under either.
    """
    _check_replaceable(output_dir)
    kept = spare_path(output_dir)
    if spare and kept.is_dir() and not kept.is_symlink():
        try:
            return _refresh(kept, files)
        except BaseException:
            shutil.rmtree(kept, ignore_errors=True)  # half refreshed: not worth keeping
            raise
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_dir.parent, prefix=_staging_prefix(output_dir)))
    previous = output_dir if output_dir.is_dir() else None
    made: set[Path] = set()
    try:
        for item in _each_once(files):
            path = _target(staging, item.path)
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if previous is None or not _link_same(_target(previous, item.path), path, item.data):
                path.write_bytes(item.data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def spare_path(output_dir: Path) -> Path:
    """Return where `swap_in` keeps the replaced site for the next build to refresh."""
    return output_dir.parent / f".{output_dir.name}.spare"


def make_spare(output_dir: Path) -> None:
    """Keep a hard-linked copy of the site as its spare, unless there is one: the next build refreshes it.

    The copy is made under a staging name and renamed when whole, so a killed run leaves
    a leftover for clean_leftovers, never half a spare.
    """
    kept = spare_path(output_dir)
    if kept.exists() or not output_dir.is_dir():
        return
    tmp = Path(tempfile.mkdtemp(dir=output_dir.parent, prefix=_staging_prefix(output_dir)))
    try:
        shutil.copytree(output_dir, tmp, copy_function=os.link, dirs_exist_ok=True)
        os.replace(tmp, kept)
    except OSError as exc:  # e.g. a file system without hard links: the next build stages afresh
        logger.debug("no spare copy of %s: %s", output_dir, exc)
        shutil.rmtree(tmp, ignore_errors=True)


def _refresh(spare: Path, files: Iterable[OutputFile]) -> Path:
    """Make spare hold exactly files (and its search bundles): write what differs, remove the rest."""
    seen: set[str] = set()
    for item in _each_once(files, seen):
        path = _target(spare, item.path)
        if not _holds(path, item.data):
            _clear_way(spare, path)
            write_atomic(path, item.data)  # a new inode: the published site may share the old one
    for folder, _dirs, names in os.walk(spare, topdown=False):
        rel = Path(folder).relative_to(spare).as_posix()
        if rel == "pagefind" or rel.startswith("pagefind/"):
            continue  # the search index brings its own folder up to date
        for name in names:
            if (name if rel == "." else f"{rel}/{name}") not in seen:
                os.unlink(os.path.join(folder, name))
        if rel != "." and not os.listdir(folder):
            os.rmdir(folder)
    return spare


def _clear_way(root: Path, path: Path) -> None:
    """Remove what stands where path or its folders must go: a file where a folder was, or the reverse."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    for folder in reversed(path.relative_to(root).parents[:-1]):
        here = root / folder
        if here.is_symlink() or (here.exists() and not here.is_dir()):
            here.unlink()
            return


def _each_once(files: Iterable[OutputFile], seen: set[str] | None = None) -> Iterator[OutputFile]:
    """Yield the files, raising BuildError when two want one path; add each path to `seen`."""
    seen = set() if seen is None else seen
    for item in files:
        if item.path in seen:
            raise BuildError([Problem(item.path, 0, "two pages want the same output file", "rename one of them")])
        seen.add(item.path)
        yield item


def _holds(path: Path, data: bytes) -> bool:
    """Return whether the file at path holds exactly data (False when it is missing or unreadable)."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _link_same(old: Path, new: Path, data: bytes) -> bool:
    """Hard-link old to new when old holds exactly data; return whether it did."""
    if not _holds(old, data):
        return False
    try:
        os.link(old, new)
    except OSError:  # a file system without hard links
        return False
    return True


def discard_staging(staging: Path) -> None:
    """Remove a staging directory after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)


def _staging_prefix(output_dir: Path) -> str:
    return f".{output_dir.name}.new-"


def _old_prefix(output_dir: Path) -> str:
    return f".{output_dir.name}.old-"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); return False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a libc without it (glibc < 2.28, musl)
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # old kernel or a file system without it
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, output_dir: Path, *, spare: bool = False) -> None:
    """Replace output_dir by the staged site atomically; remove the previous site.

    With spare, the previous site is kept as `spare_path(output_dir)` for the next build
    to refresh (`stage_site`), instead of being removed file by file.
    """
    _check_replaceable(output_dir)
    # mkdtemp makes the directory private; a published site must be world-readable.
    staging.chmod(0o755)
    kept = spare_path(output_dir)
    if not output_dir.exists():
        os.replace(staging, output_dir)
        return
    if _exchange(staging, output_dir):
        # The staging name now holds the previous site; a kill before it is removed leaves
        # a leftover that the next build's clean_leftovers deletes.
        pause_for_test("swap")
        if spare and staging != kept:
            shutil.rmtree(kept, ignore_errors=True)
            os.replace(staging, kept)
        elif not spare:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(kept, ignore_errors=True)  # a small site keeps no spare
        return
    # No atomic exchange: two renames. A kill between them leaves no output_dir, and the
    # next build's clean_leftovers puts the `.old-` copy back.
    old = Path(tempfile.mkdtemp(dir=output_dir.parent, prefix=_old_prefix(output_dir)))
    old.rmdir()
    os.replace(output_dir, old)
    pause_for_test("swap")
    try:
        os.replace(staging, output_dir)
    except BaseException:
        os.replace(old, output_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def clean_leftovers(output_dir: Path) -> list[Path]:
    """Undo what killed builds left next to output_dir; return the directories removed.

    Call it only while holding the site lock: another build's staging looks the same.
    """
    parent = output_dir.parent
    if not parent.is_dir():
        return []
    siblings = sorted(p for p in parent.iterdir() if p.is_dir() and not p.is_symlink())
    staged = [p for p in siblings if p.name.startswith(_staging_prefix(output_dir))]
    olds = [p for p in siblings if p.name.startswith(_old_prefix(output_dir))]
    if olds and not output_dir.exists():
        # A swap by two renames was cut between them: the newest `.old-` is the previous site.
        previous = max(olds, key=lambda p: (p.stat().st_ctime_ns, p.name))
        os.replace(previous, output_dir)
        olds.remove(previous)
        logger.warning("restored %s from an interrupted build", output_dir)
    for path in staged + olds:
        shutil.rmtree(path, ignore_errors=True)
        logger.debug("removed %s, left by an interrupted build", path)
    return staged + olds


def write_changed(
    files: Iterable[OutputFile], output_dir: Path, known: dict[str, bytes], removed: Iterable[str] = ()
) -> list[str]:
    """Write the files whose digest differs from `known` (updated in place); return their paths."""
    written = []
    for item in files:
        digest = item.digest
        if known.get(item.path) == digest:
            continue
        write_atomic(_target(output_dir, item.path), item.data)
        known[item.path] = digest
        written.append(item.path)
    for rel in removed:
        _target(output_dir, rel).unlink(missing_ok=True)
        known.pop(rel, None)
        written.append(rel)
    return written
