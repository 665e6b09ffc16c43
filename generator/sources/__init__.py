"""Source readers: find raw input files and read each into RawItems, one reader per format.

Input: paths to files or directories. Output: the input files in a stable order, and per
file a `SourceResult` (items + problems). The format is detected from the content; bad
input never raises: every problem is returned as `path:line: what (what to do)`.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from generator.models import Problem, Severity, SourceResult
from generator.sources.decode import NotText, decode_bytes
from generator.sources.detect import detect_format
from generator.sources.feed import read_feed
from generator.sources.html import read_html
from generator.sources.jsonl import read_jsonl
from generator.sources.text import read_text_dump

__all__ = ["MAX_BYTES", "iter_inputs", "read_source", "read_text"]

logger = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_BYTES = 20 * 1024 * 1024  # a page dump or feed is KBs to a few MBs; more is a mistake
Reader = Callable[[str, str, str], SourceResult]


READERS: dict[str, Reader] = {
    "html": read_html,
    "feed": read_feed,
    "jsonl": read_jsonl,
    "text": read_text_dump,
}


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _walk(directory: Path, found: list[Path], problems: list[Problem]) -> None:
    """Append the regular files under directory to found, in sorted order, never following links."""
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as exc:
        problems.append(Problem(str(directory), 0, f"cannot list directory: {exc.strerror}", "check its permissions"))
        return
    for entry in entries:
        if _is_hidden(entry.name):
            logger.debug("skipping hidden %s", entry.path)
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            # A link may point outside the input tree; it is never followed.
            problems.append(
                Problem(
                    str(path),
                    0,
                    "symbolic link skipped",
                    "copy the file into the input folder instead",
                    Severity.WARNING,
                )
            )
        elif entry.is_dir(follow_symlinks=False):
            _walk(path, found, problems)
        elif entry.is_file(follow_symlinks=False):
            found.append(path)
        else:
            problems.append(
                Problem(str(path), 0, "not a regular file; skipped", "inputs must be plain files", Severity.WARNING)
            )


def iter_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """Return the input files under paths (directories walked in sorted order) and the missing ones."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_symlink():
            problems.append(
                Problem(
                    str(path),
                    0,
                    "symbolic link skipped",
                    "pass the file it points to instead",
                    Severity.WARNING,
                )
            )
        elif path.is_dir():
            _walk(path, found, problems)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            problems.append(
                Problem(str(path), 0, "not a regular file; skipped", "inputs must be plain files", Severity.WARNING)
            )
        else:
            problems.append(Problem(str(path), 0, "no such file or directory", "check the path"))
    # The same file named twice (directly and through its folder) is read once.
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, problems


def _read_bytes(path: Path) -> bytes:
    """Return a regular file's bytes, refusing links and files over MAX_BYTES (raises OSError/ValueError)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > MAX_BYTES:
            raise OverflowError(info.st_size)
        return handle.read(MAX_BYTES + 1)


def read_text(text: str, name: str, shown: str) -> SourceResult:
    """Return the items of already-decoded input, choosing the reader from its content."""
    # Text from other callers may hold lone surrogates, which no reader (nor the UTF-8
    # content files) can take; bytes decoded by read_source never do.
    return _read_decoded(_SURROGATE.sub("\ufffd", text), name, shown)


def _read_decoded(text: str, name: str, shown: str) -> SourceResult:
    """Return the items of text without lone surrogates, choosing the reader from its content."""
    kind = detect_format(text, name)
    if kind == "json":
        return SourceResult.rejected(
            shown, kind, 1, "a JSON document, not JSON Lines", "write one article object per line (.jsonl)"
        )
    if kind == "xml":
        return SourceResult.rejected(
            shown, kind, 1, "an XML document that is not an RSS, RDF or Atom feed", "remove it or convert it to a feed"
        )
    reader = READERS[kind]
    logger.debug("%s: reading as %s", shown, kind)
    try:
        return reader(text, name, shown)
    except Exception as exc:
        # A reader bug must not sink the run: report it on this file and carry on.
        logger.debug("reader %s failed on %s", kind, shown, exc_info=True)
        return SourceResult.rejected(
            shown,
            kind,
            0,
            f"the {kind} reader failed: {type(exc).__name__}: {exc}",
            "this is a bug in digest; run with -v and report it with the file",
        )


def read_source(path: Path, shown: str) -> SourceResult:
    """Return the items and problems of one raw input file; never raise for bad input."""
    try:
        data = _read_bytes(path)
    except OverflowError as exc:
        size = int(exc.args[0]) / 1024 / 1024
        return SourceResult.rejected(
            shown,
            "",
            0,
            f"file too large ({size:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB)",
            "split it into smaller files",
        )
    except ValueError as exc:
        return SourceResult.rejected(shown, "", 0, str(exc), "inputs must be plain files")
    except OSError as exc:
        return SourceResult.rejected(
            shown, "", 0, f"cannot read file: {exc.strerror or exc}", "check that it exists and is readable"
        )
    try:
        decoded = decode_bytes(data)
    except NotText as exc:
        return SourceResult.rejected(shown, "", 0, exc.message, exc.hint)
    # `shown` (the input's unique name) is what every item's `origin` records.
    result = _read_decoded(decoded.text, shown, shown)
    if decoded.replaced:
        warning = Problem(
            shown,
            0,
            f"{decoded.replaced} characters could not be decoded as {decoded.encoding} and were replaced",
            "re-save the file as UTF-8",
            Severity.WARNING,
        )
        result = SourceResult(result.path, result.format, result.items, (warning, *result.problems), result.raw_count)
    logger.debug("%s: %s (%s, %s), %d items", shown, result.format, decoded.encoding, decoded.method, len(result.items))
    return result
