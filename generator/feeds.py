"""Write the machine-readable files: Atom and JSON Feed 1.1 feeds, sitemap.xml, robots.txt.

Input: frozen `Feed`s (entries with absolute URLs and ready HTML) or (URL, date) pairs.
Output: the file text. Pure: no I/O, no clock; every date comes from the entries, so the
same articles give byte-identical feeds.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedEntry:
    """One article in a feed: absolute URL, RFC 3339-ready times and sanitized HTML."""

    id: str
    title: str
    url: str
    published: dt.datetime
    updated: dt.datetime
    summary: str
    content_html: str
    language: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Feed:
    """A feed of entries, newest first; `updated` is its newest entry's time."""

    id: str
    title: str
    description: str
    home_url: str
    feed_url: str
    language: str
    entries: tuple[FeedEntry, ...]
    author: str = ""

    @property
    def updated(self) -> dt.datetime:
        """Return the newest entry's update time (the epoch for an empty feed)."""
        return max((e.updated for e in self.entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


def rfc3339(moment: dt.datetime) -> str:
    """Return an aware datetime as RFC 3339 text (`Z` for UTC)."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(feed: Feed) -> str:
    """Return an Atom 1.0 document for a feed."""
    # Unqualified tags under an xmlns attribute written by hand: registering the Atom
    # namespace as the default (ET.register_namespace) would change every later
    # serialization in the process, and tostring's default_namespace refuses the
    # unqualified attributes (rel, href).
    root = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: feed.language})
    _sub(root, "id", feed.id)
    _sub(root, "title", feed.title)
    if feed.description:
        _sub(root, "subtitle", feed.description)
    _sub(root, "updated", rfc3339(feed.updated))
    _sub(root, "link", rel="alternate", type="text/html", href=feed.home_url)
    _sub(root, "link", rel="self", type="application/atom+xml", href=feed.feed_url)
    author = _sub(root, "author")
    _sub(author, "name", feed.author or feed.title)
    _sub(root, "generator", "digest")
    for entry in feed.entries:
        node = _sub(root, "entry")
        if entry.language and entry.language != feed.language:
            node.set(XML_LANG, entry.language)
        _sub(node, "id", entry.id)
        _sub(node, "title", entry.title)
        _sub(node, "link", rel="alternate", type="text/html", href=entry.url)
        _sub(node, "published", rfc3339(entry.published))
        _sub(node, "updated", rfc3339(entry.updated))
        if entry.source:
            entry_author = _sub(node, "author")
            _sub(entry_author, "name", entry.source)
        for tag in entry.tags:
            _sub(node, "category", term=tag)
        if entry.summary:
            _sub(node, "summary", entry.summary)
        if entry.content_html:
            _sub(node, "content", entry.content_html, type="html")
    ET.indent(root)
    return (
        ET.tostring(root, encoding="unicode", xml_declaration=True)
        .replace("<?xml version='1.0' encoding='us-ascii'?>", '<?xml version="1.0" encoding="utf-8"?>')
        .replace("<?xml version='1.0' encoding='utf-8'?>", '<?xml version="1.0" encoding="utf-8"?>')
        + "\n"
    )


def json_feed(feed: Feed) -> str:
    """Return a JSON Feed 1.1 document for a feed."""
    items = []
    for entry in feed.entries:
        item: dict[str, object] = {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
        }
        # JSON Feed requires content; an article may have only a title and a summary.
        if entry.content_html:
            item["content_html"] = entry.content_html
        else:
            item["content_text"] = entry.summary or entry.title
        if entry.summary:
            item["summary"] = entry.summary
        item["date_published"] = rfc3339(entry.published)
        item["date_modified"] = rfc3339(entry.updated)
        if entry.tags:
            item["tags"] = list(entry.tags)
        if entry.language:
            item["language"] = entry.language
        if entry.source:
            item["authors"] = [{"name": entry.source}]
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.feed_url,
        "description": feed.description,
        "language": feed.language,
        "authors": [{"name": feed.author or feed.title}],
        "items": items,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def sitemap(urls: Sequence[tuple[str, dt.date | None]]) -> str:
    """Return a sitemap.xml listing absolute URLs with their last-modified dates."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for url, lastmod in urls:
        loc = url.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{loc}</loc>{mod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(sitemap_url: str) -> str:
    """Return a robots.txt that allows everything and points at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"
