"""Turn a batch of changed paths into the cheapest rebuild that covers them, for `digest serve`.

Input: the config, the content and output folders, and (per call) the watcher's changes.
Output: a `Rebuild` saying what was done; side effects: ingest of changed raw files into
content/, a reloaded config, and the builder's writes to the output folder. A failure of any
kind leaves the last good site in place and is logged in one clear line. No threads here:
`serve` feeds this from its watchers, tests call `Rebuilder.apply` directly.
"""

from __future__ import annotations

import enum
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from watchfiles import Change

from generator.build import SiteBuilder
from generator.config import Config, load_config
from generator.content import read_article
from generator.errors import ContentError, DigestError
from generator.ingest import ingest_paths
from generator.lock import BusyError
from generator.log import RunReport, plural

logger = logging.getLogger(__name__)

#: One change a watcher reports: what happened, and to which path.
FileChange = tuple[Change, str]


class Builder(Protocol):
    """What the preview needs from the site builder (`generator.build.SiteBuilder`)."""

    def build(self, report: RunReport) -> Any:
        """Build the whole site atomically."""

    def rebuild(self, changed: Iterable[Path], report: RunReport) -> Any:
        """Rebuild after the given content files changed."""


BuilderFactory = Callable[[Config, Path, Path], Builder]


def default_builder(config: Config, content_dir: Path, output_dir: Path) -> Builder:
    """Return the real site builder."""
    return SiteBuilder(config, content_dir=content_dir, output_dir=output_dir)


class ChangeKind(enum.Enum):
    """What a changed file is, which decides the cheapest rebuild that covers it."""

    CONTENT = "content"  # one article: re-render what shows it
    TEMPLATE = "template"  # a template or static file: everything
    CONFIG = "config"  # digest.yaml: reload it, then everything
    RAW = "raw"  # a raw input: ingest it, then treat the content it wrote as CONTENT


@dataclass(frozen=True)
class Rebuild:
    """What one batch of changes led to."""

    built: bool = False  # the builder ran to its end: the site changed, open pages should reload
    ok: bool = False  # built, and the build itself reported no problem
    full: bool = False  # the whole site was built (a template, the config or a folder changed)
    changed: tuple[Path, ...] = ()  # the content files rebuilt, when not full
    reason: str = ""  # the first change, for the log line: a path or `digest.yaml changed`
    problems: int = 0  # each counted once: a bad config, a broken article, a failed or refused build
    rewatch: bool = False  # the set of folders to watch may have changed (`on_rewatch` was called)


@dataclass
class _Batch:
    """Changes waiting for one rebuild, sorted by kind."""

    content: set[Path] = field(default_factory=set)
    raw: set[Path] = field(default_factory=set)
    full: list[Path] = field(default_factory=list)
    config: bool = False
    rewatch: bool = False  # a watched folder appeared or vanished, or the config moved one
    problems: int = 0  # found before the build: a bad config, broken articles

    def __bool__(self) -> bool:
        return bool(self.content or self.raw or self.full or self.config)


class Rebuilder:
    """The watch-and-rebuild state of one preview: the config, the builder and ingest's own writes."""

    def __init__(
        self,
        config: Config,
        *,
        content_dir: Path,
        output_dir: Path,
        ingest: bool = True,
        builder_factory: BuilderFactory = default_builder,
        on_rewatch: Callable[[], None] = lambda: None,
    ) -> None:
        self.config = config
        # Called as soon as the folders to watch may have changed, before the rebuild, so that
        # a watcher can start on a new folder while the site builds.
        self.on_rewatch = on_rewatch
        self.content_dir = content_dir
        self.output_dir = output_dir
        self.ingest = ingest
        self.builder_factory = builder_factory
        self.builder = builder_factory(config, content_dir, output_dir)
        # Content files this process wrote itself (by ingest), with the mtime it left them at:
        # their watcher events arrive later and must not trigger a second rebuild.
        self._settled: dict[Path, int] = {}

    def classify(self, path: Path) -> ChangeKind | None:
        """Return what kind of input a changed path is, or None when the preview ignores it."""
        path = path.absolute()
        if self.config.config_path and path == self.config.config_path:
            return ChangeKind.CONFIG
        if _is_under(path, self.output_dir):
            return None
        if _is_under(path, self.content_dir):
            return ChangeKind.CONTENT
        if _is_under(path, self.config.paths.templates):
            return ChangeKind.TEMPLATE
        if self.ingest and _is_under(path, self.config.paths.raw):
            return ChangeKind.RAW
        return None

    def watch_roots(self) -> list[Path]:
        """Return the existing folders to watch recursively."""
        folders = [self.content_dir, self.config.paths.templates]
        if self.ingest:
            folders.append(self.config.paths.raw)
        return [f for f in dict.fromkeys(folders) if f.is_dir()]

    def build_first(self) -> bool:
        """Ingest raw/ when asked, then build everything; return False (logged) on failure."""
        report = RunReport()
        raw = self.config.paths.raw
        try:
            if self.ingest and raw.is_dir():
                result = ingest_paths([raw], self.config, content_dir=self.content_dir, report=report)
                logger.info("%s", result.summary)
            built = self.builder.build(report)
        except DigestError as exc:
            for problem in exc.problems:
                logger.error("%s", problem)
            logger.error("first build failed: serving what %s holds until a change builds", shown(self.output_dir))
            return False
        logger.info("%s", getattr(built, "summary", "built the site"))
        return True

    def apply(self, changes: Iterable[FileChange]) -> Rebuild:
        """Rebuild the cheapest way for a batch of changes; return what was done.

        A failure is logged and leaves the last good site served: nothing raises.
        """
        batch = self._sort(changes)
        if batch.rewatch:
            self.on_rewatch()
        if not batch:
            return Rebuild(rewatch=batch.rewatch)
        started = time.perf_counter()
        report = RunReport()
        try:
            done, result = self._rebuild(batch, report)
        except Exception as exc:  # a bug in a stage must not end the preview: log it, keep the site
            _log_failure(exc)
            return Rebuild(problems=batch.problems + 1, rewatch=batch.rewatch)
        if not done.built:
            return done
        seconds = time.perf_counter() - started
        if report.failed:
            logger.error("rebuilt with %d problem(s) in %.2f s (%s)", len(report.errors), seconds, done.reason)
        else:
            logger.info("rebuilt %s in %.2f s (%s)", _what_was_built(result), seconds, done.reason)
        return replace(done, ok=not report.failed, problems=done.problems + report.failed)

    def _rebuild(self, batch: _Batch, report: RunReport) -> tuple[Rebuild, Any]:
        """Reload the config, ingest, then build or rebuild; return what was done and the build result."""
        if batch.config:
            batch.config = self._reload_config(batch)  # a bad config is kept out; the rest still rebuilds
        if batch.raw:
            batch.content |= self._ingest_raw(sorted(batch.raw), report)
        if batch.config or batch.full:
            result = self.builder.build(report)
            reason = "digest.yaml changed" if batch.config else shown(batch.full[0])
            return Rebuild(built=True, full=True, reason=reason, problems=batch.problems, rewatch=batch.rewatch), result
        changed = self._usable(sorted(batch.content), batch)
        if not changed:  # every changed article is broken, or raw files changed no content
            return Rebuild(problems=batch.problems, rewatch=batch.rewatch), None
        result = self.builder.rebuild(changed, report)
        reason = shown(changed[0]) + (f" and {len(changed) - 1} more" if len(changed) > 1 else "")
        done = Rebuild(
            built=True, changed=tuple(changed), reason=reason, problems=batch.problems, rewatch=batch.rewatch
        )
        return done, result

    def _sort(self, changes: Iterable[FileChange]) -> _Batch:
        """Sort changes by kind; drop what the preview ignores and what ingest already rebuilt."""
        batch = _Batch()
        roots = {self.content_dir, self.config.paths.templates, self.config.paths.raw}
        for change, name in changes:
            path = Path(name).absolute()
            if path in roots:
                if change is not Change.modified:
                    batch.rewatch = True  # a watched folder appeared or vanished: watch the new set
                    batch.full.append(path)
                continue
            kind = self.classify(path)
            if kind is ChangeKind.CONFIG:
                batch.config = True
            elif kind is ChangeKind.TEMPLATE:
                batch.full.append(path)
            elif kind is ChangeKind.RAW:
                if change is not Change.deleted and path.is_file():
                    batch.raw.add(path)  # a deleted raw file changes nothing: content/ is the record
            elif kind is ChangeKind.CONTENT:
                if path.suffix != ".md":
                    batch.full.append(path)  # a folder or a non-article file: let the full build sort it out
                elif not self._already_built(path):
                    batch.content.add(path)
        return batch

    def _already_built(self, path: Path) -> bool:
        """Return True for a content file this process wrote and has already rebuilt for."""
        mtime = self._settled.pop(path, None)
        if mtime is None:
            return False
        try:
            return path.stat().st_mtime_ns == mtime
        except OSError:
            return False

    def _usable(self, paths: list[Path], batch: _Batch) -> list[Path]:
        """Return the changed content files that parse; log and count in batch each one that does not.

        A broken file is kept from the builder, so the site goes on showing its last good
        version; saving a fixed version brings it back through the normal rebuild.
        """
        usable = []
        for path in paths:
            if not path.is_file():
                usable.append(path)  # deleted: the builder drops its pages
                continue
            try:
                read_article(path, self.content_dir, self.config)
            except ContentError as exc:
                for problem in exc.problems:
                    logger.error("%s", problem)
                logger.error(
                    "not rebuilt: still serving the last good version of %s (fix it and save again)", shown(path)
                )
                batch.problems += 1
                continue
            usable.append(path)
        return usable

    def _ingest_raw(self, paths: list[Path], report: RunReport) -> set[Path]:
        """Ingest changed raw files; return the content files that ingest wrote or updated."""
        before = snapshot(self.content_dir)
        result = ingest_paths(paths, self.config, content_dir=self.content_dir, report=report)
        after = snapshot(self.content_dir)
        changed = {p for p, mtime in after.items() if before.get(p) != mtime}
        self._settled.update({p: after[p] for p in changed})
        logger.info("%s (%s)", result.summary, ", ".join(shown(p) for p in paths))
        return changed

    def _reload_config(self, batch: _Batch) -> bool:
        """Reload digest.yaml into a new builder; on a bad config keep the old one, say why, return False."""
        assert self.config.config_path is not None
        try:
            config = load_config(self.config.config_path)
        except DigestError as exc:
            for problem in exc.problems:
                logger.error("%s", problem)
            logger.error("digest.yaml has problems: still serving the last good site")
            batch.problems += 1
            return False
        if config.paths != self.config.paths:
            batch.rewatch = True
            self.on_rewatch()
        self.config = config
        self.builder = self.builder_factory(config, self.content_dir, self.output_dir)
        return True


def _log_failure(exc: Exception) -> None:
    """Log why a rebuild did not happen, and that the last good site is still served."""
    if isinstance(exc, BusyError):
        # Another digest run (a `digest build` in a terminal) holds the folder: not a mistake.
        for problem in exc.problems:
            logger.warning("%s", problem)
        logger.warning("rebuild skipped: still serving the last good site (save again once that run ends)")
    elif isinstance(exc, DigestError):
        for problem in exc.problems:
            logger.error("%s", problem)
        logger.error("rebuild failed: still serving the last good site (fix the problem and save again)")
    else:
        logger.error("rebuild crashed: still serving the last good site", exc_info=exc)


def snapshot(folder: Path) -> dict[Path, int]:
    """Return the modification time of every Markdown file under folder."""
    out: dict[Path, int] = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                path = Path(root) / name
                try:
                    out[path] = path.stat().st_mtime_ns
                except OSError:
                    continue
    return out


def _what_was_built(result: Any) -> str:
    """Return `412 pages` for a full build or `3 files` for an incremental one."""
    full = getattr(result, "full", True)
    count = getattr(result, "pages" if full else "written", None)
    if not isinstance(count, int):
        return "the site"
    noun = "page" if full else "file"
    return plural(count, noun)


def _is_under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def shown(path: Path) -> str:
    """Return a path relative to the working directory when it is inside it."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
