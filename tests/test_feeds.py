"""Feeds, sitemap and robots.txt: valid for feedparser and deterministic."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import feedparser

from generator.feeds import Feed, FeedEntry, atom_feed, json_feed, rfc3339, robots_txt, sitemap

BASE = "https://example.github.io/digest/"
ALMATY = dt.timezone(dt.timedelta(hours=5))


def feed(n: int = 3) -> Feed:
    entries = tuple(
        FeedEntry(
            id=f"tag:example.github.io,2026:id{i}",
            title=f"Title {i} & more",
            url=f"{BASE}2026/02/0{i + 1}/economy/a{i}/",
            published=dt.datetime(2026, 2, i + 1, 9, 30, tzinfo=ALMATY),
            updated=dt.datetime(2026, 2, i + 1, 9, 30, tzinfo=ALMATY),
            summary="Short.",
            content_html="<p>Body <a href='https://x.org'>x</a></p>",
            language="ru" if i == 1 else "en",
            tags=("trade",),
            source="gov.kz",
        )
        for i in reversed(range(n))
    )
    return Feed(BASE + "feed.xml", "Digest", "News.", BASE, BASE + "feed.xml", "en", entries)


def test_atom_parses_cleanly() -> None:
    parsed = feedparser.parse(atom_feed(feed()))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Digest" and parsed.feed.updated == "2026-02-03T09:30:00+05:00"
    assert len(parsed.entries) == 3
    entry = parsed.entries[0]
    assert entry.title == "Title 2 & more" and entry.link.startswith(BASE)
    assert entry.id == "tag:example.github.io,2026:id2"
    assert "<a href=" in entry.content[0].value


def test_atom_marks_other_languages() -> None:
    root = ET.fromstring(atom_feed(feed()).encode())
    langs = [
        e.get("{http://www.w3.org/XML/1998/namespace}lang") for e in root.iter("{http://www.w3.org/2005/Atom}entry")
    ]
    assert langs == [None, "ru", None]


def test_json_feed_is_version_1_1() -> None:
    data = json.loads(json_feed(feed()))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["id"] for item in data["items"]] == [f"tag:example.github.io,2026:id{i}" for i in (2, 1, 0)]
    assert data["items"][0]["date_published"] == "2026-02-03T09:30:00+05:00"
    assert all(item["url"].startswith(BASE) and item["content_html"] for item in data["items"])


def test_feeds_are_deterministic() -> None:
    assert atom_feed(feed()) == atom_feed(feed())
    assert json_feed(feed()) == json_feed(feed())


def test_rfc3339_uses_z_for_utc() -> None:
    assert rfc3339(dt.datetime(2026, 2, 4, tzinfo=dt.UTC)) == "2026-02-04T00:00:00Z"


def test_sitemap_and_robots() -> None:
    text = sitemap([(BASE, dt.date(2026, 2, 4)), (BASE + "a?b&c/", None)])
    root = ET.fromstring(text.encode())
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset" and len(root) == 2
    assert "<lastmod>2026-02-04</lastmod>" in text and "a?b&amp;c/" in text
    assert robots_txt(BASE + "sitemap.xml").endswith(f"Sitemap: {BASE}sitemap.xml\n")


def test_an_entry_without_body_still_has_content() -> None:
    empty = feed(1)
    entry = empty.entries[0]
    bare = Feed(
        empty.id,
        empty.title,
        "",
        BASE,
        BASE + "feed.json",
        "en",
        (type(entry)(**{**entry.__dict__, "content_html": ""}),),
    )
    item = json.loads(json_feed(bare))["items"][0]
    assert item["content_text"] == "Short." and "content_html" not in item
    assert not feedparser.parse(atom_feed(bare)).bozo


def test_atom_leaves_elementtree_prefixes_alone() -> None:
    text = atom_feed(feed())
    assert text.splitlines()[1].startswith('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">')
    # Another document in the same process still gets ElementTree's own prefix.
    other = ET.tostring(ET.Element("{http://www.w3.org/2005/Atom}feed"), encoding="unicode")
    assert other == '<ns0:feed xmlns:ns0="http://www.w3.org/2005/Atom" />'
