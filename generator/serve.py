"""Preview a site: build it, serve it on loopback, rebuild on every change, reload open pages.

Input: the config and the content/output folders. Output: `livereload`'s HTTP server over the
output folder plus watcher threads whose changes, debounced and merged, go to `rebuild` for the
cheapest rebuild; after a good one, open pages are told to reload. This module only wires the
two together and owns the threads.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import watchfiles

from generator.build import SiteBuilder
from generator.config import Config
from generator.livereload import BuildSignal, PreviewHTTPServer, is_loopback
from generator.rebuild import Builder, BuilderFactory, FileChange, Rebuild, Rebuilder, default_builder, shown, snapshot

logger = logging.getLogger(__name__)

_IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload")
_READY_SECONDS = 30.0  # how long start() waits for the OS watches before going on without them


class PreviewServer:
    """A local preview: initial build, HTTP server, watchers and rebuilds, in background threads.

    `start()` builds and begins serving; `stop()` shuts everything down. The CLI wraps it.
    """

    def __init__(
        self,
        config: Config,
        *,
        content_dir: Path | None = None,
        output_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        ingest: bool = True,
        watch: bool = True,
        builder_factory: BuilderFactory = default_builder,
        step_ms: int = 50,
    ) -> None:
        self._rewatch = threading.Event()  # set when the folders to watch may have changed
        self.signal = BuildSignal()

        def make_builder(config: Config, content: Path, output: Path) -> Builder:
            builder = builder_factory(config, content, output)
            if isinstance(builder, SiteBuilder):
                # An edited article's page is written before the rest of the rebuild: reload it then.
                builder.on_edited_shown = self.signal.announce
            return builder

        self.rebuilder = Rebuilder(
            config,
            content_dir=(content_dir or config.paths.content).resolve(),
            output_dir=(output_dir or config.paths.site).resolve(),
            ingest=ingest,
            builder_factory=make_builder,
            on_rewatch=self._rewatch.set,
        )
        self.host = host
        self.port = port
        self.watch = watch
        self.step_ms = step_ms
        self.builds = 0  # successful rebuilds since start (not counting the first build)
        self.failures = 0
        self._stop_event = threading.Event()
        self._queue: queue.Queue[set[FileChange]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._tree_ready = threading.Event()
        self._root_ready = threading.Event()
        self._httpd: PreviewHTTPServer | None = None

    @property
    def config(self) -> Config:
        """Return the config in use (reloaded when digest.yaml changes)."""
        return self.rebuilder.config

    @property
    def builder(self) -> Builder:
        """Return the site builder in use."""
        return self.rebuilder.builder

    @property
    def url(self) -> str:
        """Return the address the site is served at."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def threads(self) -> tuple[threading.Thread, ...]:
        """Return the background threads this server started."""
        return tuple(self._threads)

    def start(self) -> None:
        """Bind the port, build the site, then serve and watch in background threads."""
        self.warn_if_public()
        # Bind before the first build, so a busy port fails at once rather than after it.
        httpd = PreviewHTTPServer(self.host, self.port, self.rebuilder.output_dir, self.signal)
        self._httpd = httpd
        self.port = httpd.port
        before = snapshot(self.rebuilder.content_dir)
        try:
            self.rebuilder.build_first()
        except BaseException:
            httpd.server_close()
            self._httpd = None
            raise
        self._spawn("serve", lambda: httpd.serve_forever(poll_interval=0.1))
        if self.watch:
            self._start_watchers()
            self._replay_missed(before)

    def warn_if_public(self) -> None:
        """Log a loud warning when the host lets other machines read the preview."""
        if not is_loopback(self.host):
            logger.warning(
                "serving on %s, which other machines can reach: anyone on the network can read this "
                "unpublished preview (use --host 127.0.0.1 to keep it local)",
                self.host,
            )

    def stop(self) -> None:
        """Stop serving and watching; return once the background threads have ended."""
        self._stop_event.set()
        self.signal.close()  # wake the event streams so they close
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        self._queue.put(set())  # wake the rebuild loop
        for thread in self._threads:
            thread.join(timeout=30)
        if isinstance(self.builder, SiteBuilder):
            # A search index refresh still running would leave Pagefind writing into the site.
            self.builder.wait(timeout=30)

    def apply_changes(self, changes: Iterable[FileChange]) -> Rebuild:
        """Rebuild for a batch of changes, count it, and tell open pages when the site changed."""
        done = self.rebuilder.apply(changes)
        self.failures += done.problems
        if done.built:
            self.builds += 1
            self.signal.announce()
        return done

    # -- threads ----------------------------------------------------------------------

    def _spawn(self, name: str, target: Callable[[], Any]) -> None:
        thread = threading.Thread(target=target, name=f"digest-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _start_watchers(self) -> None:
        self._spawn("watch", self._watch_tree)
        # Watch the site's folder itself too, not digest.yaml: editors save by renaming a new
        # file over the old one, and a watch on the file goes deaf after the first such save.
        # It also sees content/, templates/ or raw/ being created after the start.
        root = [self.config.paths.root]
        self._spawn(
            "watch-root",
            lambda: self._watch(root, recursive=False, stop=self._stop_event, on_ready=self._root_ready.set),
        )
        self._spawn("rebuild", self._rebuild_loop)

    def _replay_missed(self, before: dict[Path, int]) -> None:
        """Queue the edits saved while the first build ran, before the watches were in place."""
        for ready in (self._tree_ready, self._root_ready):
            if not ready.wait(timeout=_READY_SECONDS):
                logger.warning("the file watcher is slow to start: early edits may need a second save")
        after = snapshot(self.rebuilder.content_dir)
        missed = {(watchfiles.Change.modified, str(p)) for p, m in after.items() if before.get(p) != m}
        missed |= {(watchfiles.Change.deleted, str(p)) for p in before.keys() - after.keys()}
        if missed:
            self._queue.put(missed)

    def _watch_tree(self) -> None:
        """Watch the input folders recursively, starting over whenever the set of folders changes."""
        watched: set[Path] = set()
        while not self._stop_event.is_set():
            self._rewatch.clear()
            folders = self.rebuilder.watch_roots()
            added = [f for f in folders if f not in watched] if self._tree_ready.is_set() else []
            watched = set(folders)
            logger.info("watching %s", ", ".join(shown(f) for f in folders) or "nothing yet")

            def ready(added: list[Path] = added) -> None:
                self._tree_ready.set()
                if added:
                    # Files saved into a new folder before its watch began would go unseen.
                    self._queue.put({(watchfiles.Change.added, str(f)) for f in added})

            if folders:
                self._watch(folders, recursive=True, stop=_AnyEvent(self._stop_event, self._rewatch), on_ready=ready)
            else:
                ready()
                while not (self._stop_event.is_set() or self._rewatch.wait(0.2)):
                    pass

    def _watch(
        self, folders: list[Path], *, recursive: bool, stop: threading.Event | _AnyEvent, on_ready: Callable[[], None]
    ) -> None:
        try:
            # yield_on_timeout: the first (empty) yield tells that the OS watches are in place.
            first = True
            for changes in watchfiles.watch(
                *folders,
                watch_filter=_WatchFilter(self.rebuilder),
                step=self.step_ms,
                stop_event=stop,
                rust_timeout=200,
                yield_on_timeout=True,
                recursive=recursive,
                raise_interrupt=False,
            ):
                if first:
                    first = False
                    on_ready()
                if changes:
                    self._queue.put(changes)
        except Exception:
            logger.exception("watching %s stopped; restart digest serve", ", ".join(map(str, folders)))

    def _rebuild_loop(self) -> None:
        while not self._stop_event.is_set():
            changes = self._queue.get()
            # Merge everything already waiting: two bursts become one rebuild.
            while True:
                try:
                    changes |= self._queue.get_nowait()
                except queue.Empty:
                    break
            if self._stop_event.is_set():
                return
            if changes:
                self.apply_changes(changes)


class _WatchFilter(watchfiles.DefaultFilter):
    """Pass only the files the preview cares about; drop editor swap files and the output."""

    def __init__(self, rebuilder: Rebuilder) -> None:
        super().__init__()
        self.rebuilder = rebuilder

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        """Return True when a changed path should trigger a rebuild."""
        name = os.path.basename(path)
        if name.startswith((".", "#")) or name.endswith(_IGNORED_SUFFIXES) or name == "4913":
            return False  # editor and atomic-write temporaries; the final rename is what counts
        return super().__call__(change, path) and self.rebuilder.classify(Path(path)) is not None


class _AnyEvent:
    """Look like one threading.Event that is set when any of several is (for watchfiles)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        """Return True when any of the events is set."""
        return any(event.is_set() for event in self.events)
