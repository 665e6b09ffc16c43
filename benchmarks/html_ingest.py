"""Time the HTML reader on the shared web fixtures, and parsing alone with lxml and BeautifulSoup.

Usage: python benchmarks/html_ingest.py [--repeat 1] [--limit N] [--fixtures ../shared/fixtures]

(Not `benchmarks/html.py`: a script's folder comes first on sys.path, and a file named html.py
there would shadow the standard library's `html` for every script in this folder.)

Reads every HTML page under FIXTURES/web (`*.html`, `*.html.gz`) and FIXTURES/raw (any file
whose content is detected as HTML), decodes each once, then times `read_html` (page kind,
metadata, listing splitter or trafilatura + date candidates) over all pages, --repeat times.
Also times parsing only: `lxml.html.document_fromstring` against `BeautifulSoup(text, "lxml")`
and against the reader's own `parse_document` (the soup plus its source-line pass). Prints
one line per measurement: total seconds, pages per second, milliseconds per page.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lxml.html
from bs4 import BeautifulSoup
from lxml import etree

from generator.sources.decode import decode_bytes
from generator.sources.detect import detect_format
from generator.sources.html import read_html
from generator.sources.html_page import parse_document


def load_pages(fixtures: Path, limit: int | None) -> list[tuple[str, str]]:
    """Return (name, decoded text) of every HTML page under the fixtures, sorted by path."""
    pages: list[tuple[str, str]] = []
    paths = sorted((fixtures / "web").rglob("*.html")) + sorted((fixtures / "web").rglob("*.html.gz"))
    paths += sorted(p for p in (fixtures / "raw").rglob("*") if p.is_file())
    for path in sorted(paths):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = decode_bytes(data).text
        if detect_format(text, path.name) == "html":
            pages.append((path.name, text))
    return pages[:limit] if limit else pages


def parse_lxml(text: str, _: str) -> object:
    """Return lxml's tree of a page (as the reader did before BeautifulSoup), None when it refuses it."""
    try:
        return lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1))
    except (ValueError, etree.ParserError):
        return None


def timed(label: str, pages: list[tuple[str, str]], repeat: int, work: Callable[[str, str], object]) -> None:
    """Run `work` on every page `repeat` times and print the totals."""
    start = time.perf_counter()
    for _ in range(repeat):
        for name, text in pages:
            work(text, name)
    seconds = time.perf_counter() - start
    count = len(pages) * repeat
    print(f"{label:<28} {seconds:8.2f} s  {count / seconds:8.1f} pages/s  {1000 * seconds / count:7.1f} ms/page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--fixtures", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "fixtures")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # trafilatura's and htmldate's chatter
    warnings.simplefilter("ignore")
    pages = load_pages(args.fixtures, args.limit)
    size = sum(len(t) for _, t in pages) / 1e6
    print(f"{len(pages)} HTML pages, {size:.1f} M characters, {args.repeat} repetition(s)")
    timed("parse: lxml.html", pages, args.repeat, parse_lxml)
    timed("parse: BeautifulSoup(lxml)", pages, args.repeat, lambda text, _: BeautifulSoup(text, "lxml"))
    timed("parse: parse_document", pages, args.repeat, lambda text, _: parse_document(text))
    timed("read_html (whole reader)", pages, args.repeat, lambda text, name: read_html(text, name, name))


if __name__ == "__main__":
    main()
