"""Tests for the BeautifulSoup layer of the HTML readers: parsing, source lines, text views, pruning."""

from __future__ import annotations

from generator.sources.html_tree import (
    element_paragraphs,
    element_text,
    html_to_paragraphs,
    iter_tags,
    parse_document,
    prune_boilerplate,
    remove_furniture,
    strip_never_text,
)


def test_parse_document_rejects_empty_input() -> None:
    assert parse_document("") is None
    assert parse_document("   \n") is None
    assert parse_document("<!-- only a comment -->") is None


def test_parse_document_takes_url_like_and_xml_declared_text_without_warnings() -> None:
    # filterwarnings=error: a bs4 warning (MarkupResemblesLocatorWarning...) would fail here.
    assert parse_document("https://example.org/page.html") is not None
    doc = parse_document('<?xml version="1.0" encoding="utf-8"?>\n<html><body><h1>T</h1></body></html>')
    assert doc is not None
    assert [element_text(h) for h in iter_tags(doc, "h1")] == ["T"]


def test_source_lines_follow_the_start_tag_like_libxml2() -> None:
    text = (
        "<html>\n<head>\n<script>document.write('<h1>not a heading</h1>')</script>\n"
        "<!-- <h1>commented out</h1> -->\n</head>\n<body>\n"
        '<a href="/x" rel="home"">stray quote</a>\n'
        '<h1\n  class="title"\n>Headline</h1>\n'
        "<svg><title/></svg><h2>Second</h2>\n</body></html>"
    )
    doc = parse_document(text)
    assert doc is not None
    # A multi-line start tag counts from its closing ">", as lxml's sourceline did.
    assert [h.sourceline for h in iter_tags(doc, "h1")] == [10]
    assert [h.sourceline for h in iter_tags(doc, "h2")] == [11]


def test_comments_are_dropped_and_do_not_split_text() -> None:
    doc = parse_document("<html><body><p>Astana<!-- ad -->, Kazakhstan</p></body></html>")
    assert doc is not None
    assert element_paragraphs(doc) == ("Astana, Kazakhstan",)


def test_stray_content_in_head_moves_to_body() -> None:
    doc = parse_document("<html><head><style>p{}</style><article><h1>Title</h1></article></head><body></body></html>")
    assert doc is not None
    body = doc.find("body")
    assert body is not None
    assert [element_text(h) for h in iter_tags(body, "h1")] == ["Title"]


def test_element_paragraphs_splits_blocks_and_skips_never_text_and_skipped() -> None:
    doc = parse_document(
        "<html><body><div><p>One <b>bold</b></p><script>var x = 1;</script>"
        '<p id="skip">Drop me</p>tail text<p>Two</p></div></body></html>'
    )
    assert doc is not None
    skipped = doc.find(id="skip")
    assert skipped is not None
    assert element_paragraphs(doc, skip={id(skipped)}) == ("One bold", "tail text", "Two")


def test_html_to_paragraphs_returns_plain_text_only() -> None:
    fragment = '<p>First <a href="javascript:alert(1)">link</a></p><p><img src=x onerror=alert(1)>Second</p>'
    assert html_to_paragraphs(fragment) == ("First link", "Second")
    assert html_to_paragraphs("plain\n\nlines") == ("plain", "lines")


def test_strip_never_text_and_prune_boilerplate() -> None:
    doc = parse_document(
        "<html><body><nav>Home News</nav><div class='share-buttons'>Share</div>"
        "<main><p>" + "Article text. " * 20 + "</p></main><form><input name=q></form></body></html>"
    )
    assert doc is not None
    strip_never_text(doc)
    assert doc.find("input") is None
    assert prune_boilerplate(doc) == 3  # nav, the share box, the form
    assert element_paragraphs(doc) == (("Article text. " * 20).strip(),)


def test_remove_furniture_can_be_undone_exactly() -> None:
    text = (
        "<html><body><header><nav><a href='/'>Home</a></nav></header><main><h1>Title</h1>"
        "<div class='related'><ul><li class='share'>Share</li></ul></div><p>Body</p>"
        "<aside>Side</aside></main><footer>Footer</footer></body></html>"
    )
    doc = parse_document(text)
    assert doc is not None
    before = str(doc)
    removal = remove_furniture(doc)
    assert element_paragraphs(doc) == ("Title", "Body")
    removal.restore()
    assert str(doc) == before
