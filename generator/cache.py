"""A persistent build cache: parsed content files, rendered pages and named blobs.

Input: a project root and a salt (the digest version, code, config, templates and site
settings, hashed). Output: one SQLite file, `.cache/digest/build.sqlite`, that lets the next
build skip the work whose inputs did not change. A cache written with another salt is
cleared, never trusted; an unusable one is replaced with one warning. Entries a finished
build did not touch are pruned when it commits, so the file does not grow without bound.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import logging
import os
import pickle
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import Any, Protocol

logger = logging.getLogger(__name__)

#: The cache folder, relative to the project root.
DEFAULT_FOLDER = Path(".cache") / "digest"
FILE_NAME = "build.sqlite"
#: Written into the SQLite header (`PRAGMA application_id`): "dgst". A file without it is foreign.
APPLICATION_ID = 0x64677374
#: The table layout below; a file with another is replaced.
SCHEMA_VERSION = 2
#: Seconds a process waits for another one's write lock before going on without the cache.
LOCK_TIMEOUT = 10.0
#: A file modified this close to the moment it was cached may change again within the same
#: mtime tick, so its stat is not trusted later and its bytes are compared instead (git's
#: "racily clean" rule).
RACY_NS = 2_000_000_000

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Values and stats apart: a fresh checkout gives every file a new stat, and recording it
    # must not rewrite the pickled value.
    """CREATE TABLE content (
        rel TEXT PRIMARY KEY,       -- the content file, as the caller names it
        sha1 BLOB NOT NULL,         -- of the bytes the value was made from
        value BLOB NOT NULL         -- pickled value (e.g. an Article and its warnings)
    )""",
    """CREATE TABLE content_stat (
        rel TEXT PRIMARY KEY,
        size INTEGER NOT NULL,      -- st_size of those bytes
        mtime_ns INTEGER NOT NULL,  -- st_mtime_ns when cached, or -1: not trusted, compare sha1
        ctime_ns INTEGER NOT NULL   -- st_ctime_ns when cached (no tool sets it back, unlike mtime)
    )""",
    "CREATE TABLE pages (key TEXT PRIMARY KEY, data BLOB NOT NULL)",
    "CREATE TABLE blobs (name TEXT PRIMARY KEY, key TEXT NOT NULL, data BLOB NOT NULL)",
)
#: Every table of entries and its key column.
_TABLES = {"content": "rel", "content_stat": "rel", "pages": "key", "blobs": "name"}


class Cache(Protocol):
    """What a build asks of a cache; `BuildCache` keeps entries, `NullCache` keeps none."""

    @property
    def usable(self) -> bool:
        """Return whether lookups can hit (when not, a caller may skip computing keys)."""
        ...

    def get_content(self, rel: str, stat: os.stat_result, data: bytes | None = None) -> Any | None:
        """Return the value cached for a content file whose stat (or, given, bytes) still match."""
        ...

    def put_content(self, rel: str, stat: os.stat_result, data: bytes, value: Any) -> None:
        """Cache the value made from a content file's bytes, read after taking `stat`."""
        ...

    def get_page(self, key: str) -> bytes | None:
        """Return the page rendered under key, or None."""
        ...

    def put_page(self, key: str, data: bytes) -> None:
        """Cache a rendered page under key (a `fingerprint` of everything it was made from)."""
        ...

    def get_blob(self, name: str, key: str) -> bytes | None:
        """Return the blob stored as name when it was stored under the same key, or None."""
        ...

    def put_blob(self, name: str, key: str, data: bytes) -> None:
        """Store a named blob (e.g. a search index snapshot) under key, replacing the old one."""
        ...

    def keep_blob(self, name: str, key: str) -> bool:
        """Return whether the blob is stored under key, keeping it (as a get would) without reading it."""
        ...

    def commit(self, *, prune: bool = True) -> None:
        """Save this build's entries; with prune, drop the entries it did not touch."""
        ...

    def close(self) -> None:
        """Close the cache, dropping anything not committed."""
        ...


class NullCache:
    """A cache that keeps nothing (`--no-cache`): every lookup misses."""

    @property
    def usable(self) -> bool:
        """Return False: nothing is ever cached."""
        return False

    def get_content(self, rel: str, stat: os.stat_result, data: bytes | None = None) -> Any | None:
        """Return None: nothing is cached."""
        return None

    def put_content(self, rel: str, stat: os.stat_result, data: bytes, value: Any) -> None:
        """Do nothing."""

    def get_page(self, key: str) -> bytes | None:
        """Return None: nothing is cached."""
        return None

    def put_page(self, key: str, data: bytes) -> None:
        """Do nothing."""

    def get_blob(self, name: str, key: str) -> bytes | None:
        """Return None: nothing is cached."""
        return None

    def put_blob(self, name: str, key: str, data: bytes) -> None:
        """Do nothing."""

    def keep_blob(self, name: str, key: str) -> bool:
        """Return False: nothing is cached."""
        return False

    def commit(self, *, prune: bool = True) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""

    def __enter__(self) -> NullCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Unusable(Exception):
    """The cache file is not a digest build cache of this schema (the reason is the message)."""


class BuildCache:
    """The SQLite-backed cache of one project; methods never raise for a broken cache file.

    Use it under the site lock, one build at a time: `open`, get/put while building,
    `commit` when the build succeeded (a failed build's `close` drops its entries).
    """

    def __init__(self, path: Path, db: sqlite3.Connection | None) -> None:
        self.path = path
        self._db = db
        self._in_tx = False
        self._warned = False
        self._opened_ns = time.time_ns()
        # Keys this build read or wrote: commit keeps these and prunes the rest. Kept in
        # memory, not in the rows: marking a row used would rewrite its blob.
        self._used: dict[str, set[str]] = {table: set() for table in _TABLES}
        self._restat: list[tuple[int, int, int, str]] = []  # (size, mtime_ns, ctime_ns, rel)
        self.hits = 0
        self.misses = 0

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path, salt: str, *, folder: Path = DEFAULT_FOLDER) -> BuildCache:
        """Open (or create) the cache under root; clear it when it was written with another salt."""
        path = root / folder / FILE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return cls._disabled(path, exc.strerror or str(exc))
        try:
            db = _connect(path, salt)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):  # another process is writing it: go on without, keep its file
                return cls._disabled(path, f"in use by another process: {exc}")
            reason = str(exc)
        except (sqlite3.DatabaseError, _Unusable) as exc:
            reason = str(exc)
        else:
            return cls(path, db)
        try:
            for stale in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")):
                stale.unlink(missing_ok=True)
            db = _connect(path, salt)
        except (OSError, sqlite3.Error, _Unusable) as exc:
            return cls._disabled(path, f"{reason}; cannot replace it: {exc}")
        logger.warning("build cache %s unusable (%s); rebuilding without it", path, reason)
        return cls(path, db)

    @classmethod
    def _disabled(cls, path: Path, reason: str) -> BuildCache:
        logger.warning("build cache %s unusable (%s); rebuilding without it", path, reason)
        cache = cls(path, None)
        cache._warned = True
        return cache

    @property
    def usable(self) -> bool:
        """Return whether lookups can hit (False once the file proved unusable in this run)."""
        return self._db is not None

    # --- entries --------------------------------------------------------------------------

    def get_content(self, rel: str, stat: os.stat_result, data: bytes | None = None) -> Any | None:
        """Return the value cached for a content file whose stat (or, given, bytes) still match."""
        row = self._query(
            "SELECT size, mtime_ns, ctime_ns, sha1, value FROM content JOIN content_stat USING (rel) WHERE rel = ?",
            (rel,),
        )
        if row is None or row[0] != stat.st_size:
            self.misses += 1
            return None
        _, mtime_ns, ctime_ns, sha1, blob = row
        same_stat = mtime_ns == stat.st_mtime_ns and ctime_ns == stat.st_ctime_ns and mtime_ns != -1
        if data is not None:  # given bytes decide: a matching stat is only a shortcut
            if hashlib.sha1(data, usedforsecurity=False).digest() != sha1:
                self.misses += 1
                return None
            if not same_stat:  # same bytes, new stat (a fresh checkout): trust it from now on
                self._restat.append((stat.st_size, self._trusted_mtime(stat), stat.st_ctime_ns, rel))
        elif not same_stat:
            self.misses += 1
            return None
        value = self._unpickle(blob)
        if value is not None:
            self.hits += 1
            self._used["content"].add(rel)
            self._used["content_stat"].add(rel)
        return value

    def put_content(self, rel: str, stat: os.stat_result, data: bytes, value: Any) -> None:
        """Cache the value made from a content file's bytes, read after taking `stat`."""
        sha1 = hashlib.sha1(data, usedforsecurity=False).digest()
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self._write("INSERT OR REPLACE INTO content VALUES (?, ?, ?)", (rel, sha1, blob))
        self._write(
            "INSERT OR REPLACE INTO content_stat VALUES (?, ?, ?, ?)",
            (rel, stat.st_size, self._trusted_mtime(stat), stat.st_ctime_ns),
        )
        self._used["content"].add(rel)
        self._used["content_stat"].add(rel)

    def get_page(self, key: str) -> bytes | None:
        """Return the page rendered under key, or None."""
        row = self._query("SELECT data FROM pages WHERE key = ?", (key,))
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used["pages"].add(key)
        return bytes(row[0])

    def put_page(self, key: str, data: bytes) -> None:
        """Cache a rendered page under key (a `fingerprint` of everything it was made from)."""
        self._write("INSERT OR REPLACE INTO pages VALUES (?, ?)", (key, data))
        self._used["pages"].add(key)

    def get_blob(self, name: str, key: str) -> bytes | None:
        """Return the blob stored as name when it was stored under the same key, or None."""
        row = self._query("SELECT data FROM blobs WHERE name = ? AND key = ?", (name, key))
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used["blobs"].add(name)
        return bytes(row[0])

    def put_blob(self, name: str, key: str, data: bytes) -> None:
        """Store a named blob (e.g. a search index snapshot) under key, replacing the old one."""
        self._write("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)", (name, key, data))
        self._used["blobs"].add(name)

    def keep_blob(self, name: str, key: str) -> bool:
        """Return whether the blob is stored under key, keeping it (as a get would) without reading it."""
        if self._query("SELECT 1 FROM blobs WHERE name = ? AND key = ?", (name, key)) is None:
            return False
        self._used["blobs"].add(name)
        return True

    # --- ending a build -------------------------------------------------------------------

    def commit(self, *, prune: bool = True) -> None:
        """Save this build's entries; with prune, drop the entries it did not touch.

        Prune only after a build that looked up every entry it needs (a full build); a
        partial rebuild commits with prune=False.
        """
        db = self._db
        if db is None:
            return
        try:
            self._begin()
            db.executemany("UPDATE content_stat SET size = ?, mtime_ns = ?, ctime_ns = ? WHERE rel = ?", self._restat)
            if prune:
                db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                for table, column in _TABLES.items():
                    db.execute("DELETE FROM temp.used")
                    db.executemany("INSERT INTO temp.used VALUES (?)", ((key,) for key in self._used[table]))
                    db.execute(f"DELETE FROM {table} WHERE {column} NOT IN (SELECT key FROM temp.used)")
            db.execute("COMMIT")
            self._in_tx = False
            self._vacuum_if_sparse(db)
        except sqlite3.Error as exc:
            self._fail(exc)
        self._restat = []
        self._used = {table: set() for table in _TABLES}

    def close(self) -> None:
        """Close the cache, dropping anything not committed."""
        db, self._db = self._db, None
        if db is not None:
            try:
                db.close()  # an open transaction is rolled back
            except sqlite3.Error as exc:
                logger.debug("closing build cache %s: %s", self.path, exc)

    def __enter__(self) -> BuildCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals ------------------------------------------------------------------------

    def _trusted_mtime(self, stat: os.stat_result) -> int:
        """Return the mtime to store, or -1 when the file is too fresh for its mtime to be trusted."""
        return -1 if stat.st_mtime_ns >= self._opened_ns - RACY_NS else stat.st_mtime_ns

    def _query(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        db = self._db
        if db is None:
            return None
        try:
            row: tuple[Any, ...] | None = db.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return None
        return row

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        db = self._db
        if db is None:
            return
        try:
            self._begin()
            db.execute(sql, args)
        except sqlite3.Error as exc:
            self._fail(exc)

    def _begin(self) -> None:
        # One write transaction per build: thousands of puts cost one fsync. IMMEDIATE takes
        # the write lock now, so a racing process waits (then goes on without) instead of
        # failing half-way through its own transaction.
        if not self._in_tx and self._db is not None:
            self._db.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def _unpickle(self, blob: bytes) -> Any | None:
        try:
            return pickle.loads(blob)
        # Anything can come out of a foreign or damaged pickle (UnpicklingError, EOFError,
        # AttributeError for a class that moved, ...): treat the cache as unusable, not the build.
        except Exception as exc:
            self._clear(f"cannot unpickle an entry: {type(exc).__name__}: {exc}")
            return None

    def _clear(self, reason: str) -> None:
        """Warn once and empty the cache; this build refills it."""
        self._warn(reason)
        db = self._db
        if db is None:
            return
        try:
            self._begin()
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")
        except sqlite3.Error as exc:
            self._fail(exc)
        self._used = {table: set() for table in _TABLES}
        self._restat = []

    def _fail(self, exc: sqlite3.Error) -> None:
        """Warn once and stop using the file for this run (the next `open` replaces it if damaged)."""
        self._warn(str(exc))
        self.close()

    def _warn(self, reason: str) -> None:
        if not self._warned:
            self._warned = True
            logger.warning("build cache %s unusable (%s); rebuilding without it", self.path, reason)

    def _vacuum_if_sparse(self, db: sqlite3.Connection) -> None:
        """Give pruned space back to the file system when more than half the file is free."""
        # Not sooner: moving pages costs seconds after a build that replaced most of them,
        # and free pages are reused by the next build anyway (the file stays under ~2x its entries).
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        total = db.execute("PRAGMA page_count").fetchone()[0]
        if total and free * 2 > total:
            # executescript steps the pragma to the end (execute would free one page only).
            db.executescript("PRAGMA incremental_vacuum;")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


def _connect(path: Path, salt: str) -> sqlite3.Connection:
    """Open the cache file, creating its tables or clearing them for a new salt."""
    new = not path.exists() or path.stat().st_size == 0
    db = sqlite3.connect(path, timeout=LOCK_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        if new:  # only a file without pages takes these: pruned space goes back, no WAL side files
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("BEGIN IMMEDIATE")
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and version == 0 and tables == 0:  # a new, empty file
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('salt', ?)", (salt,))
        elif app_id != APPLICATION_ID:
            raise _Unusable("not a digest build cache")
        elif version != SCHEMA_VERSION:
            raise _Unusable(f"schema {version}, expected {SCHEMA_VERSION}")
        else:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("salt") != salt:
                logger.debug("build cache %s was written for other inputs; clearing it", path)
                for table in _TABLES:
                    db.execute(f"DELETE FROM {table}")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('salt', ?)", (salt,))
        db.execute("COMMIT")
    except BaseException:
        db.close()
        raise
    return db


# --- fingerprints -------------------------------------------------------------------------


class Fingerprinter:
    """Hash values deterministically across processes; reuse one for many values that share parts.

    Handles frozen dataclasses (every field, by name, including compare=False ones), tuples,
    lists, dicts (in order), sets, strings, bytes, numbers, booleans, None, enums, dates,
    times and paths; any other type is a TypeError rather than a guess. Never uses `hash()`
    (salted per process) or pickle bytes. Dataclass values are hashed once per Fingerprinter
    (by identity, kept alive here), so an article shown on ten pages is hashed once.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, bytes]] = {}
        self._fields: dict[type, tuple[bytes, tuple[tuple[bytes, str], ...]]] = {}

    def __call__(self, value: object) -> str:
        """Return the hex SHA-256 fingerprint of value."""
        out: list[bytes] = []
        self._encode(value, out)
        return hashlib.sha256(b"".join(out)).hexdigest()

    def _encode(self, value: object, out: list[bytes]) -> None:
        """Append value's encoding to out: a type tag, then its parts."""
        kind = type(value)
        encoder = _ENCODERS.get(kind)
        if encoder is not None:
            encoder(value, out)
        elif kind is tuple or kind is list:
            self._encode_sequence(value, kind is tuple, out)
        elif kind in self._fields or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
            out.append(self._dataclass(value))
        elif kind is dict:
            self._encode_dict(value, out)
        elif kind is set or kind is frozenset:
            self._encode_set(value, out)
        elif isinstance(value, enum.Enum):
            out.append(b"e" + _qualname(kind) + b";")
            self._encode(value.value, out)
        elif isinstance(value, (str, int, float, bytes, dt.date, dt.time, PurePath)):
            _encode_subclass(value, out)
        else:
            raise TypeError(f"cannot fingerprint a {kind.__module__}.{kind.__qualname__}")

    def _encode_sequence(self, items: Any, is_tuple: bool, out: list[bytes]) -> None:
        """Append the encoding of a tuple or list: its length, then each item."""
        out.append(b"(%d" % len(items) if is_tuple else b"[%d" % len(items))
        for item in items:
            if type(item) in self._fields:  # the common case: a tuple of articles or links
                out.append(self._dataclass(item))
            else:
                self._encode(item, out)

    def _encode_dict(self, mapping: Any, out: list[bytes]) -> None:
        """Append the encoding of a dict: its length, then each key and value in order."""
        out.append(b"{%d" % len(mapping))
        for key, item in mapping.items():
            self._encode(key, out)
            self._encode(item, out)

    def _encode_set(self, items: Any, out: list[bytes]) -> None:
        """Append the encoding of a set: its length, then its items' encodings sorted."""
        # Sorted encodings, not iteration order: a set's order differs between processes.
        parts = []
        for item in items:
            sub: list[bytes] = []
            self._encode(item, sub)
            parts.append(b"".join(sub))
        out.append(b"<%d" % len(parts))
        out.extend(sorted(parts))

    def _dataclass(self, value: Any) -> bytes:
        """Return the encoding of a dataclass value: inline when short, else its SHA-256."""
        key = id(value)
        memo = self._memo.get(key)
        if memo is not None:
            return memo[1]
        kind = type(value)
        shape = self._fields.get(kind)
        if shape is None:
            names = tuple((f.name.encode() + b"=", f.name) for f in dataclasses.fields(value))
            shape = (b"D" + _qualname(kind) + b";", names)
            self._fields[kind] = shape
        out = [shape[0]]
        append = out.append
        for label, name in shape[1]:
            item = getattr(value, name)
            # Inline the common field types: this loop runs ~200,000 times for 10,000 pages.
            if type(item) is str:
                data = item.encode("utf-8", "surrogatepass")
                append(b"%ss%d:" % (label, len(data)))
                append(data)
            elif item is None:
                append(label + b"N")
            else:
                append(label)
                self._encode(item, out)
        encoded = b"".join(out)
        # A long value (an article) is replaced by its digest, so the pages that show it
        # hash 33 bytes instead of its body; a short one (a link) is cheaper to keep as is.
        if len(encoded) > 200:
            encoded = b"d" + hashlib.sha256(encoded).digest()
        else:
            encoded = b"(D" + b"%d:" % len(encoded) + encoded
        self._memo[key] = (value, encoded)
        return encoded


def _encode_subclass(value: str | int | float | bytes | dt.date | dt.time | PurePath, out: list[bytes]) -> None:
    """Encode a subclass of a plain type (or a path) as its class name and its plain value."""
    # A subclass (e.g. markupsafe.Markup) may render differently: its name is part of it.
    kind = type(value)
    out.append(b"c" + _qualname(kind) + b";")
    if isinstance(value, PurePath):
        _str(value.as_posix(), out)
    else:
        base = next(b for b in (bool, int, float, str, bytes, dt.datetime, dt.date, dt.time) if isinstance(value, b))
        _ENCODERS[base](value, out)


def fingerprint(value: object) -> str:
    """Return a hex SHA-256 of a value that is the same in every process (see `Fingerprinter`)."""
    return Fingerprinter()(value)


def tree_fingerprint(folders: Iterable[Path]) -> str:
    """Return a hex SHA-256 of every file under the folders (names and bytes), e.g. the templates."""
    digest = hashlib.sha256()
    for number, folder in enumerate(folders):
        digest.update(b"folder %d\0" % number)
        if not folder.is_dir():
            continue
        for dirpath, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = Path(dirpath) / name
                rel = path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape")
                data = path.read_bytes()
                digest.update(b"%d:%s%d:" % (len(rel), rel, len(data)))
                digest.update(data)
    return digest.hexdigest()


def code_fingerprint() -> str:
    """Return a hex SHA-256 of this package's code and data, so any change of digest clears caches."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts):
        rel = path.relative_to(package).as_posix().encode()
        data = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(rel), rel, len(data)))
        digest.update(data)
    return digest.hexdigest()


def _qualname(kind: type) -> bytes:
    return f"{kind.__module__}.{kind.__qualname__}".encode()


def _str(value: str, out: list[bytes]) -> None:
    data = value.encode("utf-8", "surrogatepass")
    out.append(b"s%d:" % len(data))
    out.append(data)


def _bytes(value: bytes, out: list[bytes]) -> None:
    out.append(b"b%d:" % len(value))
    out.append(bytes(value))


def _int(value: int, out: list[bytes]) -> None:
    out.append(b"i%d;" % value)


def _float(value: float, out: list[bytes]) -> None:
    out.append(b"f" + value.hex().encode() + b";")


def _bool(value: bool, out: list[bytes]) -> None:
    out.append(b"T" if value else b"F")


def _none(value: None, out: list[bytes]) -> None:
    out.append(b"N")


def _zone(value: dt.datetime | dt.time) -> bytes:
    # The zone's name, not only its offset: a template may print it.
    return b"" if value.tzinfo is None else str(value.tzinfo).encode()


def _datetime(value: dt.datetime, out: list[bytes]) -> None:
    out.append(b"t" + value.isoformat().encode() + b"@" + _zone(value) + b"%d;" % value.fold)


def _date(value: dt.date, out: list[bytes]) -> None:
    out.append(b"a" + value.isoformat().encode() + b";")


def _time(value: dt.time, out: list[bytes]) -> None:
    out.append(b"h" + value.isoformat().encode() + b"@" + _zone(value) + b"%d;" % value.fold)


_ENCODERS: dict[type, Callable[[Any, list[bytes]], None]] = {
    str: _str,
    bytes: _bytes,
    int: _int,
    float: _float,
    bool: _bool,
    type(None): _none,
    dt.datetime: _datetime,
    dt.date: _date,
    dt.time: _time,
}
