"""The not-found and search pages work wherever the site is opened, built with the real CLI.

404.html is served in place of any missing page, at any depth (GitHub Pages), by `digest
serve` at the server's root, and may be opened from disk: it inlines its CSS and links from
the base path, and a small script moves the links to the site root it finds. The search page
says why search cannot work from disk (file://) and when Pagefind fails to load, instead of
hanging. The browser test skips without Chromium and Node outside CI, as tests/test_browser.py.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import re
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_digest

try:  # tests/ is a package (tests/__init__.py): the helpers are tests.e2e.sitehost
    from tests.e2e import sitehost
except ImportError:  # rootdir-relative imports, tests/ itself on sys.path
    from e2e import sitehost  # type: ignore[no-redef]

FIXTURE = Path(__file__).parent / "fixtures" / "site-content"
BASE = "https://example.github.io/digest/"


def build(root: Path, base_url: str = BASE) -> Path:
    """Build the fixture content with `digest build` for base_url; return the site folder."""
    site = root / "site"
    code, output = run_digest(
        ["build", "--no-ingest", "--content", str(FIXTURE), "--output", str(site), "--base-url", base_url], root
    )
    assert code == 0, output
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the fixture site built once for the project URL."""
    return build(tmp_path_factory.mktemp("published"))


def links(html: str) -> list[str]:
    """Return every href and src value of a page."""
    return re.findall(r'\s(?:href|src)="([^"]*)"', html)


def test_not_found_page_inlines_its_css_and_links_from_the_base_path(site: Path) -> None:
    html = (site / "404.html").read_text(encoding="utf-8")
    css = (REPO / "templates" / "static" / "style.css").read_text(encoding="utf-8")
    assert 'rel="stylesheet"' not in html
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert style is not None and style.group(1) == css.replace("</", "<\\/")
    # Without JavaScript the links work on the published site, at any depth.
    assert all(link.startswith(("/digest/", "#")) for link in links(html)), links(html)
    assert '<a href="/digest/archive/index.html">' in html
    assert 'var base = "/digest/";' in html
    # Every other page keeps its relative stylesheet link and no script.
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="static/style.css">' in index
    assert "<style>" not in index and "<script>" not in index


def test_not_found_page_of_a_site_at_a_domain_root(tmp_path: Path) -> None:
    html = (build(tmp_path, "https://news.example.org/") / "404.html").read_text(encoding="utf-8")
    assert 'var base = "/";' in html
    assert '<a href="/archive/index.html">' in html


def test_search_page_says_why_search_fails_instead_of_hanging(site: Path) -> None:
    html = (site / "search" / "index.html").read_text(encoding="utf-8")
    disk = re.search(r'<p id="search-from-disk" class="notice" role="status" hidden>(.*?)</p>', html)
    assert disk is not None, html
    assert "opened from disk" in disk.group(1) and "<code>digest serve</code>" in disk.group(1)
    assert '<a href="../archive/index.html">archive</a>' in disk.group(1)
    assert re.search(r'<p id="search-failed" class="notice" role="alert" hidden>Search could not load', html)
    script = (site / "static" / "search.js").read_text(encoding="utf-8")
    assert 'window.location.protocol === "file:"' in script
    assert 'show("search-from-disk")' in script and 'show("search-failed")' in script


# --- in a browser --------------------------------------------------------------------------------


@contextlib.contextmanager
def pages_host(site: Path, mount: str) -> Iterator[str]:
    """Serve site under mount on 127.0.0.1, with 404.html for every missing page (as GitHub Pages and
    `digest serve` do); yield the site's URL."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

        def send_head(self) -> Any:
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            rel = path[len(mount) :] if path.startswith(mount) else None
            if rel is not None and ((site / rel).is_file() or (path.endswith("/") and (site / rel).is_dir())):
                self.path = "/" + rel
                return super().send_head()
            data = (site / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return io.BytesIO(data)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{mount}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.site
@pytest.mark.browser
def test_not_found_page_works_published_previewed_and_from_disk(site: Path) -> None:
    sitehost.require_tools(what="the browser test")
    with pages_host(site, "/digest/") as published, pages_host(site, "/") as preview:
        urls = [
            # GitHub Pages: the page itself, and in place of missing pages at several depths.
            published + "404.html",
            published + "nope",
            published + "2026/99/99/economy/gone/",
            # A preview at the server's root (digest serve), also for an old published address.
            preview + "404.html",
            preview + "nope",
            preview + "2026/99/99/economy/gone/",
            preview + "digest/2026/02/04/",
            # Opened from disk.
            (site / "404.html").as_uri(),
            (site / "search" / "index.html").as_uri(),
        ]
        proc = sitehost.run_node("notfound.mjs", *urls)
    output = f"{proc.stdout}\n{proc.stderr}".strip()
    assert proc.returncode == 0 and "notfound: PASS" in proc.stdout, output
