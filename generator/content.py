"""Read and write the `content/` tree: `content/YYYY/MM/DD/<theme>/<slug>.md`.

Input: a content directory (or Articles to store). Output: validated `Article`s plus the
problems of files that could not be used; or files written under the content directory.
A bad file is reported as `path:line: problem (hint)` and skipped; the rest still load.
Writing never overwrites an existing file and never leaves the content directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from slugify import slugify

from generator import frontmatter
from generator.config import Config
from generator.errors import ContentError
from generator.files import write_atomic
from generator.models import Article, Problem, Reporter, Severity, canonical_url, normalize_title, url_host

logger = logging.getLogger(__name__)

MAX_SLUG = 80
#: What make_slug returns: lowercase ASCII words joined by single hyphens.
_SLUG_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: A file name that cannot leave its folder (no separator, not a dot name).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
#: Front-matter keys this version understands, in the order files are written.
KNOWN_KEYS = (
    "id",
    "title",
    "date",
    "published",
    "theme",
    "theme_reason",
    "tags",
    "language",
    "source",
    "source_url",
    "summary",
    "sections",
    "also_reported_by",
    "origin",
    "date_source",
    "featured",
    "draft",
)
REQUIRED_KEYS = ("title", "date")
#: The years a content file's date may have.
MIN_YEAR, MAX_YEAR = 1000, 9000


@dataclass(frozen=True)
class ContentTree:
    """Every usable article of a content directory, and what was wrong with the rest."""

    articles: tuple[Article, ...]
    problems: tuple[Problem, ...]
    files: int


def make_id(source_url: str, source: str, date: dt.date | None, title: str) -> str:
    """Return a stable 12-hex id: from the canonical URL, else from source + date + title."""
    if source_url:
        key = canonical_url(source_url)
    else:
        key = f"{source}|{date.isoformat() if date else ''}|{normalize_title(title)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def make_slug(title: str, fallback: str) -> str:
    """Return an ASCII slug of at most 80 characters (Cyrillic transliterated)."""
    if len(title) <= MAX_SLUG and _SLUG_SHAPE.fullmatch(title):
        return title  # a slug already (one chosen earlier): slugify would return it unchanged
    slug = slugify(title, max_length=MAX_SLUG, word_boundary=True, save_order=True)
    return slug or fallback


def _as_str_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    return None


def _is_url(text: str) -> bool:
    return re.match(r"^https?://", text, re.IGNORECASE) is not None


def _reporter(entry: Any) -> Reporter | None:
    """Return one `also_reported_by` entry as a Reporter, or None when it is not one.

    The entry is `{source: Name, url: https://...}` (url optional); an older file's plain
    string is read too: a URL names its outlet by its host, anything else is a name.
    """
    if isinstance(entry, str):
        text = entry.strip()
        if _is_url(text):
            return Reporter(url_host(text) or text, text)
        return Reporter(text) if text else None
    if isinstance(entry, dict) and set(entry) <= {"source", "url"}:
        source, url = entry.get("source"), entry.get("url")
        if not isinstance(source, (str, type(None))) or not isinstance(url, (str, type(None))):
            return None
        url = (url or "").strip()
        source = (source or "").strip() or url_host(url)
        if url and not _is_url(url):
            return None
        return Reporter(source, url) if source else None
    return None


def _reporters(value: Any) -> tuple[Reporter, ...] | None:
    """Return an `also_reported_by` value as Reporters (each once), or None when it is not a list of them."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: dict[tuple[str, str], Reporter] = {}
    for item in items:
        reporter = _reporter(item)
        if reporter is None:
            return None
        out.setdefault(reporter.key, reporter)
    return tuple(out.values())


def article_from_meta(
    meta: dict[str, Any], body: str, src_path: str, config: Config, key_lines: dict[str, int] | None = None
) -> tuple[Article, list[Problem]]:
    """Validate one file's metadata into an Article; raise ContentError when it is unusable."""
    key_lines = key_lines or {}

    def err(key: str, message: str, hint: str = "") -> ContentError:
        return ContentError([Problem(src_path, key_lines.get(key, 1), message, hint)])

    warnings: list[Problem] = []
    for key in REQUIRED_KEYS:
        if meta.get(key) in (None, ""):
            raise err(key, f"missing {key}", f"add a '{key}:' line to the front matter")
    title = meta["title"]
    if not isinstance(title, str):
        title = str(title)
    date = meta["date"]
    if isinstance(date, dt.datetime):
        date = date.date()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise err("date", f"impossible date {meta['date']!r}", "use YYYY-MM-DD") from None
    if not isinstance(date, dt.date):
        raise err("date", f"date is not a date: {meta['date']!r}", "use YYYY-MM-DD")
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        # Years 1 and 9999 are placeholders, not dates, and the calendar and feed arithmetic
        # around them (a day before, a time zone away) would overflow.
        raise err("date", f"date {date.isoformat()} is out of range", f"use a year from {MIN_YEAR} to {MAX_YEAR}")
    theme = meta.get("theme") or config.fallback_theme
    if not isinstance(theme, str) or theme not in config.theme_slugs:
        raise err("theme", f"theme {theme!r} is not in the config", f"use one of: {', '.join(config.theme_slugs)}")
    published = meta.get("published")
    if isinstance(published, str):
        try:
            published = dt.datetime.fromisoformat(published)
        except ValueError:
            raise err(
                "published", f"invalid published time {published!r}", "use ISO 8601, e.g. 2026-02-04T10:30:00+05:00"
            ) from None
    elif not isinstance(published, dt.datetime):
        published = None
    tuples: dict[str, tuple[str, ...]] = {}
    for key in ("tags", "sections"):
        value = _as_str_tuple(meta.get(key))
        if value is None:
            raise err(key, f"{key} must be a list of text", f"e.g. {key}: [one, two]")
        tuples[key] = value
    reporters = _reporters(meta.get("also_reported_by"))
    if reporters is None:
        raise err(
            "also_reported_by",
            "also_reported_by must be a list of outlets",
            "e.g. also_reported_by: [{source: Silk Road Times, url: https://...}]",
        )
    flags: dict[str, bool] = {}
    for key in ("featured", "draft"):
        value = meta.get(key, False)
        if not isinstance(value, bool):
            raise err(key, f"{key} must be true or false, got {value!r}")
        flags[key] = value
    source_url = str(meta.get("source_url") or "")
    if source_url and not re.match(r"^https?://", source_url, re.IGNORECASE):
        warnings.append(
            Problem(
                src_path,
                key_lines.get("source_url", 1),
                f"source_url is not http(s): {source_url!r}",
                "it is not linked",
                Severity.WARNING,
            )
        )
        source_url = ""
    slug = Path(src_path).stem
    article_id = str(meta.get("id") or make_id(source_url, str(meta.get("source") or ""), date, title))
    extra = tuple((k, v) for k, v in meta.items() if k not in KNOWN_KEYS)
    article = Article(
        id=article_id,
        title=" ".join(title.split()),
        date=date,
        theme=theme,
        body=body.strip("\n"),
        tags=tuples["tags"],
        language=str(meta.get("language") or config.language),
        source=str(meta.get("source") or ""),
        source_url=source_url,
        summary=str(meta.get("summary") or ""),
        also_reported_by=reporters,
        origin=str(meta.get("origin") or ""),
        featured=flags["featured"],
        draft=flags["draft"],
        published=published,
        sections=tuples["sections"],
        date_source=str(meta.get("date_source") or ""),
        theme_reason=str(meta.get("theme_reason") or ""),
        slug=slug,
        src_path=src_path,
        extra=extra,
    )
    return article, warnings


def meta_from_article(article: Article) -> dict[str, Any]:
    """Return the front-matter mapping for an article, known keys first, extras after."""
    meta: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "date": article.date,
    }
    if article.published:
        meta["published"] = article.published.isoformat()
    meta["theme"] = article.theme
    if article.theme_reason:
        meta["theme_reason"] = article.theme_reason
    meta["tags"] = list(article.tags)
    meta["language"] = article.language
    meta["source"] = article.source
    meta["source_url"] = article.source_url
    meta["summary"] = article.summary
    if article.sections:
        meta["sections"] = list(article.sections)
    meta["also_reported_by"] = [
        {"source": r.source, "url": r.url} if r.url else {"source": r.source} for r in article.also_reported_by
    ]
    meta["origin"] = article.origin
    if article.date_source:
        meta["date_source"] = article.date_source
    meta["featured"] = article.featured
    meta["draft"] = article.draft
    for key, value in article.extra:
        meta[key] = value
    return meta


def render_article(article: Article) -> str:
    """Return the content-file text of an article (its src_path, slug and score are not in it)."""
    return frontmatter.join(meta_from_article(article), article.body)


def read_article(path: Path, content_dir: Path, config: Config) -> tuple[Article, list[Problem]]:
    """Read one content file; raise ContentError naming its line when it is unusable."""
    rel = path.relative_to(content_dir).as_posix()
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(shown, 0, f"cannot read: {exc.strerror}")]) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError([Problem(shown, line, "not valid UTF-8", "save the file as UTF-8")]) from exc
    meta, body, _, key_lines = frontmatter.split(text, shown)
    article, warnings = article_from_meta(meta, body, shown, config, key_lines)
    return replace(article, src_path=rel), warnings


def display_path(path: Path) -> str:
    """Return a path as the user would type it: relative to the working directory if inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def iter_content_files(content_dir: Path) -> list[Path]:
    """Return every Markdown file under the content directory, sorted, symlinks excluded."""
    if not content_dir.is_dir():
        return []
    out = []
    for root, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(root) / d).is_symlink())
        for name in sorted(files):
            path = Path(root) / name
            if name.endswith(".md") and not name.startswith(".") and not path.is_symlink():
                out.append(path)
    return out


def load_content(content_dir: Path, config: Config) -> ContentTree:
    """Read every content file; return the usable articles and the problems of the others."""
    articles: list[Article] = []
    problems: list[Problem] = []
    files = iter_content_files(content_dir)
    seen: dict[str, str] = {}
    for path in files:
        try:
            article, warnings = read_article(path, content_dir, config)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(warnings)
        if article.id in seen:
            problems.append(
                Problem(
                    display_path(path),
                    1,
                    f"duplicate id {article.id!r} (also in {seen[article.id]})",
                    "give one of them a new id or delete it",
                )
            )
            continue
        seen[article.id] = article.src_path
        articles.append(article)
    return ContentTree(tuple(articles), tuple(problems), len(files))


def expected_folder(article: Article) -> str:
    """Return the folder an article belongs in, relative to the content directory."""
    return f"{article.date:%Y/%m/%d}/{article.theme}"


def misplaced(tree: ContentTree) -> list[tuple[Article, str]]:
    """Return the articles whose folder disagrees with their date or theme, with the right folder."""
    out = []
    for article in tree.articles:
        folder = expected_folder(article)
        if Path(article.src_path).parent.as_posix() != folder:
            out.append((article, folder))
    return out


def safe_join(content_dir: Path, rel: str) -> Path:
    """Return content_dir / rel, refusing any path that would leave content_dir."""
    root = content_dir.resolve()
    target = (root / rel).resolve()
    if target != root and root not in target.parents:
        raise ContentError([Problem(rel, 0, "path escapes the content directory")])
    return target


def allocate_path(article: Article, content_dir: Path, taken: set[str]) -> str:
    """Return a free `YYYY/MM/DD/theme/slug.md` for an article, suffixing the slug when needed."""
    folder = expected_folder(article)
    return _allocate(article, folder, taken, lambda name: (content_dir / folder / name).exists())


def _allocate(article: Article, folder: str, taken: set[str], exists: Callable[[str], bool]) -> str:
    """Return a free path in folder for an article; `exists` says whether a file name is in use."""
    base = make_slug(article.slug or article.title, article.id)
    candidate = base
    n = 2
    while f"{folder}/{candidate}.md" in taken or exists(f"{candidate}.md"):
        suffix = f"-{n}"
        candidate = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        n += 1
    rel = f"{folder}/{candidate}.md"
    taken.add(rel)
    return rel


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text with LF endings through a temporary file and os.replace."""
    write_atomic(path, text)


def remove_stale_temp_files(content_dir: Path) -> list[Path]:
    """Delete the `.NAME.tmp` files a killed run left under content_dir; return them.

    Call it only while holding `lock.content_lock(content_dir)`: a running ingest's temp
    files look the same. Readers skip them anyway (`iter_content_files` takes `*.md`).
    """
    removed = []
    for root, dirs, files in os.walk(content_dir):
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                path = Path(root) / name
                path.unlink(missing_ok=True)
                removed.append(path)
    if removed:
        logger.info("removed %d temporary file(s) left by an interrupted run", len(removed))
    return sorted(removed)


class _Folders:
    """The folders one write run puts files in: each checked and listed once.

    Per file, a Path.resolve (to refuse escapes) and a stat per candidate slug cost more
    than writing it on a large ingest; per folder they are paid once. The folder is still
    resolved, so a symlinked folder leading out of the content directory is refused. A
    missing folder is created when its first file is written (`_write_jobs`).
    """

    def __init__(self, content_dir: Path) -> None:
        self.root = content_dir.resolve()
        self._folders: dict[str, tuple[str, set[str]]] = {}

    def get(self, folder: str) -> tuple[str, set[str]]:
        """Return a folder's resolved path (created if missing) and the names in it."""
        known = self._folders.get(folder)
        if known is None:
            path = (self.root / folder).resolve()
            if self.root not in path.parents:
                raise ContentError([Problem(folder, 0, "path escapes the content directory")])
            try:
                names = set(os.listdir(path))
            except FileNotFoundError:
                names = set()  # created when its first file is written
            known = self._folders[folder] = (str(path), names)
        return known


#: Fewer files than this are written here: worker round trips would cost more.
PARALLEL_MIN_ARTICLES = 500
#: Files per worker task: few round trips, yet enough tasks to share out evenly.
_WRITE_BATCH = 250

#: One file to write: its path, and its text or (if not rendered yet) its article.
_Job = tuple[str, str | Article]


def _write_jobs(jobs: Sequence[_Job]) -> int:
    """Write each job's file (rendering it first if needed); return how many were written."""
    made: set[str] = set()
    for path, what in jobs:
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)  # another worker may be creating it too
            made.add(folder)
        write_atomic(path, what if isinstance(what, str) else render_article(what))
    return len(jobs)


def _write_all(jobs: Sequence[_Job], executor: Executor | None) -> None:
    """Write every job's file; in worker processes if given an executor and many files."""
    done = 0
    if executor is not None and len(jobs) >= PARALLEL_MIN_ARTICLES:
        # Creating a file is mostly the kernel's work and rendering is pure Python: both
        # go as fast again in two processes. Articles come in date order, so two batches
        # seldom add to the same folder.
        batches = [jobs[i : i + _WRITE_BATCH] for i in range(0, len(jobs), _WRITE_BATCH)]
        try:
            for written in executor.map(_write_jobs, batches):
                done += written
        except (OSError, NotImplementedError, BrokenProcessPool) as exc:
            # Batches finish in order, so those counted are written; a file of a later
            # batch may be too, and is then simply written again (same text).
            logger.debug("writing in this process from #%d: worker processes failed: %s", done + 1, exc)
    _write_jobs(jobs[done:])


def write_articles(
    articles: Sequence[Article],
    content_dir: Path,
    *,
    texts: Sequence[str | None] | None = None,
    executor: Executor | None = None,
) -> list[str]:
    """Write new articles under content_dir (never overwriting); return their `src_path`s.

    `texts[i]`, where given, is `render_article` of the i-th article, rendered earlier (it
    does not depend on `src_path` or `slug`, which are chosen here). With an executor (a
    process pool), a large run renders and writes in its workers.
    """
    taken: set[str] = set()
    rels: list[str] = []
    jobs: list[_Job] = []
    folders = _Folders(content_dir)
    given = texts if texts is not None else [None] * len(articles)
    # Every path is chosen first, in order (a taken slug moves the next one to `-2`).
    for article, text in zip(articles, given, strict=True):
        folder = expected_folder(article)
        folder_path, names = folders.get(folder)
        rel = _allocate(article, folder, taken, names.__contains__)
        name = rel.rpartition("/")[2]
        # A slug is a plain file name (slugify's ASCII, or a hex id); anything else is
        # checked the slow way.
        path = os.path.join(folder_path, name) if _PLAIN_NAME.fullmatch(name) else str(safe_join(content_dir, rel))
        jobs.append((path, text if text is not None else article))
        rels.append(rel)
    _write_all(jobs, executor)
    return rels


def update_article(article: Article, content_dir: Path) -> None:
    """Rewrite an existing article's file in place (used to add also_reported_by)."""
    path = safe_join(content_dir, article.src_path)
    write_text_atomic(path, render_article(article))


def move_article(article: Article, content_dir: Path) -> Article:
    """Move an article's file to the folder its date and theme call for; return it updated."""
    old = safe_join(content_dir, article.src_path)
    rel = allocate_path(replace(article, slug=Path(article.src_path).stem), content_dir, set())
    new = safe_join(content_dir, rel)
    new.parent.mkdir(parents=True, exist_ok=True)
    os.replace(old, new)
    for parent in old.parents:
        if parent == content_dir.resolve() or any(parent.iterdir()):
            break
        parent.rmdir()
    return replace(article, src_path=rel, slug=new.stem)
