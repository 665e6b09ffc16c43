"""Decide which pages the site has, their URLs and what each one lists.

Input: curated Articles (newest first) and the Config. Output: a tuple of frozen `Page`s,
one per HTML file, in a stable order. Pure: no I/O, no rendering; URLs are site-relative
(`2026/02/04/`), turned into relative links per page by `render`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from slugify import slugify

from generator.config import Config
from generator.models import Article, Link, Page, Section

logger = logging.getLogger(__name__)

LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "kk": "Қазақша",
    "de": "Deutsch",
    "fr": "Français",
    "uz": "Oʻzbekcha",
    "ky": "Кыргызча",
    "zh": "中文",
    "tr": "Türkçe",
    "es": "Español",
}
RELATED_LIMIT = 5


@dataclass(frozen=True)
class Taxon:
    """A tag, source or language: its URL slug, label and articles (newest first)."""

    slug: str
    label: str
    articles: tuple[Article, ...]


def language_name(code: str) -> str:
    """Return a language's own name for its code, or the code itself."""
    return LANGUAGE_NAMES.get(code, code)


@functools.lru_cache(maxsize=65536)
def term_slug(term: str) -> str:
    """Return a safe ASCII URL slug for a tag or source name (Cyrillic transliterated)."""
    # A term made only of symbols slugifies to nothing: fall back to a stable hash.
    return slugify(term, max_length=60, word_boundary=True) or f"t{hash_text(term):08x}"


def language_slug(code: str) -> str:
    """Return the URL slug of a language code (the code itself when it is well formed)."""
    return code if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", code) else term_slug(code)


def hash_text(text: str) -> int:
    """Return a stable (process-independent) integer hash of a text."""
    value = 2166136261
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def day_url(day: dt.date) -> str:
    """Return the site-relative URL of a day's digest."""
    return f"{day:%Y/%m/%d}/"


@functools.lru_cache(maxsize=8192)
def _format_day(day: dt.date) -> str:
    return f"{day:%A}, {day.day} {day:%B %Y}"


def _paginate(base_url: str, items: Sequence[Article], per_page: int) -> list[tuple[int, str, tuple[Article, ...]]]:
    """Split items into numbered pages: (number, url, items); page 1 lives at base_url."""
    chunks = [tuple(items[i : i + per_page]) for i in range(0, len(items), per_page)] or [()]
    return [(n, base_url if n == 1 else f"{base_url}page/{n}/", chunk) for n, chunk in enumerate(chunks, 1)]


def _group_terms(articles: Iterable[Article], kind: str) -> list[Taxon]:
    """Group articles by tag, source or language; slugs that collide share one page."""
    groups: dict[str, list[Article]] = defaultdict(list)
    labels: dict[str, str] = {}
    for article in articles:
        if kind == "tags":
            terms: tuple[str, ...] = article.tags
        elif kind == "sources":
            terms = (article.source,) if article.source else ()
        else:
            terms = (article.language,)
        for term in dict.fromkeys(t.strip() for t in terms if t.strip()):
            slug = language_slug(term) if kind == "languages" else term_slug(term)
            labels.setdefault(slug, language_name(term) if kind == "languages" else term)
            if not groups[slug] or groups[slug][-1] is not article:
                groups[slug].append(article)
    return [Taxon(slug, labels[slug], tuple(groups[slug])) for slug in sorted(groups)]


class _Layout:
    """Build every Page from the curated articles; one method per page kind."""

    def __init__(self, articles: Sequence[Article], config: Config) -> None:
        self.config = config
        self.articles = tuple(articles)
        self.theme_labels = {t.slug: t.label for t in config.themes}
        self.theme_order = {t.slug: i for i, t in enumerate(config.themes)}
        self.by_day: dict[dt.date, list[Article]] = defaultdict(list)
        self.by_theme: dict[str, list[Article]] = defaultdict(list)
        for article in self.articles:
            self.by_day[article.date].append(article)
            self.by_theme[article.theme].append(article)
        self.days = sorted(self.by_day, reverse=True)
        self.pages: list[Page] = []

    def theme_label(self, slug: str) -> str:
        return self.theme_labels.get(slug, slug.replace("-", " ").title())

    def theme_sections(self, articles: Sequence[Article], limit: int = 0, more_url: str = "") -> tuple[Section, ...]:
        """Return one Section per theme, in config order, optionally capped with a 'more' link."""
        groups: dict[str, list[Article]] = defaultdict(list)
        for article in articles:
            groups[article.theme].append(article)
        out = []
        for theme in sorted(groups, key=lambda t: (self.theme_order.get(t, 999), t)):
            items = groups[theme]
            shown = items[:limit] if limit else items
            more = f"{more_url}#theme-{theme}" if limit and len(items) > limit else ""
            out.append(Section(theme, self.theme_label(theme), tuple(shown), len(items), more))
        return tuple(out)

    def run(self) -> tuple[Page, ...]:
        self.front_pages()
        self.day_pages()
        self.article_pages()
        self.theme_pages()
        self.archive_page()
        for kind in ("tags", "sources", "languages"):
            self.term_pages(kind)
        desc = self.config.description
        self.pages.append(Page("search/", "search.html", "Search", "search", desc))
        self.pages.append(Page("404.html", "404.html", "Page not found", "404", desc))
        return tuple(self.pages)

    def front_pages(self) -> None:
        per = self.config.front_page_days
        chunks = [self.days[i : i + per] for i in range(0, len(self.days), per)] or [[]]
        latest = set(chunks[0])
        featured = tuple(a for a in self.articles if a.featured and a.date in latest)
        for n, days in enumerate(chunks, 1):
            url = "" if n == 1 else f"page/{n}/"
            sections = tuple(
                Section(
                    day.isoformat(),
                    _format_day(day),
                    (),
                    len(self.by_day[day]),
                    day_url(day),
                    self.theme_sections(self.by_day[day], self.config.front_page_per_theme, day_url(day)),
                )
                for day in days
            )
            prev = Link("" if n == 2 else f"page/{n - 1}/", "Newer days") if n > 1 else None
            nxt = Link(f"page/{n + 1}/", "Older days") if n < len(chunks) else None
            title = self.config.title if n == 1 else f"{self.config.title}, page {n}"
            self.pages.append(
                Page(
                    url,
                    "index.html",
                    title,
                    "front",
                    self.config.description,
                    articles=featured if n == 1 else (),
                    sections=sections,
                    prev=prev,
                    next=nxt,
                    page_no=n,
                    page_count=len(chunks),
                    feed_url="feed.xml",
                    total=sum(len(self.by_day[d]) for d in days),
                )
            )

    def day_pages(self) -> None:
        for i, day in enumerate(self.days):
            items = self.by_day[day]
            newer = Link(day_url(self.days[i - 1]), _format_day(self.days[i - 1])) if i > 0 else None
            older = Link(day_url(self.days[i + 1]), _format_day(self.days[i + 1])) if i + 1 < len(self.days) else None
            count = f"{len(items)} article{'s' if len(items) != 1 else ''}"
            self.pages.append(
                Page(
                    day_url(day),
                    "day.html",
                    _format_day(day),
                    "day",
                    f"{count} from {_format_day(day)}: " + "; ".join(a.title for a in items[:3]),
                    sections=self.theme_sections(items),
                    prev=older,
                    next=newer,
                    up=Link("archive/", "Archive"),
                    total=len(items),
                )
            )

    def article_pages(self) -> None:
        # Previous/next follow the site's reading order (newest first): "previous" is older.
        for i, article in enumerate(self.articles):
            newer = self.articles[i - 1] if i > 0 else None
            older = self.articles[i + 1] if i + 1 < len(self.articles) else None
            related = tuple(
                Link(a.url, a.title, lang=a.language)
                for a in self.by_day[article.date]
                if a.theme == article.theme and a is not article
            )[:RELATED_LIMIT]
            self.pages.append(
                Page(
                    article.url,
                    "article.html",
                    article.title,
                    "article",
                    article.summary or _first_words(article.body) or article.title,
                    article=article,
                    related=related,
                    prev=Link(older.url, older.title, lang=older.language) if older else None,
                    next=Link(newer.url, newer.title, lang=newer.language) if newer else None,
                    up=Link(day_url(article.date), _format_day(article.date)),
                    links=tuple(
                        Link(f"tags/{term_slug(t)}/", t) for t in dict.fromkeys(t.strip() for t in article.tags) if t
                    ),
                    source=Link(f"sources/{term_slug(article.source.strip())}/", article.source)
                    if article.source.strip()
                    else None,
                    language=Link(f"languages/{language_slug(article.language)}/", language_name(article.language)),
                )
            )

    def theme_pages(self) -> None:
        links = []
        for theme in self.config.themes:
            items = self.by_theme.get(theme.slug, [])
            links.append(Link(f"themes/{theme.slug}/" if items else "", theme.label, len(items)))
            if not items:
                continue
            self.listing(
                f"themes/{theme.slug}/",
                theme.label,
                items,
                "theme",
                theme.description or f"{theme.label} news, newest first.",
                up=Link("themes/", "Themes"),
                feed_url=f"themes/{theme.slug}/feed.xml",
            )
        self.pages.append(
            Page(
                "themes/",
                "index-list.html",
                "Themes",
                "themes",
                f"Every theme of {self.config.title} with its number of articles.",
                links=tuple(links),
                total=len(self.articles),
            )
        )

    def term_pages(self, kind: str) -> None:
        names = {"tags": ("Tags", "Tag"), "sources": ("Sources", "Source"), "languages": ("Languages", "Language")}
        plural, singular = names[kind]
        links = []
        for taxon in _group_terms(self.articles, kind):
            url = f"{kind}/{taxon.slug}/"
            lang = taxon.slug if kind == "languages" else ""
            links.append(Link(url, taxon.label, len(taxon.articles), lang))
            self.listing(
                url,
                f"{singular}: {taxon.label}",
                taxon.articles,
                kind[:-1],
                f"{len(taxon.articles)} articles under {singular.lower()} {taxon.label}.",
                up=Link(f"{kind}/", plural),
            )
        self.pages.append(
            Page(
                f"{kind}/",
                "index-list.html",
                plural,
                kind,
                f"All {plural.lower()} of {self.config.title} with their number of articles.",
                links=tuple(links),
                total=len(self.articles),
            )
        )

    def listing(
        self,
        base: str,
        title: str,
        items: Sequence[Article],
        kind: str,
        description: str,
        up: Link | None = None,
        feed_url: str = "",
    ) -> None:
        """Add the paginated pages listing items under base (page 1 at base, then page/N/)."""
        chunks = _paginate(base, items, self.config.per_page)
        for n, url, chunk in chunks:
            prev = Link(chunks[n - 2][1], "Newer") if n > 1 else None
            nxt = Link(chunks[n][1], "Older") if n < len(chunks) else None
            self.pages.append(
                Page(
                    url,
                    "list.html",
                    title if n == 1 else f"{title}, page {n}",
                    kind,
                    description,
                    articles=chunk,
                    prev=prev,
                    next=nxt,
                    up=up,
                    page_no=n,
                    page_count=len(chunks),
                    feed_url=feed_url,
                    total=len(items),
                )
            )

    def archive_page(self) -> None:
        months: dict[str, list[dt.date]] = defaultdict(list)
        for day in self.days:
            months[f"{day:%Y-%m}"].append(day)
        sections = tuple(
            Section(
                key,
                f"{days[0]:%B %Y}",
                total=sum(len(self.by_day[d]) for d in days),
                sections=tuple(
                    Section(d.isoformat(), _format_day(d), total=len(self.by_day[d]), more_url=day_url(d)) for d in days
                ),
            )
            for key, days in months.items()
        )
        themes = tuple(
            Link(f"themes/{t.slug}/", t.label, len(self.by_theme[t.slug]))
            for t in self.config.themes
            if self.by_theme.get(t.slug)
        )
        self.pages.append(
            Page(
                "archive/",
                "archive.html",
                "Archive",
                "archive",
                f"All {len(self.articles)} articles of {self.config.title} by month and day.",
                sections=sections,
                links=themes,
                total=len(self.articles),
                days=tuple((d, len(self.by_day[d])) for d in reversed(self.days)),
            )
        )


def _first_words(body: str, limit: int = 160) -> str:
    """Return the start of a Markdown body as plain text, cut at a word boundary."""
    text = " ".join(re.sub(r"[#*_>`\[\]()!]", " ", body).split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def layout_site(articles: Sequence[Article], config: Config) -> tuple[Page, ...]:
    """Return every HTML page of the site for curated articles (newest first)."""
    return _Layout(articles, config).run()
