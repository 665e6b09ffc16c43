"""Orchestrate content/ → site/: load, curate, lay out, render, then write (atomically).

Input: a Config, a content directory and an output directory. Output: the built site and
a `BuildResult`; problems go into the caller's RunReport. Nothing is written until every
page has rendered, and a full build swaps a staged copy in, so a failure (or, under
--strict, any problem) leaves the previous site as it was. Builds hold the site's lock, so
two runs never write one site at once. `SiteBuilder.rebuild` redoes only what changed
content affects.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator import __version__, content, curate, feeds, lock, pages, render, search, write
from generator.cache import BuildCache, Cache, Fingerprinter, NullCache, code_fingerprint, fingerprint, tree_fingerprint
from generator.collector import give_back_freed_memory, kept_from_collector
from generator.config import Config
from generator.errors import BuildError, ContentError
from generator.log import Lap, RunReport, plural
from generator.models import Article, Link, Page, Problem, Severity
from generator.workers import ForkMap

logger = logging.getLogger(__name__)

FEED_LIMIT = 50
#: From this many files, the replaced site is kept as a spare copy that the next build refreshes
#: in place: creating and removing a whole tree of directories costs seconds at 10,000 articles.
SPARE_FILES = 5000
#: Config fields that say where the site lives, not what it shows (left out of the cache key).
_PLACES = frozenset({"paths", "config_path"})


@dataclass(frozen=True)
class BuildResult:
    """What one build or rebuild did."""

    articles: int
    pages: int
    files: int  # files in the site
    written: int  # files written (all of them for a full build)
    skipped: int  # content files that could not be used
    seconds: float
    full: bool = True
    search: bool = False

    @property
    def summary(self) -> str:
        """Return the one-line summary, e.g. `287 articles → 412 pages in 1.42 s (3 files skipped)`."""
        articles = plural(self.articles, "article")
        pages = plural(self.pages, "page")
        text = f"{articles} → {pages} in {self.seconds:.2f} s"
        if not self.full:
            text += f" ({plural(self.written, 'file')} rewritten)"
        if self.skipped:
            text += f" ({plural(self.skipped, 'file')} skipped)"
        return text


def _source_order(article: Article) -> tuple[str, ...]:
    """Return the walk order of content files, so full and incremental builds agree on ties."""
    return Path(article.src_path).parts


def _skipped(problems: Iterable[Problem]) -> int:
    return len({p.path for p in problems if p.severity is Severity.ERROR})


class SiteBuilder:
    """Build a site once, then rebuild it cheaply as files change (used by `digest serve`)."""

    def __init__(
        self,
        config: Config,
        *,
        content_dir: Path,
        output_dir: Path,
        base_url: str | None = None,
        now: dt.datetime | None = None,
        cache_root: Path | None = None,
    ) -> None:
        self.config = config
        #: Project folder whose `.cache/digest/` keeps parsed content and rendered pages between
        #: builds; None builds without (the preview server keeps its own state in memory).
        self.cache_root = cache_root
        self.content_dir = content_dir.resolve()
        self.output_dir = output_dir.resolve()
        self.base_url = (base_url or config.base_url).rstrip("/") + "/"
        self.now = now
        self.zone = ZoneInfo(config.timezone)
        self._articles: dict[str, Article] = {}  # src_path → article as read
        self._problems: dict[str, list[Problem]] = {}  # src_path → problems of that file
        self._pages: dict[str, Page] = {}
        self._digests: dict[str, bytes] = {}  # site path → digest of the bytes on disk
        self._renderer: render.Renderer | None = None
        self._search_lock = threading.Lock()
        self._search_pending = False
        self._search_thread: threading.Thread | None = None
        #: Called once an edited article's own page is written, before the rest of a rebuild
        #: (the preview server tells open pages to reload then).
        self.on_edited_shown: Callable[[], None] | None = None

    # --- phases ---------------------------------------------------------------------------

    def _load_all(self, cache: Cache | None = None) -> None:
        tree = content.load_content(self.content_dir, self.config, cache)
        self._articles = {a.src_path: a for a in tree.articles}
        self._problems = {}
        for problem in tree.problems:
            self._problems.setdefault(problem.path, []).append(problem)

    def _reload(self, paths: Iterable[Path]) -> None:
        """Re-read changed content files, dropping deleted or now-broken ones."""
        for path in paths:
            rel = path.resolve().relative_to(self.content_dir).as_posix()
            self._articles.pop(rel, None)
            self._problems.pop(content.display_path(path), None)
            if not path.is_file():
                continue
            try:
                article, warnings = content.read_article(path, self.content_dir, self.config)
            except ContentError as exc:
                self._problems[content.display_path(path)] = list(exc.problems)
                continue
            if warnings:
                self._problems[content.display_path(path)] = warnings
            clash = content.duplicate_id(article, path, {a.id: a.src_path for a in self._articles.values()})
            if clash is not None:
                self._problems[content.display_path(path)] = [clash]
                continue
            self._articles[rel] = article

    def _site_info(self, note: str) -> render.SiteInfo:
        themes = tuple(Link(f"themes/{t.slug}/", t.label) for t in self.config.themes)
        return render.SiteInfo(
            self.config.title, self.config.description, self.config.language, self.base_url, themes, self.now, note
        )

    def _curated(self) -> tuple[Article, ...]:
        ordered = sorted(self._articles.values(), key=_source_order)
        return curate.apply_editorial(ordered, self.config)

    def _moment(self, article: Article) -> dt.datetime:
        """Return when an article was published: its own time, else its day's midnight locally."""
        if article.published is not None:
            return article.published if article.published.tzinfo else article.published.replace(tzinfo=self.zone)
        return dt.datetime.combine(article.date, dt.time(0), tzinfo=self.zone)

    def _feed(
        self,
        renderer: render.Renderer,
        title: str,
        home: str,
        path: str,
        articles: Sequence[Article],
        cache: Cache | None = None,
    ) -> feeds.Feed:
        host = urlsplit(self.base_url).hostname or "localhost"
        entries = tuple(
            feeds.FeedEntry(
                id=f"tag:{host},{a.date.year}:{a.id}",
                title=a.title,
                url=self.base_url + a.url,
                published=self._moment(a),
                updated=self._moment(a),
                summary=a.summary,
                content_html=_body_html(a.body, renderer, cache),
                language=a.language,
                tags=a.tags,
                source=a.source,
            )
            for a in articles[:FEED_LIMIT]
        )
        return feeds.Feed(
            self.base_url + path,
            title,
            self.config.description,
            self.base_url + home,
            self.base_url + path,
            self.config.language,
            entries,
        )

    def _machine_files(
        self,
        renderer: render.Renderer,
        articles: Sequence[Article],
        layout: Sequence[Page],
        cache: Cache | None = None,
    ) -> list[write.OutputFile]:
        """Return feeds, sitemap, robots.txt, .nojekyll and CNAME."""
        out = []
        main = self._feed(renderer, self.config.title, "", "feed.xml", articles, cache)
        out.append(write.OutputFile("feed.xml", feeds.atom_feed(main).encode()))
        out.append(
            write.OutputFile("feed.json", feeds.json_feed(replace(main, feed_url=self.base_url + "feed.json")).encode())
        )
        for theme in self.config.themes:
            items = [a for a in articles if a.theme == theme.slug]
            if items:
                path = f"themes/{theme.slug}/feed.xml"
                feed = self._feed(
                    renderer, f"{self.config.title}: {theme.label}", f"themes/{theme.slug}/", path, items, cache
                )
                out.append(write.OutputFile(path, feeds.atom_feed(feed).encode()))
        newest = articles[0].date if articles else None
        urls = []
        for page in layout:
            if page.kind in ("404", "search"):
                continue
            if page.article is not None:
                lastmod: dt.date | None = page.article.date
            elif page.kind == "day":
                lastmod = dt.date.fromisoformat(page.url[:10].replace("/", "-"))
            else:
                lastmod = max((a.date for a in page.articles), default=newest)
            urls.append((self.base_url + page.url, lastmod))
        out.append(write.OutputFile("sitemap.xml", feeds.sitemap(urls).encode()))
        out.append(write.OutputFile("robots.txt", feeds.robots_txt(self.base_url + "sitemap.xml").encode()))
        out.append(write.OutputFile(".nojekyll", b""))
        if self.config.domain:
            out.append(write.OutputFile("CNAME", f"{self.config.domain}\n".encode()))
        return out

    def _render(
        self, renderer: render.Renderer, layout: Sequence[Page], cache: Cache | None = None
    ) -> Iterator[write.OutputFile]:
        """Yield the pages rendered, as they come (cached ones first, then the rest in layout order).

        With a cache, a page whose value is unchanged is not rendered again. Nothing holds
        every page's bytes at once: they go on to staging one by one.
        """
        if cache is None:
            for page, data in zip(layout, stream_rendered(renderer, layout), strict=True):
                yield write.OutputFile(_page_path(page.url), data)
            return
        # A Page holds everything its template reads, and the cache's salt covers the
        # templates, config, site settings and code, so equal fingerprints mean equal bytes.
        key = Fingerprinter()
        missing: list[tuple[Page, str]] = []
        for page in layout:
            page_key = key(page)
            found = cache.get_page(page_key)
            if found is None:
                missing.append((page, page_key))
            else:
                yield write.OutputFile(_page_path(page.url), found)
        for (page, page_key), data in zip(missing, stream_rendered(renderer, [p for p, _ in missing]), strict=True):
            cache.put_page(page_key, data)
            yield write.OutputFile(_page_path(page.url), data)
        logger.debug("rendered %d of %d pages; the others were cached", len(missing), len(layout))

    def _open_cache(self, site: render.SiteInfo, dirs: Sequence[Path]) -> Cache:
        """Open the build cache, salted with everything besides a page's value that shapes its bytes."""
        if self.cache_root is None:
            return NullCache()
        # Where the site lives does not shape its pages, except through the names problems
        # give content files (relative to the working directory).
        config = {f.name: getattr(self.config, f.name) for f in fields(self.config) if f.name not in _PLACES}
        places = (str(Path.cwd()), str(self.content_dir))
        libraries = tuple(_version(name) for name in ("jinja2", "markdown", "nh3", "markupsafe"))
        salt = fingerprint((__version__, code_fingerprint(), libraries, config, tree_fingerprint(dirs), site, places))
        return BuildCache.open(self.cache_root, salt)

    # --- entry points ---------------------------------------------------------------------

    def build(self, report: RunReport) -> BuildResult:
        """Build the whole site into a staging directory and swap it in, unless the run failed --strict."""
        self.wait()  # a background index refresh must not write into the site being replaced
        with lock.site_lock(self.output_dir):
            # Only the lock holder may touch staging directories: another build's look the same.
            write.clean_leftovers(self.output_dir)
            lock.pause_for_test("locked")
            return self._build(report)

    def _build(self, report: RunReport) -> BuildResult:
        start = time.perf_counter()
        dirs = render.template_dirs(self.config.paths.templates)
        # Search availability is known before rendering, so the search page says the truth.
        site = self._site_info(search.search_note())
        cache = self._open_cache(site, dirs)
        try:
            with kept_from_collector() as settle:
                result = self._build_with(report, cache, site, dirs, start, settle)
            cache.commit()  # only after the site is in place: a failed build keeps the old entries
        finally:
            cache.close()
        return result

    def _build_with(
        self,
        report: RunReport,
        cache: Cache,
        site: render.SiteInfo,
        dirs: Sequence[Path],
        start: float,
        settle: Callable[[], None] = lambda: None,
    ) -> BuildResult:
        # Without a usable cache, keys (stats, hashes, page fingerprints) are not even computed.
        live = cache if cache.usable else None
        lap = Lap(logger)
        # An ingest writing content/ meanwhile would leave this build with half its articles.
        with lock.content_lock(self.content_dir):
            self._load_all(live)
            lock.pause_for_test("loaded")
        settle()  # the articles live to the end: the collector need not walk them again
        problems = [p for ps in self._problems.values() for p in ps]
        report.extend(problems)
        articles = self._curated()
        layout = pages.layout_site(articles, self.config)
        settle()  # nor the pages
        lap("load, curate, lay out")
        self._refuse_if_strict_failed(report)  # before rendering and staging: nothing to write
        renderer = render.Renderer(site, dirs)
        files = itertools.chain(
            self._render(renderer, layout, live),
            self._machine_files(renderer, articles, layout, live),
            (write.OutputFile(path, data) for path, data in render.static_files(dirs)),
        )
        self._renderer = renderer  # _index re-renders the search page with it if indexing fails
        # Pages are staged as they are rendered; a template error discards the staging.
        indexed = self._publish(files, layout, report, live, lap)
        self._pages = {p.url: p for p in layout}
        return BuildResult(
            len(articles),
            len(layout),
            len(self._digests),
            len(self._digests),
            _skipped(problems),
            time.perf_counter() - start,
            True,
            indexed,
        )

    def _publish(
        self,
        files: Iterable[write.OutputFile],
        layout: Sequence[Page],
        report: RunReport,
        cache: Cache | None,
        lap: Lap,
    ) -> bool:
        """Stage the files, index them for search and swap them in; return whether search was indexed."""
        spare = len(layout) >= SPARE_FILES
        digests: dict[str, bytes] = {}
        try:
            staging = write.stage_site(_recording(files, digests), self.output_dir, spare=spare)
        except BaseException:
            self._renderer = None  # a template failed part-way: the next rebuild must be a full one
            raise
        lock.pause_for_test("staged")
        lap("render and stage")
        self._digests = digests
        give_back_freed_memory()  # rendering's garbage, before Pagefind needs memory of its own
        try:
            indexed = self._index(staging, layout, report, cache)
            lock.pause_for_test("indexed")
            lap("search index")
            self._refuse_if_strict_failed(report)  # again: indexing can warn
            write.swap_in(staging, self.output_dir, spare=spare)
            if spare:
                write.make_spare(self.output_dir)  # after a first build, so that the next one is cheap too
            lap("swap")
        except BaseException:
            write.discard_staging(staging)
            self._renderer = None  # the next rebuild must be a full one
            raise
        return indexed

    def _refuse_if_strict_failed(self, report: RunReport) -> None:
        """Raise BuildError when --strict already makes this run fail: such a site is not published."""
        if not (report.strict and report.failed):
            return
        count = len(report.errors)
        kept = "the previous site is unchanged" if self.output_dir.exists() else "no site was written"
        raise BuildError([Problem("", 0, f"site not published: {plural(count, 'problem')} under --strict ({kept})")])

    def _index(self, root: Path, layout: Sequence[Page], report: RunReport, cache: Cache | None = None) -> bool:
        """Index root with Pagefind; when that fails, warn and re-render the search page to say so."""
        # Bundles whose pages did not change come from the cache or the site being replaced.
        result = search.index_site(root, self._digests, cache=cache, previous=self.output_dir)
        if result.ok:
            return True
        if result.note != search.EMPTY_NOTE:
            report.add(
                Problem(
                    "",
                    0,
                    f"search index not built: {result.detail}",
                    "pip install 'pagefind[extended]'; the site works without search",
                    Severity.WARNING,
                )
            )
        renderer = self._renderer
        if renderer is not None and renderer.site.search_note != result.note:
            renderer = renderer.for_site(replace(renderer.site, search_note=result.note))
            self._renderer = renderer
            page = next(p for p in layout if p.kind == "search")
            fixed = write.OutputFile(_page_path(page.url), renderer.render_page(page).encode())
            write.write_changed([fixed], root, self._digests)
        return False

    def rebuild(self, changed: Iterable[Path], report: RunReport) -> BuildResult:
        """Rebuild after files changed: only affected pages for content edits, else a full build."""
        changed = [Path(p).resolve() for p in changed]
        renderer = self._renderer
        if renderer is None or not self.output_dir.is_dir() or any(not self._is_content(p) for p in changed):
            return self.build(report)
        # The preview writes into the published site: no other run may replace it meanwhile.
        with lock.site_lock(self.output_dir):
            return self._rebuild(changed, renderer, report)

    def _rebuild(self, changed: list[Path], renderer: render.Renderer, report: RunReport) -> BuildResult:
        start = time.perf_counter()
        self._reload(changed)
        shown = self._show_edited_first(changed, renderer)
        problems = [p for ps in self._problems.values() for p in ps]
        report.extend([p for path in {content.display_path(c) for c in changed} for p in self._problems.get(path, [])])
        articles = self._curated()
        layout = pages.layout_site(articles, self.config)
        new_pages = {p.url: p for p in layout}
        # A page is re-rendered only when its value changed: a Page holds all its template reads.
        dirty = [p for p in layout if self._pages.get(p.url) != p]
        files = [*self._render(renderer, dirty), *self._machine_files(renderer, articles, layout)]
        gone = [_page_path(url) for url in self._pages if url not in new_pages]
        written = write.write_changed(files, self.output_dir, self._digests, removed=gone)
        written += [path for path in shown if path not in written]
        self._pages = new_pages
        if any(p.article is not None for p in dirty) or gone:
            # The edited pages are served at once; the search page says the index is catching up.
            search.mark_pending(self.output_dir)
            self._reindex_soon()
        return BuildResult(
            len(articles),
            len(layout),
            len(self._digests),
            len(written),
            _skipped(problems),
            time.perf_counter() - start,
            False,
            False,
        )

    def _show_edited_first(self, changed: Sequence[Path], renderer: render.Renderer) -> list[str]:
        """Write the edited articles' own pages at once; return their paths.

        Laying out a big site takes seconds; the page being edited is the one the author
        looks at, so it is shown first, with its links as they were. The full rebuild that
        follows writes everything else, and this page again only if its links changed.
        """
        edited = [page for page in map(self._edited_page, changed) if page is not None]
        files = [write.OutputFile(_page_path(page.url), renderer.render_page(page).encode()) for page in edited]
        written = write.write_changed(files, self.output_dir, self._digests)
        if written and self.on_edited_shown is not None:
            self.on_edited_shown()
        return written

    def _edited_page(self, path: Path) -> Page | None:
        """Return the new page of an edited article that stays where it was, or None."""
        article = self._articles.get(path.relative_to(self.content_dir).as_posix())
        old = self._pages.get(article.url) if article is not None else None
        if article is None or old is None:
            return None
        curated = curate.apply_editorial([article], self.config)
        page = pages.refresh_article_page(old, curated[0]) if curated else None
        return page if page != old else None

    def _reindex_soon(self) -> None:
        """Refresh the search index in a background thread, at most one run at a time."""
        # Pagefind needs seconds on a big site; the edited pages are served before it ends.
        with self._search_lock:
            self._search_pending = True
            if self._search_thread is not None and self._search_thread.is_alive():
                return
            self._search_thread = threading.Thread(target=self._reindex_loop, name="digest-search", daemon=True)
            self._search_thread.start()

    def _reindex_loop(self) -> None:
        while True:
            with self._search_lock:
                if not self._search_pending:
                    return
                self._search_pending = False
            try:
                with lock.site_lock(self.output_dir):
                    # Only the bundles of shards with changed pages are indexed again.
                    result = search.index_site(self.output_dir, dict(self._digests))
            except lock.BusyError as exc:
                logger.warning("search index not refreshed: %s", exc)
                continue
            if not result.ok:
                logger.warning("search index not refreshed: %s", result.detail)
                search.mark_pending(self.output_dir, False)  # not catching up: it failed, and the log says so

    def wait(self, timeout: float | None = None) -> None:
        """Wait until a background search index refresh has finished (or `timeout` seconds pass)."""
        thread = self._search_thread
        if thread is not None:
            thread.join(timeout)

    def _is_content(self, path: Path) -> bool:
        return path.suffix == ".md" and self.content_dir in path.parents


def _version(distribution: str) -> str:
    """Return an installed library's version ("" if unknown): a new Markdown may render differently."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _body_html(body: str, renderer: render.Renderer, cache: Cache | None) -> str:
    """Return an article body as HTML for a feed, from the cache when this body was rendered before."""
    if cache is None:
        return renderer.body_html(body)
    key = "body:" + hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    data = cache.get_page(key)
    if data is None:
        data = renderer.body_html(body).encode()
        cache.put_page(key, data)
    return data.decode()


#: Below this many pages to render, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 300
#: The fewest pages a render worker is given at once (fewer cost more in round trips).
RENDER_RUN_MIN = 50


def stream_rendered(renderer: render.Renderer, layout: Sequence[Page]) -> Iterator[bytes]:
    """Return the pages rendered, in order, on every core when there are enough of them; same bytes either way.

    Workers are forked (`workers.ForkMap`), so they inherit the renderer and the pages
    instead of receiving them pickled, and send back the bytes of short runs of pages (one
    worker's whole share pickled at once held twice its bytes). Forking is skipped in a
    process running other threads (the preview server), where it is not safe.
    """
    render_one = functools.partial(_render_bytes, renderer)
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    if workers < 2 or len(layout) < PARALLEL_MIN_PAGES or not forkable:
        return map(render_one, layout)
    return ForkMap(workers, RENDER_RUN_MIN)(render_one, layout)


def _render_bytes(renderer: render.Renderer, page: Page) -> bytes:
    return renderer.render_page(page).encode()


def _recording(files: Iterable[write.OutputFile], digests: dict[str, bytes]) -> Iterator[write.OutputFile]:
    """Yield the files, noting each one's digest (what the preview's rebuilds compare against)."""
    for item in files:
        digests[item.path] = item.digest
        yield item


def _page_path(url: str) -> str:
    """Return the file a page URL is served from (`x/` → `x/index.html`)."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def build_site(
    config: Config,
    *,
    content_dir: Path,
    output_dir: Path,
    base_url: str | None = None,
    now: dt.datetime | None = None,
    report: RunReport,
    cache_root: Path | None = None,
) -> BuildResult:
    """Build the site from content_dir into output_dir; raise BuildError if it cannot be written.

    With cache_root, `cache_root/.cache/digest/` keeps what the next build can reuse.
    """
    builder = SiteBuilder(
        config, content_dir=content_dir, output_dir=output_dir, base_url=base_url, now=now, cache_root=cache_root
    )
    try:
        return builder.build(report)
    except OSError as exc:
        raise BuildError(
            [
                Problem(
                    str(exc.filename or output_dir),
                    0,
                    f"cannot write the site: {exc.strerror}",
                    "check the output directory's permissions and free space",
                )
            ]
        ) from exc
