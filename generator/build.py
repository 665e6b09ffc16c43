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
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator import content, curate, feeds, lock, pages, render, search, write
from generator.config import Config
from generator.errors import BuildError, ContentError
from generator.log import RunReport, plural
from generator.models import Article, Link, Page, Problem, Severity

logger = logging.getLogger(__name__)

FEED_LIMIT = 50


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
    ) -> None:
        self.config = config
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

    # --- phases ---------------------------------------------------------------------------

    def _load_all(self) -> None:
        tree = content.load_content(self.content_dir, self.config)
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
            clash = next((a for a in self._articles.values() if a.id == article.id), None)
            if clash is not None:
                self._problems[content.display_path(path)] = [
                    Problem(
                        content.display_path(path),
                        1,
                        f"duplicate id {article.id!r} (also in {clash.src_path})",
                        "give one of them a new id or delete it",
                    )
                ]
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

    def _feed(self, title: str, home: str, path: str, articles: Sequence[Article]) -> feeds.Feed:
        host = urlsplit(self.base_url).hostname or "localhost"
        entries = tuple(
            feeds.FeedEntry(
                id=f"tag:{host},{a.date.year}:{a.id}",
                title=a.title,
                url=self.base_url + a.url,
                published=self._moment(a),
                updated=self._moment(a),
                summary=a.summary,
                content_html=render.markdown_to_html(a.body),
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

    def _machine_files(self, articles: Sequence[Article], layout: Sequence[Page]) -> list[write.OutputFile]:
        """Return feeds, sitemap, robots.txt, .nojekyll and CNAME."""
        out = []
        main = self._feed(self.config.title, "", "feed.xml", articles)
        out.append(write.OutputFile("feed.xml", feeds.atom_feed(main).encode()))
        out.append(
            write.OutputFile("feed.json", feeds.json_feed(replace(main, feed_url=self.base_url + "feed.json")).encode())
        )
        for theme in self.config.themes:
            items = [a for a in articles if a.theme == theme.slug]
            if items:
                path = f"themes/{theme.slug}/feed.xml"
                feed = self._feed(f"{self.config.title}: {theme.label}", f"themes/{theme.slug}/", path, items)
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

    def _render(self, renderer: render.Renderer, layout: Sequence[Page]) -> list[write.OutputFile]:
        return [write.OutputFile(_page_path(p.url), renderer.render_page(p).encode()) for p in layout]

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
        # An ingest writing content/ meanwhile would leave this build with half its articles.
        with lock.content_lock(self.content_dir):
            self._load_all()
            lock.pause_for_test("loaded")
        problems = [p for ps in self._problems.values() for p in ps]
        report.extend(problems)
        articles = self._curated()
        layout = pages.layout_site(articles, self.config)
        dirs = render.template_dirs(self.config.paths.templates)
        # Search availability is known before rendering, so the search page says the truth.
        renderer = render.Renderer(self._site_info(search.search_note()), dirs)
        files = self._render(renderer, layout)  # a template error aborts here, before any write
        files += self._machine_files(articles, layout)
        files += [write.OutputFile(path, data) for path, data in render.static_files(dirs)]
        self._refuse_if_strict_failed(report)  # before staging: nothing to write
        staging = write.stage_site(files, self.output_dir)
        lock.pause_for_test("staged")
        self._renderer = renderer
        self._digests = {f.path: f.digest for f in files}
        try:
            indexed = self._index(staging, layout, report)
            lock.pause_for_test("indexed")
            self._refuse_if_strict_failed(report)  # again: indexing can warn
            write.swap_in(staging, self.output_dir)
        except BaseException:
            write.discard_staging(staging)
            self._renderer = None  # the next rebuild must be a full one
            raise
        self._pages = {p.url: p for p in layout}
        return BuildResult(
            len(articles),
            len(layout),
            len(files),
            len(files),
            _skipped(problems),
            time.perf_counter() - start,
            True,
            indexed,
        )

    def _refuse_if_strict_failed(self, report: RunReport) -> None:
        """Raise BuildError when --strict already makes this run fail: such a site is not published."""
        if not (report.strict and report.failed):
            return
        count = len(report.errors)
        kept = "the previous site is unchanged" if self.output_dir.exists() else "no site was written"
        raise BuildError([Problem("", 0, f"site not published: {plural(count, 'problem')} under --strict ({kept})")])

    def _index(self, root: Path, layout: Sequence[Page], report: RunReport) -> bool:
        """Index root with Pagefind; when that fails, warn and re-render the search page to say so."""
        result = search.index_site(root)
        if result.ok:
            return True
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
            renderer = render.Renderer(replace(renderer.site, search_note=result.note), renderer.dirs)
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
        problems = [p for ps in self._problems.values() for p in ps]
        report.extend([p for path in {content.display_path(c) for c in changed} for p in self._problems.get(path, [])])
        articles = self._curated()
        layout = pages.layout_site(articles, self.config)
        new_pages = {p.url: p for p in layout}
        # A page is re-rendered only when its value changed: a Page holds all its template reads.
        dirty = [p for p in layout if self._pages.get(p.url) != p]
        files = self._render(renderer, dirty) + self._machine_files(articles, layout)
        gone = [_page_path(url) for url in self._pages if url not in new_pages]
        written = write.write_changed(files, self.output_dir, self._digests, removed=gone)
        self._pages = new_pages
        if any(p.article is not None for p in dirty) or gone:
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
                    result = search.index_site(self.output_dir)
            except lock.BusyError as exc:
                logger.warning("search index not refreshed: %s", exc)
                continue
            if not result.ok:
                logger.warning("search index not refreshed: %s", result.detail)

    def wait(self) -> None:
        """Wait until a background search index refresh has finished."""
        thread = self._search_thread
        if thread is not None:
            thread.join()

    def _is_content(self, path: Path) -> bool:
        return path.suffix == ".md" and self.content_dir in path.parents


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
) -> BuildResult:
    """Build the site from content_dir into output_dir; raise BuildError if it cannot be written."""
    builder = SiteBuilder(config, content_dir=content_dir, output_dir=output_dir, base_url=base_url, now=now)
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
