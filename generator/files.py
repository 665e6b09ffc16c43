"""Write one file atomically: readers see the old bytes or the new, never half a file.

Input: a path and its new bytes or text. Output: the file, swapped in by `os.replace` from a
sibling temporary file `.NAME.<pid>-<thread>.tmp` (a dot name readers skip; what a killed run
leaves behind is tidied by the caller that owns the folder, e.g.
`content.remove_stale_temp_files`). Nothing is fsynced: a crash may lose the write, never mix it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

#: Longest part of a file name kept in its temporary name, so that it stays under NAME_MAX.
_MAX_NAME = 200


def write_atomic(path: Path | str, data: bytes | str) -> None:
    """Write data to path through a sibling temporary file and os.replace, creating its folder.

    Text is written as UTF-8 exactly as given (no newline translation). The file gets the
    permissions a new file gets (0o666 less the umask), like `open(path, "w")`.
    """
    folder, name = os.path.split(os.fspath(path))
    # One temporary name per process and thread: two writers of the same path never share
    # one, and no random name is drawn (cheap when an ingest writes thousands of files).
    tmp = os.path.join(folder, f".{name[:_MAX_NAME]}.{os.getpid()}-{threading.get_native_id()}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(tmp, flags, 0o666)
    except FileNotFoundError:
        # The folder is missing: create it only now, so the common case costs no extra call.
        os.makedirs(folder or ".", exist_ok=True)
        fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def digest(data: bytes) -> bytes:
    """Return the short hash a build knows a file's bytes by (its own site files, and the search index's keys)."""
    return hashlib.blake2b(data, digest_size=16).digest()
