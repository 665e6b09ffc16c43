"""Remember what content/ has held, so an article an editor deletes is never re-created.

Input: a content directory and the ids of the articles it holds now. Output: two small,
committed text files in it, and the ids ingest must not write again:

- `content/.ingested`, the ledger: one `id path` line per article that was ever in
  content/ (sorted by id), kept by ingest; an editor never needs to open it.
- `content/deleted.txt`, the tombstones: one `id path` line per article whose file has
  gone from content/ although the ledger lists it. Ingest never re-creates those ids;
  putting the file back (a deliberate re-add) wins, and removes its line.

Deletion is noticed by comparing the ledger with the files: so deleting the `.md` file is
all an editor does. Both files are rewritten only when their text changes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.content import write_text_atomic
from generator.models import Problem, Severity

logger = logging.getLogger(__name__)

LEDGER_NAME = ".ingested"
TOMBSTONES_NAME = "deleted.txt"
_LINE = re.compile(r"^([0-9A-Za-z_-]{1,64})\s+(\S.*?)\s*$")

TOMBSTONES_HEADER = """\
# Articles deleted from content/: `digest ingest` never creates them again.
# Each line is `id path`. To bring an article back, put its file back (a re-added file
# wins and its line goes), or delete its line here and let ingest re-create it.
"""
LEDGER_HEADER = """\
# Every article ingest has seen in content/, as `id path` (kept by digest; do not edit).
# An id listed here whose file is gone was deleted by an editor: see deleted.txt.
"""


@dataclass(frozen=True)
class Memory:
    """What content/ remembers: the ids ingest must not write, and why."""

    deleted: Mapping[str, str]  # tombstoned id → the path it had
    broken: frozenset[str]  # ids whose file is still there but cannot be read now
    problems: tuple[Problem, ...]
    ledger: Mapping[str, str]  # id → path, as read
    had_ledger: bool


def _read_lines(path: Path, shown: str) -> tuple[dict[str, str], list[Problem]]:
    """Return the `id path` lines of a ledger or tombstone file, and its malformed lines."""
    entries: dict[str, str] = {}
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return entries, problems
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, 0, f"cannot read: {exc}", "restore it from git, or delete it"))
        return entries, problems
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.match(stripped)
        if match is None:
            problems.append(
                Problem(
                    shown,
                    number,
                    f"not an `id path` line: {stripped[:60]!r}",
                    "fix or delete the line",
                    Severity.WARNING,
                )
            )
            continue
        entries[match.group(1)] = match.group(2)
    return entries, problems


def _render(header: str, entries: Mapping[str, str]) -> str:
    return header + "".join(f"{key} {entries[key]}\n" for key in sorted(entries))


def recall(content_dir: Path, present: Mapping[str, str], shown_dir: str) -> Memory:
    """Return what content_dir remembers, given its readable articles (id → path).

    A ledger entry whose id is not among `present` was deleted, unless its file is still
    there (a file that cannot be read now is broken, not deleted).
    """
    ledger, problems = _read_lines(content_dir / LEDGER_NAME, f"{shown_dir}/{LEDGER_NAME}")
    deleted, more = _read_lines(content_dir / TOMBSTONES_NAME, f"{shown_dir}/{TOMBSTONES_NAME}")
    problems += more
    broken: set[str] = set()
    for article_id, rel in ledger.items():
        if article_id in present or article_id in deleted:
            continue
        if _is_file(content_dir, rel):
            broken.add(article_id)
        else:
            deleted[article_id] = rel
    for article_id in [i for i in deleted if i in present]:
        logger.info("%s was re-added: ingest may update it again", present[article_id])
        del deleted[article_id]
    return Memory(deleted, frozenset(broken), tuple(problems), ledger, (content_dir / LEDGER_NAME).exists())


def _is_file(content_dir: Path, rel: str) -> bool:
    """Return whether rel names a file inside content_dir (never following it out)."""
    if rel.startswith("/") or ".." in Path(rel).parts:
        return False
    return (content_dir / rel).is_file()


def remember(content_dir: Path, memory: Memory, present: Mapping[str, str], written: Iterable[tuple[str, str]]) -> None:
    """Write the ledger (every id present or just written) and the tombstones, if they changed."""
    ledger = {**{i: p for i, p in memory.ledger.items() if i in memory.broken}, **present, **dict(written)}
    if not ledger and not memory.had_ledger and not memory.deleted:
        return  # an empty content directory stays empty
    _write_if_changed(content_dir / LEDGER_NAME, _render(LEDGER_HEADER, ledger))
    tombstones = content_dir / TOMBSTONES_NAME
    if memory.deleted or tombstones.exists():
        _write_if_changed(tombstones, _render(TOMBSTONES_HEADER, memory.deleted))


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    write_text_atomic(path, text)


def read_tombstones(content_dir: Path, shown_dir: str) -> tuple[dict[str, str], list[Problem]]:
    """Return the tombstoned ids (id → path) of a content directory, and malformed lines."""
    return _read_lines(content_dir / TOMBSTONES_NAME, f"{shown_dir}/{TOMBSTONES_NAME}")
