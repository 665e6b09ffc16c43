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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Protocol

from slugify import slugify

from generator import frontmatter
from generator.config import Config
from generator.errors import ContentError
from generator.files import write_atomic
from generator.models import (
    Article,
    FrontMatterKey,
    Mapper,
    Problem,
    Reporter,
    Severity,
    Stored,
    canonical_url,
    normalize_title,
    url_host,
)

logger = logging.getLogger(__name__)

MAX_SLUG = 80
#: What make_slug returns: lowercase ASCII words joined by single hyphens.
_SLUG_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: A file name that cannot leave its folder (no separator, not a dot name).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _front_matter_keys() -> tuple[tuple[str, FrontMatterKey], ...]:
    """Return (key, how it is stored) for every front-matter field of Article, in write order."""
    return tuple((f.name, f.metadata["front_matter"]) for f in fields(Article) if "front_matter" in f.metadata)


#: Article's front-matter keys and how each is stored, in the order files are written.
FRONT_MATTER = _front_matter_keys()
#: Front-matter keys this version understands, in the order files are written.
KNOWN_KEYS = tuple(key for key, _ in FRONT_MATTER)
REQUIRED_KEYS = tuple(key for key, spec in FRONT_MATTER if spec.required)
_KNOWN = frozenset(KNOWN_KEYS)
_KEY_PREFIXES = frontmatter.key_prefixes(KNOWN_KEYS)
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


def _reporter_from_mapping(entry: dict[Any, Any]) -> Reporter | None:
    """Return a `{source: Name, url: https://...}` entry (url optional) as a Reporter, or None."""
    source, url = entry.get("source"), entry.get("url")
    if not isinstance(source, (str, type(None))) or not isinstance(url, (str, type(None))):
        return None
    url = (url or "").strip()
    source = (source or "").strip() or url_host(url)
    if url and not _is_url(url):
        return None
    return Reporter(source, url) if source else None


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
        return _reporter_from_mapping(entry)
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


class _Reader:
    """One file's front matter being read: its mapping, its key lines, the config, its warnings."""

    def __init__(self, meta: dict[str, Any], src_path: str, key_lines: dict[str, int], config: Config) -> None:
        self.meta = meta
        self.src_path = src_path
        self.key_lines = key_lines
        self.config = config
        self.warnings: list[Problem] = []

    def error(self, key: str, message: str, hint: str = "") -> ContentError:
        """Return the error that makes the file unusable, at the line of `key`."""
        return ContentError([Problem(self.src_path, self.key_lines.get(key, 1), message, hint)])

    def warn(self, key: str, message: str, hint: str) -> None:
        """Record a warning at the line of `key`."""
        self.warnings.append(Problem(self.src_path, self.key_lines.get(key, 1), message, hint, Severity.WARNING))


def _read_text(r: _Reader, key: str) -> str:
    return str(r.meta.get(key) or "")


def _read_title(r: _Reader, key: str) -> str:
    title = r.meta[key]
    return " ".join((title if isinstance(title, str) else str(title)).split())


def _read_date(r: _Reader, key: str) -> dt.date:
    """Return the date, accepting a quoted YYYY-MM-DD and a date with a time."""
    given = date = r.meta[key]
    if isinstance(date, dt.datetime):
        date = date.date()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            raise r.error(key, f"impossible date {given!r}", "use YYYY-MM-DD") from None
    if not isinstance(date, dt.date):
        raise r.error(key, f"date is not a date: {given!r}", "use YYYY-MM-DD")
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        # Years 1 and 9999 are placeholders, not dates, and the calendar and feed arithmetic
        # around them (a day before, a time zone away) would overflow.
        raise r.error(key, f"date {date.isoformat()} is out of range", f"use a year from {MIN_YEAR} to {MAX_YEAR}")
    return date


def _read_time(r: _Reader, key: str) -> dt.datetime | None:
    value = r.meta.get(key)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise r.error(
                key, f"invalid published time {value!r}", "use ISO 8601, e.g. 2026-02-04T10:30:00+05:00"
            ) from None
    return value if isinstance(value, dt.datetime) else None


def _read_theme(r: _Reader, key: str) -> str:
    theme = r.meta.get(key) or r.config.fallback_theme
    if not isinstance(theme, str) or theme not in r.config.theme_slugs:
        slugs = r.config.theme_slugs
        raise r.error(key, f"theme {theme!r} is not in the config", f"use one of: {', '.join(slugs)}")
    return theme


def _read_language(r: _Reader, key: str) -> str:
    return str(r.meta.get(key) or r.config.language)


def _read_url(r: _Reader, key: str) -> str:
    url = str(r.meta.get(key) or "")
    if url and not _is_url(url):
        r.warn(key, f"{key} is not http(s): {url!r}", "it is not linked")
        return ""
    return url


def _read_texts(r: _Reader, key: str) -> tuple[str, ...]:
    value = _as_str_tuple(r.meta.get(key))
    if value is None:
        raise r.error(key, f"{key} must be a list of text", f"e.g. {key}: [one, two]")
    return value


def _read_outlets(r: _Reader, key: str) -> tuple[Reporter, ...]:
    reporters = _reporters(r.meta.get(key))
    if reporters is None:
        raise r.error(
            key, f"{key} must be a list of outlets", f"e.g. {key}: [{{source: Silk Road Times, url: https://...}}]"
        )
    return reporters


def _read_flag(r: _Reader, key: str) -> bool:
    value = r.meta.get(key, False)
    if not isinstance(value, bool):
        raise r.error(key, f"{key} must be true or false, got {value!r}")
    return value


def _as_is(value: Any) -> Any:
    return value


def _write_outlets(reporters: tuple[Reporter, ...]) -> list[dict[str, str]]:
    return [{"source": r.source, "url": r.url} if r.url else {"source": r.source} for r in reporters]


#: How each kind of front-matter value is read from a file and written to one.
_CODECS: dict[Stored, tuple[Callable[[_Reader, str], Any], Callable[[Any], Any]]] = {
    Stored.ID: (_read_text, _as_is),
    Stored.TITLE: (_read_title, _as_is),
    Stored.DATE: (_read_date, _as_is),
    Stored.TIME: (_read_time, dt.datetime.isoformat),
    Stored.THEME: (_read_theme, _as_is),
    Stored.LANGUAGE: (_read_language, _as_is),
    Stored.TEXT: (_read_text, _as_is),
    Stored.URL: (_read_url, _as_is),
    Stored.TEXTS: (_read_texts, list),
    Stored.OUTLETS: (_read_outlets, _write_outlets),
    Stored.FLAG: (_read_flag, _as_is),
}
_READERS = tuple((key, _CODECS[spec.kind][0]) for key, spec in FRONT_MATTER)
_WRITERS = tuple((key, spec.omit_empty, _CODECS[spec.kind][1]) for key, spec in FRONT_MATTER)


def article_from_meta(
    meta: dict[str, Any], body: str, src_path: str, config: Config, key_lines: dict[str, int] | None = None
) -> tuple[Article, list[Problem]]:
    """Validate one file's metadata into an Article; raise ContentError when it is unusable."""
    r = _Reader(meta, src_path, key_lines or {}, config)
    for key in REQUIRED_KEYS:
        if meta.get(key) in (None, ""):
            raise r.error(key, f"missing {key}", f"add a '{key}:' line to the front matter")
    values = {key: read(r, key) for key, read in _READERS}
    if not values["id"]:
        values["id"] = make_id(values["source_url"], values["source"], values["date"], str(meta["title"]))
    article = Article(
        **values,
        body=body.strip("\n"),
        slug=Path(src_path).stem,
        src_path=src_path,
        extra=tuple((k, v) for k, v in meta.items() if k not in _KNOWN),
    )
    return article, r.warnings


def meta_from_article(article: Article) -> dict[str, Any]:
    """Return the front-matter mapping for an article, known keys first, extras after."""
    meta: dict[str, Any] = {}
    for key, omit_empty, write in _WRITERS:
        value = getattr(article, key)
        if not omit_empty or value:
            meta[key] = write(value)
    for key, value in article.extra:
        meta[key] = value
    return meta


def render_article(article: Article) -> str:
    """Return the content-file text of an article (its src_path, slug and score are not in it)."""
    return frontmatter.join(meta_from_article(article), article.body, _KEY_PREFIXES)


def read_article(
    path: Path, content_dir: Path, config: Config, raw: bytes | None = None
) -> tuple[Article, list[Problem]]:
    """Read one content file (or its bytes, already read); raise ContentError naming its line when unusable."""
    rel = path.relative_to(content_dir).as_posix()
    shown = display_path(path)
    if raw is None:
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


class ContentCache(Protocol):
    """Where parsed content files are kept between builds (`generator.cache.BuildCache`)."""

    def get_content(self, rel: str, stat: os.stat_result, data: bytes | None = None) -> Any | None: ...

    def put_content(self, rel: str, stat: os.stat_result, data: bytes, value: Any) -> None: ...


#: What one content file reads as: (article, warnings), or the problems that make it unusable.
_Read = tuple[Article | None, list[Problem]]


def _read_cached(path: Path, content_dir: Path, config: Config, cache: ContentCache | None) -> _Read:
    """Return what a content file reads as, from the cache when its stat or bytes are unchanged."""
    if cache is None:
        try:
            return read_article(path, content_dir, config)
        except ContentError as exc:
            return None, list(exc.problems)
    rel = path.relative_to(content_dir).as_posix()
    try:
        stat = path.stat()
        hit = cache.get_content(rel, stat)
        if hit is not None:
            return hit
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display_path(path), 0, f"cannot read: {exc.strerror}")]
    hit = cache.get_content(rel, stat, raw)  # a fresh checkout: new stat, same bytes
    if hit is not None:
        return hit
    try:
        value: _Read = read_article(path, content_dir, config, raw)
    except ContentError as exc:
        value = (None, list(exc.problems))
    cache.put_content(rel, stat, raw, value)
    return value


def duplicate_id(article: Article, path: Path, known: Mapping[str, str]) -> Problem | None:
    """Return the problem of the file at path when its article's id is taken (`known`: id → src_path), else None."""
    other = known.get(article.id)
    if other is None:
        return None
    return Problem(
        display_path(path),
        1,
        f"duplicate id {article.id!r} (also in {other})",
        "give one of them a new id or delete it",
    )


def load_content(content_dir: Path, config: Config, cache: ContentCache | None = None) -> ContentTree:
    """Read every content file; return the usable articles and the problems of the others.

    With a cache, a file whose stat or bytes did not change since it was cached is not
    parsed again (the cache's key covers the config and the working directory, which both
    shape what a file reads as).
    """
    articles: list[Article] = []
    problems: list[Problem] = []
    files = iter_content_files(content_dir)
    seen: dict[str, str] = {}
    for path in files:
        article, warnings = _read_cached(path, content_dir, config, cache)
        problems.extend(warnings)
        if article is None:
            continue
        clash = duplicate_id(article, path, seen)
        if clash is not None:
            problems.append(clash)
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
    than writing it on a large ingest; per folder they are paid once. A folder's real path
    is found one level at a time from its parent's (one lstat per folder: a run adding to
    3,000 day-and-theme folders would spend a tenth of a second resolving each whole), so
    a symlinked folder leading out of the content directory is still refused. A missing
    folder is created when its first file is written (`_write_jobs`).
    """

    def __init__(self, content_dir: Path) -> None:
        self.root = content_dir.resolve()
        self._real: dict[str, str] = {"": str(self.root)}
        self._folders: dict[str, tuple[str, set[str]]] = {}

    def get(self, folder: str) -> tuple[str, set[str]]:
        """Return a folder's resolved path and the names in it (none if it is missing)."""
        known = self._folders.get(folder)
        if known is None:
            path = self._resolve(folder)
            try:
                names = set(os.listdir(path))
            except FileNotFoundError:
                names = set()  # created when its first file is written
            known = self._folders[folder] = (path, names)
        return known

    def _resolve(self, folder: str) -> str:
        """Return the real path of a folder relative to the root, refusing one outside it."""
        real = self._real.get(folder)
        if real is not None:
            return real
        parent, _, name = folder.rpartition("/")
        if name in ("", ".", ".."):
            real = str((self.root / folder).resolve())
        else:
            real = os.path.join(self._resolve(parent), name)
            if os.path.islink(real):
                real = os.path.realpath(real)
        if self.root not in Path(real).parents:
            raise ContentError([Problem(folder, 0, "path escapes the content directory")])
        self._real[folder] = real
        return real


#: Fewer files than this are written in one batch: worker round trips would cost more.
PARALLEL_MIN_ARTICLES = 500
#: Files per batch: few round trips, yet enough batches to share out evenly.
_WRITE_BATCH = 250

#: One file to write: its path and its article.
_Job = tuple[str, Article]


def _write_jobs(jobs: Sequence[_Job]) -> int:
    """Render and write each job's file; return how many were written."""
    made: set[str] = set()
    for path, article in jobs:
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)  # another worker may be creating it too
            made.add(folder)
        write_atomic(path, render_article(article))
    return len(jobs)


def write_articles(articles: Sequence[Article], content_dir: Path, *, mapper: Mapper = map) -> list[str]:
    """Write new articles under content_dir (never overwriting); return their `src_path`s.

    Files are rendered and written in batches with `mapper` (a caller's process pool):
    creating a file is mostly the kernel's work and rendering is pure Python, so both go
    faster in several processes. Articles come in date order, so two batches seldom add
    to the same folder.
    """
    taken: set[str] = set()
    rels: list[str] = []
    jobs: list[_Job] = []
    folders = _Folders(content_dir)
    # Every path is chosen first, in order (a taken slug moves the next one to `-2`).
    for article in articles:
        folder = expected_folder(article)
        folder_path, names = folders.get(folder)
        rel = _allocate(article, folder, taken, names.__contains__)
        name = rel.rpartition("/")[2]
        # A slug is a plain file name (slugify's ASCII, or a hex id); anything else is
        # checked the slow way.
        path = os.path.join(folder_path, name) if _PLAIN_NAME.fullmatch(name) else str(safe_join(content_dir, rel))
        jobs.append((path, article))
        rels.append(rel)
    size = _WRITE_BATCH if len(jobs) >= PARALLEL_MIN_ARTICLES else max(1, len(jobs))
    for _ in mapper(_write_jobs, [jobs[i : i + size] for i in range(0, len(jobs), size)]):
        pass
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
