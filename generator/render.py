"""Render pages to HTML strings with Jinja2; Markdown bodies become sanitized HTML.

Input: frozen `Page`s and the site-wide `SiteInfo`. Output: HTML text per page, the static
files to copy, and body HTML for feeds. No file is written here. Jinja2, Markdown and nh3
live in this module only; templates come from the site's `templates/` first, then the
packaged default theme, file by file.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import markdown
import nh3
from markupsafe import Markup, escape

from generator.errors import BuildError
from generator.log import plural
from generator.models import Link, Page, Problem, url_host

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
HEADING_RE = re.compile(r"<(/?)h([1-6])\b")
#: An anchor left without href once a javascript: or data: URL was removed: keep its text only.
DEAD_LINK_RE = re.compile(r"<a\b(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)
EMPTY_P_RE = re.compile(r"<p>\s*</p>\n?")
#: Past this many bodies a Renderer's body cache is dropped (the preview server renders edits for hours).
BODY_CACHE_MAX = 65536
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


@dataclass(frozen=True)
class SiteInfo:
    """Site-wide values every template may read; a change to any of them means a full build."""

    title: str
    description: str
    language: str
    base_url: str
    themes: tuple[Link, ...] = ()
    now: dt.datetime | None = None
    search_note: str = ""  # why search is unavailable ("" when the Pagefind index is built)

    @property
    def base_path(self) -> str:
        """Return the path part of base_url, e.g. `/digest/`."""
        return urlsplit(self.base_url).path or "/"


def default_template_dir() -> Path:
    """Return the packaged default theme (the repository's templates/ when not installed)."""
    try:
        return Path(str(importlib.resources.files("generator.templates")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "templates"


def template_dirs(site_templates: Path | None) -> tuple[Path, ...]:
    """Return the template folders in lookup order: the site's own first, if it exists."""
    dirs = [default_template_dir()]
    if site_templates is not None and site_templates.is_dir() and site_templates.resolve() != dirs[0].resolve():
        dirs.insert(0, site_templates)
    return tuple(dirs)


def static_files(dirs: Sequence[Path]) -> tuple[tuple[str, bytes], ...]:
    """Return (site-relative path, bytes) of every static file; earlier folders win."""
    found: dict[str, bytes] = {}
    for folder in reversed(dirs):
        root = folder / "static"
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and path.suffix not in {".py", ".pyc"}:
                found[f"static/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return tuple(sorted(found.items()))


def markdown_converter() -> markdown.Markdown:
    """Return a Markdown instance for `markdown_to_html`, to reuse within one thread."""
    return markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")


def markdown_to_html(text: str, converter: markdown.Markdown | None = None) -> str:
    """Return sanitized HTML for an untrusted Markdown body: http(s) and relative links only.

    `converter` is a `markdown_converter()` to reuse: building one costs more than
    converting a short body.
    """
    html = (converter or markdown_converter()).reset().convert(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener nofollow",
        strip_comments=True,
    )
    clean = EMPTY_P_RE.sub("", DEAD_LINK_RE.sub(r"\1", clean))
    # The page title is the only h1 and the body comes under it: its top heading becomes h2.
    levels = [int(m.group(2)) for m in HEADING_RE.finditer(clean)]
    shift = 2 - min(levels) if levels else 0
    return HEADING_RE.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", clean)


def relative_prefix(page_url: str, base_path: str) -> str:
    """Return the prefix that turns a site-relative URL into a link from page_url."""
    if page_url == "404.html":
        # GitHub Pages serves 404.html at any missing URL, so only root-relative links work there.
        return base_path
    return "../" * page_url.count("/")


def make_url(prefix: str) -> Callable[[str], str]:
    """Return a function mapping site-relative URLs to links that also work from disk."""

    def url(target: str) -> str:
        path, sep, fragment = target.partition("#")
        if path == "" or path.endswith("/"):
            path += "index.html"
        return f"{prefix}{path}{sep}{fragment}"

    return url


def _normal(text: str) -> str:
    """Return text reduced to lower-case words, for comparing a summary with a title."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def is_shouting(text: str) -> bool:
    """Return whether a headline is written in capitals (most of its letters upper-case)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def title_class(title: str) -> str:
    """Return CSS classes that size a headline by its length; capitals count as wider letters."""
    caps = is_shouting(title)
    length = len(title) * (1.25 if caps else 1)
    classes = ["t-xlong" if length > 110 else "t-long" if length > 60 else ""]
    if caps:
        classes.append("caps")
    return " ".join(c for c in classes if c)


def gist(title: str, summary: str) -> str:
    """Return the summary to show under a title, or "" when it only repeats the title."""
    said, head = _normal(summary), _normal(title)
    if not said or (head and (said.startswith(head[:80]) or head.startswith(said))):
        return ""
    return summary.strip()


def _date_text(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def day_of(url: str) -> str:
    """Return "4 February 2026" for a site URL that starts with its day (`2026/02/04/...`), else ""."""
    try:
        return _date_text(dt.date(int(url[0:4]), int(url[5:7]), int(url[8:10])))
    except ValueError:
        return ""


def heatmap_periods(days: Sequence[tuple[dt.date, int]]) -> list[tuple[str, tuple[tuple[dt.date, int], ...]]]:
    """Split per-day counts into calendar charts: one for up to a year of dates, else one per year."""
    if not days:
        return []
    first, last = min(d for d, _ in days), max(d for d, _ in days)
    if (last - first).days <= 366:
        label = str(first.year) if first.year == last.year else f"{first.year}–{last.year}"
        return [(label, tuple(days))]
    years = sorted({d.year for d, _ in days}, reverse=True)
    return [(str(y), tuple((d, n) for d, n in days if d.year == y)) for y in years]


def heatmap_svg(days: Sequence[tuple[dt.date, int]], label: str, ident: str) -> Markup:
    """Return an inline SVG calendar of articles per day (a column per week, a row per weekday)."""
    counts = dict(days)
    first, last = min(counts), max(counts)
    start = first - dt.timedelta(days=first.weekday())
    weeks = (last - start).days // 7 + 1
    peak = max(counts.values())
    cell, left, top = 13, 30, 18
    width, height = max(left + weeks * cell + 2, 120), top + 7 * cell + 2
    total = sum(counts.values())
    parts = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d"><title id="{ident}-t">Articles per day, {label}</title>'
        f'<desc id="{ident}-d">{plural(total, "article")} on {plural(len(counts), "day")} from '
        f"{_date_text(first)} to {_date_text(last)}; the busiest day had {peak}. "
        "The list of months below gives every day with its count.</desc>",
    ]
    for row, name in enumerate(WEEKDAYS):
        if name:
            parts.append(f'<text class="axis" x="0" y="{top + row * cell + 10}">{name}</text>')
    labelled_col, labelled_month = -9, None
    # Day numbers, not `day += timedelta`: stepping past date.max would overflow.
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = dt.date.fromordinal(ordinal)
        col, row = (day - start).days // 7, day.weekday()
        # Label a month at its first column, unless the previous label is too close to fit.
        if (day.year, day.month) != labelled_month and col - labelled_col >= 3:
            parts.append(f'<text class="axis" x="{left + col * cell}" y="11">{day:%b}</text>')
            labelled_col, labelled_month = col, (day.year, day.month)
        count = counts.get(day, 0)
        level = 0 if not count else 1 + min(3, (count * 4 - 1) // peak)
        parts.append(
            f'<rect class="heat{level}" x="{left + col * cell}" y="{top + row * cell}" width="11" height="11" rx="2">'
            f"<title>{_date_text(day)}: {plural(count, 'article')}</title></rect>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart_svg(bars: Sequence[Link], ident: str) -> Markup:
    """Return an inline SVG horizontal bar chart of article counts (one bar per theme)."""
    peak = max((b.count for b in bars), default=1) or 1
    label_w, bar_w, row_h = 110, 220, 22
    width, height = label_w + bar_w + 50, row_h * len(bars) + 4
    parts = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d"><title id="{ident}-t">Articles per theme</title>'
        f'<desc id="{ident}-d">' + str(escape("; ".join(f"{b.label}: {b.count}" for b in bars))) + "</desc>",
    ]
    for i, bar in enumerate(bars):
        y = i * row_h + 2
        length = max(2, round(bar_w * bar.count / peak))
        parts.append(
            f'<text class="label" x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(bar.label)!s}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length}" height="15" rx="2"></rect>'
            f'<text class="value" x="{label_w + length + 5}" y="{y + 15}">{bar.count}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


class Renderer:
    """A Jinja2 environment bound to one site: renders pages to HTML strings.

    It keeps a Markdown converter and the HTML of the bodies it has converted (feeds and
    article pages show the same bodies; a rebuild shows them again), so one Renderer is
    used by one thread at a time; a forked worker process gets its own copy.
    """

    def __init__(self, site: SiteInfo, dirs: Sequence[Path], bodies: dict[str, str] | None = None) -> None:
        self.site = site
        self.dirs = tuple(dirs)
        self._markdown = markdown_converter()
        self._bodies: dict[str, str] = {} if bodies is None else bodies
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in self.dirs])
        self.env = jinja2.Environment(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            markdown=lambda text: Markup(self.body_html(text)),
            date_text=_date_text,
            plural=plural,
        )
        labels = {link.url.strip("/").rsplit("/", 1)[-1]: link.label for link in site.themes}
        self.env.globals.update(
            site=site,
            heatmap_svg=heatmap_svg,
            heatmap_periods=heatmap_periods,
            bar_chart_svg=bar_chart_svg,
            theme_label=lambda slug: labels.get(slug, slug),
            host=lambda link: url_host(link) or link,
            day_of=day_of,
            title_class=title_class,
            shouting=is_shouting,
            gist=gist,
            static_text=self.static_text,
        )

    def for_site(self, site: SiteInfo) -> Renderer:
        """Return a Renderer for changed site values, with the same templates and body cache."""
        return Renderer(site, self.dirs, self._bodies)

    def body_html(self, text: str) -> str:
        """Return `markdown_to_html` of a Markdown body, converting each distinct body once."""
        html = self._bodies.get(text)
        if html is None:
            if len(self._bodies) >= BODY_CACHE_MAX:
                self._bodies.clear()
            html = self._bodies[text] = markdown_to_html(text, self._markdown)
        return html

    def static_text(self, name: str) -> Markup:
        """Return a static file's text to inline in a <style> or <script> element (earlier folders win)."""
        for folder in self.dirs:
            path = folder / "static" / name
            if path.is_file():
                # "</" inside the element would end it early; "<\/" means the same in CSS and JS.
                return Markup(path.read_text(encoding="utf-8").replace("</", "<\\/"))
        raise jinja2.TemplateNotFound(f"static/{name}")

    def render_page(self, page: Page) -> str:
        """Return the HTML of one page; raise BuildError naming the template on failure."""
        prefix = relative_prefix(page.url, self.site.base_path)
        try:
            template = self.env.get_template(page.template)
            html: str = template.render(page=page, url=make_url(prefix), canonical=self.site.base_url + page.url)
        except jinja2.TemplateSyntaxError as exc:
            raise BuildError(
                [
                    Problem(
                        exc.filename or exc.name or page.template,
                        exc.lineno,
                        f"template error: {exc.message}",
                        "fix the template syntax",
                    )
                ]
            ) from exc
        except jinja2.TemplateError as exc:
            where = _template_line(exc) or (page.template, 0)
            raise BuildError(
                [
                    Problem(
                        where[0],
                        where[1],
                        f"cannot render /{page.url}: {exc}",
                        "fix the template or the content it reads",
                    )
                ]
            ) from exc
        return html


def _template_line(exc: BaseException) -> tuple[str, int] | None:
    """Return the template file and line a rendering error was raised at, from its traceback."""
    tb = exc.__traceback__
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html") or filename.endswith(".xml"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
