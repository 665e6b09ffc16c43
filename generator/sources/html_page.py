"""Read what an HTML page says about itself (shared by the HTML, feed and JSONL readers).

Input: a parsed page (`html_tree.parse_document`, before scripts are removed) or HTML
fragments. Output: a `PageMeta` (title, canonical URL, site, language, sections, tags, dates
from meta elements and JSON-LD), plain-text paragraphs of fragments, and body paragraphs
cleaned of titles, date lines and prompts. The tree API of `html_tree` is re-exported here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.sources.dates import find_dates, plausible_date
from generator.sources.html_tree import (
    NEVER_TEXT,
    Document,
    Element,
    attr,
    element_paragraphs,
    element_text,
    html_element,
    html_to_paragraphs,
    is_boilerplate,
    iter_tags,
    looks_like_html,
    parse_document,
    prune_boilerplate,
    strip_never_text,
)
from generator.sources.values import (
    clean_text,
    host_name,
    normalize_language,
    parse_timestamp,
    safe_url,
    unique,
)

logger = logging.getLogger(__name__)

# Re-exported: the HTML, feed and JSONL readers parse and walk pages through this module.
__all__ = [
    "NEVER_TEXT",
    "SHORT_TEXT",
    "DateCandidate",
    "Document",
    "Element",
    "PageMeta",
    "clean_body",
    "element_paragraphs",
    "element_text",
    "html_to_paragraphs",
    "is_boilerplate",
    "looks_like_html",
    "parse_document",
    "prune_boilerplate",
    "read_page_meta",
    "strip_never_text",
    "strip_site_suffix",
]

SHORT_TEXT = 80  # a dateline or byline is short; longer text is body
_SKIP_PARAGRAPH = re.compile(
    r"^(?:share|tweet|print|read more|read also|see also|more|advertisement|поделиться|подробнее|читать далее|"
    r"читайте также|толығырақ|бөлісу|teilen|weiterlesen|mehr zum thema)\b\W*$",
    re.IGNORECASE,
)
# "Read also: <other headline>" lines inside an article body point elsewhere; they are not its text.
_CROSS_LINK = re.compile(
    r"^(?:read also|see also|also read|related|читайте также|также читайте|смотрите также|читайте по теме|"
    r"сондай-ақ оқыңыз|оқи отырыңыз|lesen sie auch|siehe auch)\s*[:：—–-]",
    re.IGNORECASE,
)
_ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "blogposting",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "webpage",
    "report",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
}
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|·•»«—–:]|-{1,2}|::)\s+")
_HOME_CRUMBS = {"home", "main", "главная", "басты бет", "басты", "startseite", "news", "новости", "жаңалықтар"}
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "citation_publication_date",
    "dc.date.created",
)
# A modification date is the page's, not the article's: a candidate of last resort.
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
)


@dataclass(frozen=True)
class DateCandidate:
    """One date the page states for its article, and where it was found."""

    date: dt.date
    published: dt.datetime | None
    source: str  # meta, json_ld, url, time_element, visible, htmldate; *_modified for dateModified
    weight: float = 0.0  # how much this date counts when candidates vote; 0: the source's default


@dataclass(frozen=True)
class PageMeta:
    """What a page declares about itself in its head, JSON-LD and links."""

    title: str | None  # og:title / twitter:title / JSON-LD headline, site suffix removed
    head_title: str | None  # <title>, site suffix removed
    base_url: str | None
    canonical: str | None
    site_name: str | None
    language: str | None
    sections: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str | None
    dates: tuple[DateCandidate, ...]
    declares_article: bool = False  # og:type article or a JSON-LD article type


def clean_body(paragraphs: tuple[str, ...], title: str | None) -> tuple[str, ...]:
    """Return body paragraphs without a repeated title, bare date lines or share/read-more prompts."""
    out = []
    for para in paragraphs:
        if title and para.casefold() == title.casefold():
            continue
        if _SKIP_PARAGRAPH.match(para) or (_CROSS_LINK.match(para) and len(para) <= 2 * SHORT_TEXT):
            continue
        found = find_dates(para) if len(para) <= SHORT_TEXT else []
        if found and sum(m.end - m.start for m in found) >= 0.6 * len(para):
            continue
        out.append(para)
    return tuple(out)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _strings(value: Any) -> list[str]:
    """Return a JSON-LD value (string, list, or object with a name) as a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _strings(value.get("name"))
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def strip_site_suffix(title: str, site_names: tuple[str, ...]) -> str:
    """Return a page title without a `| Site name` style prefix or suffix."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    names = {n.casefold() for n in site_names if n}
    kept = [p for p in parts if p.strip().casefold() not in names]
    if len(kept) < len(parts) and kept:
        return " — ".join(kept) if len(kept) > 1 else kept[0].strip()
    return _without_short_end(title, parts)


def _without_short_end(title: str, parts: list[str]) -> str:
    """Return a title without its much shorter end piece, the unknown site name ("Story title - Site")."""
    first, last = parts[0].strip(), parts[-1].strip()
    if len(last) < len(first) / 2 and len(last.split()) <= 4:
        return title[: title.rfind(parts[-1])].rstrip(" |·•»«—–:-")
    if len(first) < len(last) / 2 and len(first.split()) <= 4:
        return title[title.find(parts[1]) :].strip()
    return title.strip()


def _meta_values(doc: Document) -> Iterator[tuple[str, str]]:
    """Yield (lowercased property/name/itemprop, content) for every meta element."""
    for meta in iter_tags(doc, "meta"):
        key = attr(meta, "property") or attr(meta, "name") or attr(meta, "itemprop") or attr(meta, "http-equiv")
        content = attr(meta, "content")
        if key and content.strip():
            yield key.strip().lower(), content.strip()


@dataclass(frozen=True)
class _HeadMeta:
    """The page's <meta> values: all of them in order, and the first value of each key."""

    values: tuple[tuple[str, str], ...]
    first: dict[str, str]

    def all(self, *keys: str) -> list[str]:
        """Return every value of the given keys, in page order."""
        return [value for key, value in self.values if key in keys]


def _read_head_meta(doc: Document) -> _HeadMeta:
    """Return the page's meta values (the first of a repeated key wins, as browsers and crawlers read it)."""
    values = tuple(_meta_values(doc))
    first: dict[str, str] = {}
    for key, value in values:
        first.setdefault(key, value)
    return _HeadMeta(values, first)


def _page_urls(doc: Document, head: _HeadMeta) -> tuple[str | None, str | None]:
    """Return (base URL, canonical URL): <base href>, then <link rel=canonical>, else og:url."""
    base = next(iter_tags(doc, "base"), None)
    base_url = safe_url(attr(base, "href")) if base is not None else None
    canonical = None
    for link in iter_tags(doc, "link"):
        if "canonical" in attr(link, "rel").lower().split():
            canonical = safe_url(attr(link, "href"), base_url)
            if canonical:
                break
    return base_url, canonical or safe_url(head.first.get("og:url"), base_url)


def _meta_dates(head: _HeadMeta) -> list[DateCandidate]:
    """Return the publication date of the meta elements (first plausible key) and one modification date."""
    dates: list[DateCandidate] = []
    for key in _DATE_META:
        if key in head.first:
            date, published = parse_timestamp(head.first[key])
            if date:
                dates.append(DateCandidate(date, published, "meta"))
                if plausible_date(date):  # a placeholder (0001-01-01) leaves room for the next key
                    break
    for key in _MODIFIED_META:
        date, published = parse_timestamp(head.first.get(key, ""))
        if date:
            dates.append(DateCandidate(date, published, "meta_modified"))
            break
    return dates


def _meta_tags(head: _HeadMeta) -> list[str]:
    """Return the page's tags: article:tag values, then comma-separated keywords."""
    tags = head.all("article:tag", "og:article:tag")
    for value in head.all("keywords", "news_keywords"):
        tags.extend(value.split(","))
    return tags


@dataclass(frozen=True)
class _JsonLd:
    """What the page's JSON-LD says about its article and where it sits (the first value of each wins)."""

    declares_article: bool = False  # an article type other than a bare WebPage
    headline: str | None = None
    site_name: str | None = None
    language: str | None = None
    dates: tuple[DateCandidate, ...] = ()
    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    crumbs: tuple[str, ...] = ()  # a BreadcrumbList's names, home included


def _json_ld_objects(doc: Document) -> Iterator[dict[str, Any]]:
    """Yield every JSON object of the page's JSON-LD blocks (graphs flattened)."""
    for script in iter_tags(doc, "script"):
        content = script.get_text()
        if attr(script, "type").strip().lower() != "application/ld+json" or not content:
            continue
        try:
            data = json.loads(content)
        except ValueError as exc:
            logger.debug("bad JSON-LD block at line %s: %s", script.sourceline, exc)
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _json_ld_dates(obj: dict[str, Any], known: list[DateCandidate]) -> list[DateCandidate]:
    """Return an article object's dates not yet known: datePublished, dateCreated, dateModified."""
    found: list[DateCandidate] = []
    # datePublished over dateCreated over dateModified: the first plausible of each kind, over
    # every article object (a page may describe its article twice, once with a placeholder).
    for key, source in (("datePublished", "json_ld"), ("dateCreated", "json_ld"), ("dateModified", "json_ld_modified")):
        if not isinstance(obj.get(key), str) or any(
            d.source == source and plausible_date(d.date) for d in (*known, *found)
        ):
            continue
        date, published = parse_timestamp(obj[key])
        if date:
            found.append(DateCandidate(date, published, source))
    return found


def _read_json_ld(doc: Document) -> _JsonLd:
    """Return the facts of the page's JSON-LD article objects and its breadcrumb list."""
    declares = False
    headline = site_name = language = None
    dates: list[DateCandidate] = []
    sections: list[str] = []
    tags: list[str] = []
    crumbs: list[str] = []
    for obj in _json_ld_objects(doc):
        kinds = _types(obj)
        if kinds & _ARTICLE_TYPES:
            declares = declares or bool(kinds - {"webpage"})
            dates.extend(_json_ld_dates(obj, dates))
            headline = headline or next(iter(_strings(obj.get("headline"))), None)
            sections.extend(_strings(obj.get("articleSection")))
            keywords = obj.get("keywords")
            tags.extend(keywords.split(",") if isinstance(keywords, str) else _strings(keywords))
            language = language or next(iter(_strings(obj.get("inLanguage"))), None)
            site_name = site_name or next(iter(_strings(obj.get("publisher"))), None)
        if "breadcrumblist" in kinds and isinstance(obj.get("itemListElement"), list):
            for entry in obj["itemListElement"]:
                if isinstance(entry, dict):
                    crumbs.extend(_strings(entry.get("name")) or _strings(entry.get("item")))
    return _JsonLd(declares, headline, site_name, language, tuple(dates), tuple(sections), tuple(tags), tuple(crumbs))


def _breadcrumbs(doc: Document) -> list[str]:
    """Return the names on the page's breadcrumb trail, home link excluded."""
    for el in iter_tags(doc):
        marker = " ".join((attr(el, "class"), attr(el, "id"), attr(el, "aria-label"))).lower()
        if "breadcrumb" in marker:
            links = [element_text(a) for a in iter_tags(el, "a")] or [element_text(li) for li in iter_tags(el, "li")]
            return [c for c in links if c and c.casefold() not in _HOME_CRUMBS and len(c) <= 60]
    return []


def _page_language(doc: Document, head: _HeadMeta, json_ld: _JsonLd) -> str | None:
    """Return the page's language: <html lang>, then meta elements, then JSON-LD inLanguage."""
    html = html_element(doc)
    declared = attr(html, "lang") or attr(html, "xml:lang")
    first = head.first
    return normalize_language(
        declared or first.get("og:locale") or first.get("content-language") or first.get("language") or json_ld.language
    )


@dataclass(frozen=True)
class _Titles:
    """The page's own title (og/twitter/JSON-LD) and its <title>, both without the site's name."""

    title: str | None
    head_title: str | None


def _page_titles(doc: Document, head: _HeadMeta, json_ld: _JsonLd, names: tuple[str, ...]) -> _Titles:
    """Return the page's titles with a `| Site` prefix or suffix removed."""
    raw_title = head.first.get("og:title") or head.first.get("twitter:title") or json_ld.headline
    title = strip_site_suffix(clean_text(raw_title), names) if raw_title else None
    title_el = next(iter_tags(doc, "title"), None)
    head_text = element_text(title_el) if title_el is not None else ""
    head_title = strip_site_suffix(head_text, names) if head_text else None
    return _Titles(title or None, head_title or None)


def _page_sections(doc: Document, json_ld: _JsonLd, titles: _Titles) -> list[str]:
    """Return the page's breadcrumb trail (JSON-LD's, else the markup's), without home and the page itself."""
    crumbs = [c for c in json_ld.crumbs if c.casefold() not in _HOME_CRUMBS] or _breadcrumbs(doc)
    # The last crumb is often the article itself: its title is no section.
    for known in (titles.title, titles.head_title):
        if known:
            crumbs = [c for c in crumbs if c.casefold() != known.casefold()]
    return crumbs


def read_page_meta(doc: Document) -> PageMeta:
    """Return what the page's head, JSON-LD and links say about it (before scripts are removed)."""
    head = _read_head_meta(doc)
    base_url, canonical = _page_urls(doc, head)
    json_ld = _read_json_ld(doc)
    # The og:/application name over the JSON-LD publisher: it is the name the site shows.
    site_name = head.first.get("og:site_name") or head.first.get("application-name") or json_ld.site_name
    titles = _page_titles(doc, head, json_ld, tuple(n for n in (site_name, host_name(canonical)) if n))
    sections = head.all("article:section", "section", "og:article:section") + list(json_ld.sections)
    summary = head.first.get("og:description") or head.first.get("description") or head.first.get("twitter:description")
    return PageMeta(
        title=titles.title,
        head_title=titles.head_title,
        base_url=base_url or canonical,
        canonical=canonical,
        site_name=clean_text(site_name) if site_name else host_name(canonical),
        language=_page_language(doc, head, json_ld),
        sections=unique([*_page_sections(doc, json_ld, titles), *sections]),
        tags=unique([*_meta_tags(head), *json_ld.tags]),
        summary=clean_text(summary) if summary else None,
        dates=(*_meta_dates(head), *json_ld.dates),
        declares_article=head.first.get("og:type", "").lower() == "article" or json_ld.declares_article,
    )
