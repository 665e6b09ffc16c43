"""Decide which pages the site has, their URLs and what each one lists.

Input: curated Articles (newest first) and the Config. Output: a tuple of frozen `Page`s,
one per HTML file, in a stable order. Pure: no I/O, no rendering; URLs are site-relative
(`2026/02/04/`), turned into relative links per page by `render`.

Listings (front page, themes, tags, sources, languages) are paginated from the oldest
item (`_paginate`): a numbered page's address keeps its articles, so adding news leaves
older pages' values, and so their cached renderings, unchanged.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from slugify import slugify

from generator.bodytext import to_plain
from generator.config import Config
from generator.log import plural
from generator.models import Article, Link, Page, Section

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

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
#: The lead block of a day holds its most important stories: a third of the day, 1 to 5.
LEAD_LIMIT = 5
#: Related reading looks this many days back (and forward) for the same people, places, organisations.
RELATED_DAYS = 7
#: Per shared term, at most this many articles (the nearest in time) are considered: a
#: term carried by thousands of articles on one day must not make the work quadratic.
TERM_CANDIDATES = 30
#: A single shared term relates two articles only when at most this many carry it.
SPECIFIC_TERM = 20
#: Tags carried by fewer articles have no page (a page listing one article is a dead end).
MIN_TAG_ARTICLES = 2
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]{2}")


@dataclass(frozen=True)
class Taxon:
    """A tag, source or language: its URL slug, label and articles (newest first)."""

    slug: str
    label: str
    articles: tuple[Article, ...]


def language_name(code: str) -> str:
    """Return a language's own name for its code, or the code itself."""
    return LANGUAGE_NAMES.get(code, code)


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


def format_day(day: dt.date) -> str:
    """Return a day as its headings show it: `Tuesday, 3 February 2026`."""
    return f"{day:%A}, {day.day} {day:%B %Y}"


class _Slugs(dict[str, str]):
    """Each term's `term_slug`, made once per layout: slugify costs far more than a lookup."""

    def __missing__(self, term: str) -> str:
        slug = self[term] = term_slug(term)
        return slug


class _DayNames(dict[dt.date, str]):
    """Each day's `format_day`, made once per layout (strftime per link adds up on big sites)."""

    def __missing__(self, day: dt.date) -> str:
        name = self[day] = format_day(day)
        return name


def format_span(days: Iterable[dt.date]) -> str:
    """Return the days a page covers as its title shows them: `3–9 March 2026`, `3 March 2026`."""
    ordered = sorted(days)
    first, last = ordered[0], ordered[-1]
    if first == last:
        return f"{last.day} {last:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def _paginate(base_url: str, items: Sequence[_T], per_page: int) -> list[tuple[str, tuple[_T, ...]]]:
    """Split items (newest first) into pages, newest page first: (url, items newest first).

    Pages are numbered from the oldest: the items, oldest first, are cut into chunks of
    per_page, and chunk K lives at `base_url + "page/K/"`. The root (base_url) shows the
    newest chunk, together with the one before it while the newest is not full, so it holds
    per_page to 2 * per_page - 1 items (all of them when there are fewer). Why: a page is
    re-rendered only when its Page value changes, and an address should keep what it
    lists. Adding newer items changes only the root: once the newest chunk fills, the one
    before it leaves the root as a new page, and the "Newer" link of its older neighbour
    moves from the root to it. Counting from the newest would shift every page.
    """
    numbered = max(len(items) // per_page - 1, 0)
    pages = [(base_url, tuple(items[: len(items) - numbered * per_page]))]
    for k in range(numbered, 0, -1):
        end = len(items) - (k - 1) * per_page
        pages.append((f"{base_url}page/{k}/", tuple(items[end - per_page : end])))
    return pages


def _group_terms(articles: Iterable[Article], kind: str, slugs: _Slugs) -> list[Taxon]:
    """Group articles by tag, source or language; slugs that collide share one page.

    Tags carried by fewer than `MIN_TAG_ARTICLES` articles are left out: they get no page.
    """
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
            slug = language_slug(term) if kind == "languages" else slugs[term]
            labels.setdefault(slug, language_name(term) if kind == "languages" else term)
            if not groups[slug] or groups[slug][-1] is not article:
                groups[slug].append(article)
    least = MIN_TAG_ARTICLES if kind == "tags" else 1
    return [Taxon(slug, labels[slug], tuple(groups[slug])) for slug in sorted(groups) if len(groups[slug]) >= least]


def lead_size(count: int) -> int:
    """Return how many of a day's `count` stories (featured ones aside) its lead block shows."""
    return min(LEAD_LIMIT, (count + 2) // 3)


class _Related:
    """Related reading from content: articles sharing names (tags, capitalised title words) nearby in time.

    One inverted index term → articles (sorted by day) is built once; each article looks
    only at the `TERM_CANDIDATES` nearest articles of each of its terms, within
    `RELATED_DAYS`, and scores them by shared terms weighted by rarity (idf). The work is
    linear in the number of articles × terms per article, whatever a day holds.
    """

    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = articles
        self.terms = _article_terms(articles)
        self.ordinals = [a.date.toordinal() for a in articles]
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, terms in enumerate(self.terms):
            ordinal = articles[index].date.toordinal()
            for term in terms:
                postings[term].append((ordinal, index))
        for posting in postings.values():
            posting.sort()
        self.postings = postings
        total = len(articles) or 1
        self.idf = {term: math.log(1 + total / len(posting)) for term, posting in postings.items()}

    def of(self, index: int) -> list[tuple[float, int]]:
        """Return (score, index) of the articles related to articles[index], best first."""
        ordinal = self.ordinals[index]
        scores: dict[int, float] = {}
        counts: dict[int, int] = {}
        specific: set[int] = set()  # those sharing a term few articles carry
        for term in self.terms[index]:
            posting = self.postings[term]
            if len(posting) < 2:
                continue
            low = bisect.bisect_left(posting, (ordinal - RELATED_DAYS, -1))
            high = bisect.bisect_right(posting, (ordinal + RELATED_DAYS, len(self.articles)))
            here = bisect.bisect_left(posting, (ordinal, index))
            start = max(low, min(here - TERM_CANDIDATES // 2, high - TERM_CANDIDATES))
            weight = self.idf[term]
            rare = len(posting) <= SPECIFIC_TERM
            for _, other in posting[start : min(high, start + TERM_CANDIDATES + 1)]:
                scores[other] = scores.get(other, 0.0) + weight
                counts[other] = counts.get(other, 0) + 1
                if rare:
                    specific.add(other)
        scores.pop(index, None)
        # One common word ("Kazakhstan") is no story in common: one shared term must be rare.
        ranked = sorted(
            (-round(score, 6), -self.ordinals[other], other)
            for other, score in scores.items()
            if counts[other] > 1 or other in specific
        )
        return [(-score, other) for score, _, other in ranked]


def _article_terms(articles: Sequence[Article]) -> list[frozenset[str]]:
    """Return each article's terms: its tags and the names in its title.

    A capitalised title word counts as a name when some title has it capitalised after
    its first word (the first word of a headline is capitalised whatever it is); words of
    headlines set in capitals say nothing.
    """
    words = []
    names: set[str] = set()
    for article in articles:
        found = [] if _shouting(article.title) else _WORD.findall(article.title)
        words.append(found)
        names.update(w.casefold() for w in found[1:] if w[0].isupper())
    out = []
    for article, found in zip(articles, words, strict=True):
        terms = {f"#{t.strip().casefold()}" for t in article.tags if t.strip()}
        terms.update(w.casefold() for w in found if w[0].isupper() and w.casefold() in names and len(w) > 2)
        out.append(frozenset(terms))
    return out


def _shouting(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


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
        self.slugs = _Slugs()
        self.day_names = _DayNames()
        self.tag_pages = {t.slug for t in _group_terms(self.articles, "tags", self.slugs)}
        self.pages: list[Page] = []

    def theme_label(self, slug: str) -> str:
        return self.theme_labels.get(slug, slug.replace("-", " ").title())

    def theme_sections(self, articles: Sequence[Article], limit: int = 0, more_url: str = "") -> tuple[Section, ...]:
        """Return one Section per theme, optionally capped with a 'more' link.

        Articles keep their rank order; a theme comes before another when its best story
        ranks higher (config order breaks ties), so a day reads from its most important news.
        """
        groups: dict[str, list[Article]] = defaultdict(list)
        for article in articles:
            groups[article.theme].append(article)
        out = []
        for theme in groups:  # first appearance = best story's rank
            items = groups[theme]
            shown = items[:limit] if limit else items
            more = f"{more_url}#theme-{theme}" if limit and len(items) > limit else ""
            out.append(Section(theme, self.theme_label(theme), tuple(shown), len(items), more))
        return tuple(out)

    def day_plan(self, day: dt.date) -> tuple[tuple[Article, ...], tuple[Article, ...]]:
        """Return a day's lead stories and the rest, both in rank order (the day page's order).

        The lead holds the day's featured stories (pinned, they rank first) and then the
        most important `lead_size` of the others.
        """
        items = self.by_day[day]
        pinned = [a for a in items if a.featured]
        others = [a for a in items if not a.featured]
        size = lead_size(len(others))
        return (*pinned, *others[:size]), tuple(others[size:])

    def reading_order(self) -> list[Article]:
        """Return every article in the order the day pages show them, newest day first.

        A day page shows its lead stories, then the rest theme by theme (`theme_sections`):
        previous/next on article pages walk this very order, so "next" is the story below
        this one on its day page, and past a day's last story comes the older day's lead.
        """
        order: list[Article] = []
        for day in self.days:
            lead, rest = self.day_plan(day)
            order.extend(lead)
            order.extend(a for section in self.theme_sections(rest) for a in section.articles)
        return order

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
        """Add the front pages: the latest day's lead stories, then each day's other stories by theme.

        The lead block holds the latest day's most important stories (`lead_size`) and the
        featured stories of the page's other days (featured means pinned to the front
        page); no story in it is repeated in the day sections below. Older days follow on
        pages numbered from the oldest (`_paginate`), which a new day leaves unchanged.
        """
        pages = _paginate("", self.days, self.config.front_page_days)
        for i, (url, days) in enumerate(pages):
            lead = () if i else self._front_lead(days)
            span = format_span(days) if i else ""
            self.pages.append(
                Page(
                    url,
                    "index.html",
                    f"{self.config.title}, {span}" if i else self.config.title,
                    "front",
                    self.config.description,
                    articles=lead,
                    sections=self._front_sections(days, {id(a) for a in lead}),
                    prev=Link(pages[i - 1][0], "Newer days") if i else None,
                    next=Link(pages[i + 1][0], "Older days") if i + 1 < len(pages) else None,
                    span=span,
                    feed_url="feed.xml",
                    total=sum(len(self.by_day[d]) for d in days),
                )
            )

    def _front_lead(self, days: Sequence[dt.date]) -> tuple[Article, ...]:
        """Return the lead block: the first day's lead stories and the other days' featured ones."""
        if not days:
            return ()
        pinned = [a for day in days[1:] for a in self.by_day[day] if a.featured]
        return tuple(sorted((*self.day_plan(days[0])[0], *pinned), key=lambda a: (-a.score, -a.date.toordinal(), a.id)))

    def _front_sections(self, days: Sequence[dt.date], shown: set[int]) -> tuple[Section, ...]:
        """Return one section per day: its stories not already in the lead block, by theme."""
        return tuple(
            Section(
                day.isoformat(),
                self.day_names[day],
                (),
                len(self.by_day[day]),
                day_url(day),
                self.theme_sections(
                    [a for a in self.by_day[day] if id(a) not in shown],
                    self.config.front_page_per_theme,
                    day_url(day),
                ),
            )
            for day in days
        )

    def day_pages(self) -> None:
        for i, day in enumerate(self.days):
            items = self.by_day[day]
            lead, rest = self.day_plan(day)
            newer = Link(day_url(self.days[i - 1]), self.day_names[self.days[i - 1]]) if i > 0 else None
            older = (
                Link(day_url(self.days[i + 1]), self.day_names[self.days[i + 1]]) if i + 1 < len(self.days) else None
            )
            count = plural(len(items), "article")
            self.pages.append(
                Page(
                    day_url(day),
                    "day.html",
                    self.day_names[day],
                    "day",
                    f"{count} from {self.day_names[day]}: " + "; ".join(a.title for a in items[:3]),
                    articles=lead,
                    sections=self.theme_sections(rest),
                    prev=older,
                    next=newer,
                    up=Link("archive/", "Archive"),
                    total=len(items),
                )
            )

    def tag_link(self, tag: str) -> Link:
        """Return a tag's link on an article page; its url is "" when the tag has no page."""
        slug = self.slugs[tag]
        return Link(f"tags/{slug}/" if slug in self.tag_pages else "", tag)

    def article_pages(self) -> None:
        order = self.reading_order()
        related = _Related(order)
        links: dict[int, Link] = {}  # index in order → its related-reading link, made once
        for i, article in enumerate(order):
            before = order[i - 1] if i > 0 else None
            after = order[i + 1] if i + 1 < len(order) else None
            same_day: list[Link] = []
            earlier: list[Link] = []
            later: list[Link] = []
            for _, other in related.of(i):
                found = order[other]
                group = same_day if found.date == article.date else earlier if found.date < article.date else later
                if len(group) < RELATED_LIMIT:
                    link = links.get(other)
                    if link is None:
                        link = links[other] = Link(found.url, found.title, len(found.outlets), found.language)
                    group.append(link)
                elif min(len(same_day), len(earlier), len(later)) >= RELATED_LIMIT:
                    break
            self.pages.append(
                Page(
                    article.url,
                    "article.html",
                    article.title,
                    "article",
                    _description(article),
                    article=article,
                    related=tuple(same_day),
                    earlier=tuple(earlier),
                    later=tuple(later),
                    prev=Link(before.url, before.title, lang=before.language) if before else None,
                    next=Link(after.url, after.title, lang=after.language) if after else None,
                    up=Link(day_url(article.date), self.day_names[article.date]),
                    links=tuple(self.tag_link(t) for t in dict.fromkeys(t.strip() for t in article.tags) if t),
                    source=Link(f"sources/{self.slugs[article.source.strip()]}/", article.source)
                    if article.source.strip()
                    else None,
                    language=Link(f"languages/{language_slug(article.language)}/", language_name(article.language)),
                )
            )

    def theme_pages(self) -> None:
        links = []
        for theme in self.config.themes:
            items = self.by_theme.get(theme.slug, [])
            if not items:
                continue  # a theme without articles is not listed: it would lead nowhere
            links.append(Link(f"themes/{theme.slug}/", theme.label, len(items)))
            self.listing(
                f"themes/{theme.slug}/",
                theme.label,
                items,
                "theme",
                theme.description or f"{theme.label} news, newest first.",
                f"{theme.label} news",
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
        heading, singular = names[kind]
        links = []
        for taxon in _group_terms(self.articles, kind, self.slugs):
            url = f"{kind}/{taxon.slug}/"
            lang = taxon.slug if kind == "languages" else ""
            links.append(Link(url, taxon.label, len(taxon.articles), lang))
            self.listing(
                url,
                f"{singular}: {taxon.label}",
                taxon.articles,
                kind[:-1],
                f"{plural(len(taxon.articles), 'article')} under {singular.lower()} {taxon.label}.",
                f"Articles under {singular.lower()} {taxon.label}",
                up=Link(f"{kind}/", heading),
            )
        self.pages.append(
            Page(
                f"{kind}/",
                "index-list.html",
                heading,
                kind,
                f"All {heading.lower()} of {self.config.title} with their number of articles.",
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
        subject: str,
        up: Link | None = None,
        feed_url: str = "",
    ) -> None:
        """Add the pages listing items: the newest at base, older ones at base/page/K/ (`_paginate`).

        `description` (which may count the items) is the root's; a numbered page says only
        `subject` and the days it covers, since nothing on it may change with newer items.
        """
        pages = _paginate(base, items, self.config.per_page)
        for i, (url, chunk) in enumerate(pages):
            span = format_span(a.date for a in chunk) if i else ""
            self.pages.append(
                Page(
                    url,
                    "list.html",
                    f"{title}, {span}" if i else title,
                    kind,
                    f"{subject}, {span}." if i else description,
                    articles=chunk,
                    prev=Link(pages[i - 1][0], "Newer") if i else None,
                    next=Link(pages[i + 1][0], "Older") if i + 1 < len(pages) else None,
                    up=up,
                    span=span,
                    feed_url=feed_url,
                    total=0 if i else len(items),
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
                    Section(d.isoformat(), self.day_names[d], total=len(self.by_day[d]), more_url=day_url(d))
                    for d in days
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


#: What an article page shows of other pages' making: a change to any of these moves it elsewhere.
_PLACED_BY = ("id", "url", "date", "theme", "tags", "source", "language")


def refresh_article_page(page: Page, article: Article) -> Page | None:
    """Return an article page showing a new version of its article, when only the article's own text changed.

    Used by the preview to show an edited article at once; None when the edit moves the
    article (date, theme, tags, source, language), which only a full layout can place.
    The page's links to other pages (neighbours, related reading) are kept as they were.
    """
    old = page.article
    if old is None or any(getattr(old, name) != getattr(article, name) for name in _PLACED_BY):
        return None
    return replace(page, title=article.title, description=_description(article), article=article)


def _description(article: Article) -> str:
    """Return an article page's description: its summary, else the start of its body, else its title."""
    return article.summary or _first_words(article.body) or article.title


def _first_words(body: str, limit: int = 160) -> str:
    """Return the start of a Markdown body as plain text, cut at a word boundary."""
    text = " ".join(to_plain(body).split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def layout_site(articles: Sequence[Article], config: Config) -> tuple[Page, ...]:
    """Return every HTML page of the site for curated articles (newest first)."""
    return _Layout(articles, config).run()
