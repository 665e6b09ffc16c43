"""Parse HTML with BeautifulSoup and walk the tree (the one module that imports bs4).

Input: decoded HTML text or fragments. Output: a BeautifulSoup tree (lxml parser) without
comments, every element carrying its source line; plain-text views of elements (text,
block paragraphs); in-place removal of never-text elements and (undoably) of page furniture.
Markup is only ever read, never passed on.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import defaultdict, deque
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from bs4 import (
    BeautifulSoup,
    Comment,
    MarkupResemblesLocatorWarning,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.element import PreformattedString
from bs4.exceptions import ParserRejectedMarkup

from generator.sources.values import clean_text, text_to_paragraphs

logger = logging.getLogger(__name__)

#: The types the HTML readers use for a parsed page and for one of its elements.
Document = BeautifulSoup
Element = Tag

#: Elements whose content is never text: code, embedded documents, form controls.
NEVER_TEXT = frozenset(
    {
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
    }
)
_BLOCK_TAGS = frozenset(
    {
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
)
_LOOKS_HTML = re.compile(r"<(?:/?[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
#: What may stand in <head>; libxml2's HTML parser also leaves there anything it does not
#: know (<article>, <main>, <section>) that comes before <body> opens.
_HEAD_TAGS = frozenset({"title", "meta", "link", "style", "script", "base", "noscript", "template"})
# Start tags in the source, for line numbers (libxml2 gives an element the line of its start
# tag's closing ">"), and comments, which hold no elements.
_SOURCE_TAG = re.compile(
    # A quote opens a value only after "=": libxml2 skips a stray one (`rel="home""`).
    r"""<!--.*?(?:-->|\Z)|<([a-zA-Z][a-zA-Z0-9:_-]*)((?:=\s*"[^"]*"|=\s*'[^']*'|[^>])*+)>""",
    re.DOTALL,
)
# Elements whose content the parser reads as text, not markup: a "<h1>" in a script is no heading.
_RAW_TEXT = frozenset({"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "plaintext"})
_BOILERPLATE_TAGS = frozenset({"nav", "aside", "footer", "form", "menu", "dialog"})
_BOILERPLATE_ROLES = frozenset({"navigation", "complementary", "contentinfo", "banner", "search"})
# Whole class names or ids such as `related-news`, `share_buttons`, `post-tags`, `news-ticker`;
# WordPress's `tag-economy` on the article itself must not match, hence `tags` not `tag`.
_BOILERPLATE_NAME = re.compile(
    r"(?:^|[-_])(?:nav|navbar|navigation|menu|breadcrumbs?|share|sharing|social|socials|related|ticker|tags|"
    r"tagcloud|comments?|advert|adverts|advertisement|ads|banner|cookies?|subscribe|subscription|newsletter|"
    r"promo|sidebar|widget|widgets|popular|most-read|mostread|trending|footer|rates|currency|exchange|"
    r"weather|login|signup|pagination|pager|toolbar|print)(?:$|[-_])",
)


def looks_like_html(text: str) -> bool:
    """Return True when a string carries tags or entities (a fragment to parse, not plain text)."""
    return bool(_LOOKS_HTML.search(text))


def _soup(text: str) -> BeautifulSoup | None:
    """Return BeautifulSoup's lxml-parsed tree of text, or None when the parser rejects it."""
    with warnings.catch_warnings():
        # Hostile input may look like a URL, a file name or XML: it is parsed as HTML all the same.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        try:
            # Class and rel stay strings, as in the markup: the heuristics match words in them.
            return BeautifulSoup(text, "lxml", multi_valued_attributes=None, huge_tree=True)
        except (ParserRejectedMarkup, ValueError) as exc:
            logger.debug("HTML parse failed: %s", exc)
            return None


def parse_document(text: str) -> Document | None:
    """Return the parsed HTML document (comments removed, source lines set), or None if it holds no element."""
    # A declaration is no markup; its encoding is moot for text decoded already.
    text = _XML_DECL.sub("", text, count=1)
    soup = _soup(text)
    if soup is None or soup.find() is None:
        return None
    _number_lines(soup, text)
    _move_strays_to_body(soup)
    return soup


def _source_lines(text: str) -> dict[str, deque[int]]:
    """Return, per tag name, the lines of its start tags in the source, in order."""
    lines: dict[str, deque[int]] = defaultdict(deque)
    line, seen, at = 1, 0, 0
    while (match := _SOURCE_TAG.search(text, at)) is not None:
        at = match.end()
        if not match.group(1):
            continue  # a comment
        name = match.group(1).lower()
        line += text.count("\n", seen, at)
        seen = at
        lines[name].append(line)
        if name in _RAW_TEXT and not match.group(2).endswith("/"):
            close = re.compile(rf"</{name}\b", re.IGNORECASE).search(text, at)
            at = close.start() if close else len(text)
    return lines


def _number_lines(soup: BeautifulSoup, text: str) -> None:
    """Drop comments and give every element the line of its start tag (lxml's parse events carry none)."""
    lines = _source_lines(text)
    for node in list(soup.descendants):
        if isinstance(node, Tag):
            # The parser keeps the start tags' order; one it made up (<tbody>) gets no line.
            queue = lines.get(node.name)
            node.sourceline = queue.popleft() if queue else None
        elif isinstance(node, (Comment, ProcessingInstruction)):
            node.extract()  # no text, and a comment would split the text around it in two


def _move_strays_to_body(soup: BeautifulSoup) -> None:
    """Move page content the parser left in <head> (a page starting `<style>…<article>`) to <body>."""
    head = soup.find("head")
    if head is None:
        return
    children = list(head.children)
    first = next((i for i, el in enumerate(children) if isinstance(el, Tag) and el.name not in _HEAD_TAGS), None)
    if first is None:
        return
    body = soup.find("body")
    if body is None:
        body = soup.new_tag("body")
        (soup.find("html") or soup).append(body)
    # Everything from the first stray on was meant for the body, in its order, text included.
    for offset, node in enumerate(children[first:]):
        body.insert(offset, node.extract())


def html_element(doc: Document) -> Element:
    """Return the document's <html> element (the document itself when there is none)."""
    found = doc.find("html")
    return found if isinstance(found, Tag) else doc


def iter_tags(el: Element, *names: str) -> Iterator[Element]:
    """Yield the element and its descendant elements in document order, only those named when names are given."""
    wanted = frozenset(names)
    if not isinstance(el, BeautifulSoup) and (not wanted or el.name in wanted):
        yield el
    for node in el.descendants:
        if isinstance(node, Tag) and (not wanted or node.name in wanted):
            yield node


def attr(el: Element, key: str) -> str:
    """Return an attribute's value, "" when the element has none."""
    value = el.get(key)
    return value if isinstance(value, str) else " ".join(value or ())


def child_tags(el: Element) -> list[Element]:
    """Return the element's child elements (no text nodes)."""
    return [node for node in el.children if isinstance(node, Tag)]


def ancestors(el: Element) -> Iterator[Element]:
    """Yield the element's ancestors, nearest first, up to <html> (the document is none)."""
    for node in el.parents:
        if isinstance(node, BeautifulSoup):
            return
        yield node


def parent_of(el: Element) -> Element | None:
    """Return the element's parent element (None at the top or once removed)."""
    parent = el.parent
    return None if parent is None or isinstance(parent, BeautifulSoup) else parent


def document_of(el: Element) -> Element:
    """Return the topmost node above an element: its document, or the root of a removed subtree."""
    node = el
    while node.parent is not None:
        node = node.parent
    return node


def contains(outer: Element, inner: Element) -> bool:
    """Return True when inner is outer or lies inside it."""
    node: Element | None = inner
    while node is not None:
        if node is outer:
            return True
        node = node.parent
    return False


def has_own_text(el: Element) -> bool:
    """Return True when text (not only whitespace) comes before the element's first child element."""
    for node in el.children:
        if isinstance(node, Tag):
            return False
        if isinstance(node, NavigableString) and not isinstance(node, PreformattedString) and node.strip():
            return True
    return False


def element_text(el: Element) -> str:
    """Return the visible text of an element with whitespace collapsed."""
    return clean_text(el.get_text())


def strip_never_text(doc: Document) -> None:
    """Remove elements whose content is never article text (scripts, styles, frames, forms)."""
    for el in list(iter_tags(doc, *NEVER_TEXT)):
        if el.parent is not None:
            el.extract()


def element_paragraphs(el: Element, skip: Collection[int] = ()) -> tuple[str, ...]:
    """Return an element's text split at block boundaries into plain paragraphs (`skip`: ids of elements left out)."""
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = clean_text("".join(current))
        if text:
            parts.append(text)
        current.clear()

    # An explicit stack, not recursion: hostile pages nest thousands of elements deep.
    stack: list[tuple[object, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, Tag):
            if closing:
                if node.name in _BLOCK_TAGS:
                    flush()
                continue
            if node.name in NEVER_TEXT or id(node) in skip:
                continue
            if node.name in _BLOCK_TAGS:
                flush()
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            current.append(str(node))  # comments, doctypes, CDATA are no text
    flush()
    return tuple(parts)


def html_to_paragraphs(fragment: str) -> tuple[str, ...]:
    """Return the plain-text paragraphs of an HTML fragment (or of plain text as is)."""
    if not fragment or not fragment.strip():
        return ()
    if not looks_like_html(fragment):
        return text_to_paragraphs(fragment)
    # In an explicit body, a fragment's leading <title> or <style> stays where it was written.
    soup = _soup(f"<html><body>{_XML_DECL.sub('', fragment)}</body></html>")
    if soup is None:
        return text_to_paragraphs(re.sub(r"<[^>]*>", " ", fragment))
    body = soup.find("body")
    # Plain line breaks inside a fragment's text nodes are not paragraph breaks.
    return element_paragraphs(body if isinstance(body, Tag) else soup)


def is_boilerplate(el: Element) -> bool:
    """Return True for page furniture: navigation, sidebars, share/tag/related boxes, tickers."""
    if el.name in _BOILERPLATE_TAGS:
        return True
    if attr(el, "role").lower() in _BOILERPLATE_ROLES:
        return True
    names = [*attr(el, "class").lower().split(), attr(el, "id").lower()]
    return any(_BOILERPLATE_NAME.search(n) for n in names if n)


@dataclass(frozen=True, eq=False)
class Removal:
    """Elements taken out of a tree, each with the parent and position it had, in removal order."""

    places: tuple[tuple[Element, Element, int], ...]

    def restore(self) -> None:
        """Put every removed element back where it stood (last removed first, so positions hold)."""
        for el, parent, index in reversed(self.places):
            parent.insert(index, el)


def remove_furniture(doc: Element, keep: Element | None = None) -> Removal:
    """Remove page furniture, never an element holding `keep` or most of the text; return what was removed."""
    # In place and undoable: a copy of a BeautifulSoup tree costs about as much as parsing it.
    body = doc.find("body")
    total = len(element_text(body if isinstance(body, Tag) else doc)) or 1
    places: list[tuple[Element, Element, int]] = []
    for el in list(iter_tags(doc)):
        parent = el.parent
        if parent is None or el.name in ("html", "body"):
            continue
        # A site header is furniture only when the article's title is not inside it.
        furniture = is_boilerplate(el) or (el.name == "header" and keep is not None and not contains(el, keep))
        if not furniture or (keep is not None and contains(el, keep)):
            continue
        # A "sidebar" holding most of the page's text is the page's (mislabelled) content.
        if len(element_text(el)) > 0.5 * total and el.name not in ("nav", "footer"):
            continue
        places.append((el, parent, parent.index(el)))
        el.extract()
    return Removal(tuple(places))


def prune_boilerplate(doc: Element, keep: Element | None = None) -> int:
    """Remove page furniture from the tree for good (see `remove_furniture`); return the count."""
    return len(remove_furniture(doc, keep).places)
