"""Parse HTML and read what a page says about itself (shared by the HTML, feed and JSONL readers).

Input: decoded HTML text or fragments. Output: lxml trees without script-like content, a
`PageMeta` (title, canonical URL, site, language, sections, tags, dates from meta and JSON-LD),
and plain-text paragraphs of fragments. Markup is only ever read, never passed on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from generator.sources.dates import find_dates, plausible_date
from generator.sources.values import (
    clean_text,
    host_name,
    normalize_language,
    parse_timestamp,
    safe_url,
    text_to_paragraphs,
    unique,
)

logger = logging.getLogger(__name__)

__all__ = ["HtmlElement"]  # re-exported: the HTML readers type their trees with it

#: Elements whose content is never text: code, embedded documents, form controls.
NEVER_TEXT = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "object",
    "embed",
    "svg",
    "math",
    "canvas",
    "button",
    "select",
    "textarea",
    "input",
    "head",
)
_BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "dl",
    "main",
    "nav",
    "address",
    "hr",
    "br",
    "td",
    "th",
}
_LOOKS_HTML = re.compile(r"<(?:/?[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
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
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
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


def looks_like_html(text: str) -> bool:
    """Return True when a string carries tags or entities (a fragment to parse, not plain text)."""
    return bool(_LOOKS_HTML.search(text))


def parse_document(text: str) -> HtmlElement | None:
    """Return the root element of an HTML document, or None if nothing could be parsed."""
    # lxml refuses str input that still carries an encoding declaration; it is decoded already.
    text = _XML_DECL.sub("", text, count=1)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        logger.debug("HTML parse failed: %s", exc)
        return None
    if not isinstance(root, HtmlElement):
        return None
    _move_strays_to_body(root)
    return root


#: What may stand in <head>; libxml2's HTML 4 parser also leaves there anything it does not
#: know (<article>, <main>, <section>) that comes before <body> opens.
_HEAD_TAGS = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})


def _move_strays_to_body(root: HtmlElement) -> None:
    """Move page content the parser left in <head> (a page starting `<style>…<article>`) to <body>."""
    head = root.find("head")
    if head is None:
        return
    children = list(head)
    first = next((i for i, el in enumerate(children) if isinstance(el.tag, str) and el.tag not in _HEAD_TAGS), None)
    if first is None:
        return
    body = root.find("body")
    if body is None:
        body = etree.SubElement(root, "body")
    # Everything from the first stray on was meant for the body, in its order, tails included.
    for offset, el in enumerate(children[first:]):
        body.insert(offset, el)


def strip_never_text(root: HtmlElement) -> None:
    """Remove elements whose content is never article text (scripts, styles, frames, forms)."""
    for el in list(root.iter(*NEVER_TEXT)):
        if el.getparent() is not None:
            el.drop_tree()


def element_text(el: HtmlElement) -> str:
    """Return the visible text of an element with whitespace collapsed."""
    return clean_text(el.text_content())


def element_paragraphs(el: HtmlElement) -> tuple[str, ...]:
    """Return an element's text split at block boundaries into plain paragraphs."""
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = clean_text("".join(current))
        if text:
            parts.append(text)
        current.clear()

    # An explicit stack, not recursion: hostile pages nest thousands of elements deep.
    stack: list[tuple[HtmlElement, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else ""
        if closing:
            if tag in _BLOCK_TAGS:
                flush()
            if node.tail and node is not el:
                current.append(node.tail)
            continue
        if tag in NEVER_TEXT or not tag:
            if node.tail and node is not el:
                current.append(node.tail)
            continue
        if tag in _BLOCK_TAGS:
            flush()
        if node.text:
            current.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    flush()
    return tuple(parts)


def html_to_paragraphs(fragment: str) -> tuple[str, ...]:
    """Return the plain-text paragraphs of an HTML fragment (or of plain text as is)."""
    if not fragment or not fragment.strip():
        return ()
    if not looks_like_html(fragment):
        return text_to_paragraphs(fragment)
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=True)
    try:
        root = lxml.html.fragment_fromstring(_XML_DECL.sub("", fragment), create_parent="div", parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        logger.debug("HTML fragment parse failed: %s", exc)
        return text_to_paragraphs(re.sub(r"<[^>]*>", " ", fragment))
    # Plain line breaks inside a fragment's text nodes are not paragraph breaks.
    return element_paragraphs(root)


_BOILERPLATE_TAGS = {"nav", "aside", "footer", "form", "menu", "dialog"}
# Whole class names or ids such as `related-news`, `share_buttons`, `post-tags`, `news-ticker`;
# WordPress's `tag-economy` on the article itself must not match, hence `tags` not `tag`.
_BOILERPLATE_NAME = re.compile(
    r"(?:^|[-_])(?:nav|navbar|navigation|menu|breadcrumbs?|share|sharing|social|socials|related|ticker|tags|"
    r"tagcloud|comments?|advert|adverts|advertisement|ads|banner|cookies?|subscribe|subscription|newsletter|"
    r"promo|sidebar|widget|widgets|popular|most-read|mostread|trending|footer|rates|currency|exchange|"
    r"weather|login|signup|pagination|pager|toolbar|print)(?:$|[-_])",
)


def is_boilerplate(el: HtmlElement) -> bool:
    """Return True for page furniture: navigation, sidebars, share/tag/related boxes, tickers."""
    if el.tag in _BOILERPLATE_TAGS:
        return True
    if (el.get("role") or "").lower() in ("navigation", "complementary", "contentinfo", "banner", "search"):
        return True
    names = [*(el.get("class") or "").lower().split(), (el.get("id") or "").lower()]
    return any(_BOILERPLATE_NAME.search(n) for n in names if n)


def prune_boilerplate(root: HtmlElement, keep: HtmlElement | None = None) -> int:
    """Remove page furniture from the tree, never an element holding `keep` or most of the text; return the count."""
    body = root.find(".//body")
    total = len(element_text(body if body is not None else root)) or 1
    removed = 0
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None or el.tag in ("html", "body"):
            continue
        # A site header is furniture only when the article's title is not inside it.
        furniture = is_boilerplate(el) or (el.tag == "header" and keep is not None and not _contains(el, keep))
        if not furniture or (keep is not None and _contains(el, keep)):
            continue
        if len(element_text(el)) > 0.5 * total and el.tag not in ("nav", "footer"):
            continue
        el.drop_tree()
        removed += 1
    return removed


def _contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    node: HtmlElement | None = inner
    while node is not None:
        if node is outer:
            return True
        node = node.getparent()
    return False


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


def _meta_values(root: HtmlElement) -> Iterator[tuple[str, str]]:
    """Yield (lowercased property/name/itemprop, content) for every meta element."""
    for meta in root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or ""
        content = meta.get("content")
        if key and content and content.strip():
            yield key.strip().lower(), content.strip()


def _json_ld_objects(root: HtmlElement) -> Iterator[dict[str, Any]]:
    """Yield every JSON object of the page's JSON-LD blocks (graphs flattened)."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
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
    # Unknown site name: the site part is the shorter end piece ("Story title - Site").
    first, last = parts[0].strip(), parts[-1].strip()
    if len(last) < len(first) / 2 and len(last.split()) <= 4:
        return title[: title.rfind(parts[-1])].rstrip(" |·•»«—–:-")
    if len(first) < len(last) / 2 and len(first.split()) <= 4:
        return title[title.find(parts[1]) :].strip()
    return title.strip()


def _breadcrumbs(root: HtmlElement) -> list[str]:
    """Return the names on the page's breadcrumb trail, home link excluded."""
    crumbs: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        marker = " ".join((el.get("class") or "", el.get("id") or "", el.get("aria-label") or "")).lower()
        if "breadcrumb" in marker:
            links = [element_text(a) for a in el.iter("a")] or [element_text(li) for li in el.iter("li")]
            crumbs = [c for c in links if c and c.casefold() not in _HOME_CRUMBS and len(c) <= 60]
            break
    return crumbs


def read_page_meta(root: HtmlElement) -> PageMeta:
    """Return what the page's head, JSON-LD and links say about it (before scripts are removed)."""
    metas = list(_meta_values(root))
    first: dict[str, str] = {}
    for key, value in metas:
        first.setdefault(key, value)

    base_url = None
    for base in root.iter("base"):
        base_url = safe_url(base.get("href"))
        break
    canonical = None
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = safe_url(link.get("href"), base_url)
            if canonical:
                break
    canonical = canonical or safe_url(first.get("og:url"), base_url)

    sections = [v for k, v in metas if k in ("article:section", "section", "og:article:section")]
    tags = [v for k, v in metas if k in ("article:tag", "og:article:tag")]
    for key, value in metas:
        if key in ("keywords", "news_keywords"):
            tags.extend(value.split(","))
    dates: list[DateCandidate] = []
    for key in _DATE_META:
        if key in first:
            date, published = parse_timestamp(first[key])
            if date:
                dates.append(DateCandidate(date, published, "meta"))
                if plausible_date(date):  # a placeholder (0001-01-01) leaves room for the next key
                    break
    for key in _MODIFIED_META:
        date, published = parse_timestamp(first.get(key, ""))
        if date:
            dates.append(DateCandidate(date, published, "meta_modified"))
            break

    headline = site_name = language = None
    crumbs: list[str] = []
    declares_article = first.get("og:type", "").lower() == "article"
    for obj in _json_ld_objects(root):
        kinds = _types(obj)
        if kinds & _ARTICLE_TYPES:
            declares_article = declares_article or bool(kinds - {"webpage"})
            # datePublished over dateCreated over dateModified: the first plausible of each kind.
            for field, source in (
                ("datePublished", "json_ld"),
                ("dateCreated", "json_ld"),
                ("dateModified", "json_ld_modified"),
            ):
                if not isinstance(obj.get(field), str) or any(
                    d.source == source and plausible_date(d.date) for d in dates
                ):
                    continue
                date, published = parse_timestamp(obj[field])
                if date:
                    dates.append(DateCandidate(date, published, source))
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

    html_lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    language = normalize_language(
        html_lang or first.get("og:locale") or first.get("content-language") or first.get("language") or language
    )
    site_name = first.get("og:site_name") or first.get("application-name") or site_name
    title_el = root.find(".//title")
    names = tuple(n for n in (site_name, host_name(canonical)) if n)
    raw_title = first.get("og:title") or first.get("twitter:title") or headline
    title = strip_site_suffix(clean_text(raw_title), names) if raw_title else None
    head_text = element_text(title_el) if title_el is not None else ""
    head_title = strip_site_suffix(head_text, names) if head_text else None
    crumbs = [c for c in crumbs if c.casefold() not in _HOME_CRUMBS] or _breadcrumbs(root)
    for known in (title, head_title):
        if known:
            crumbs = [c for c in crumbs if c.casefold() != known.casefold()]
    summary = first.get("og:description") or first.get("description") or first.get("twitter:description")
    return PageMeta(
        title=title or None,
        head_title=head_title or None,
        base_url=base_url or canonical,
        canonical=canonical,
        site_name=clean_text(site_name) if site_name else host_name(canonical),
        language=language,
        sections=unique([*crumbs, *sections]),
        tags=unique(tags),
        summary=clean_text(summary) if summary else None,
        dates=tuple(dates),
        declares_article=declares_article,
    )
