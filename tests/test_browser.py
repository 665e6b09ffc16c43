"""End to end in a real browser: a reader's journey through the site built from the shared seeds.

The site is served under /digest/ by `python -m http.server` on 127.0.0.1 (as a GitHub Pages
project site is), and tests/e2e/browse.mjs drives Debian's Chromium through playwright-core:
front page -> a theme -> an article -> back -> the search page -> type a word from an article
title -> click a result -> that article. Outside CI the test skips when Chromium, Node or
playwright-core are missing; under CI (CI=true) it never skips.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

try:  # tests/ is a package (tests/__init__.py): the helpers are tests.e2e.sitehost
    from tests.e2e import sitehost
except ImportError:  # rootdir-relative imports, tests/ itself on sys.path
    from e2e import sitehost  # type: ignore[no-redef]

pytestmark = [pytest.mark.site, pytest.mark.browser]

STOPWORDS = {"against", "between", "through", "without", "during", "people", "should", "within"}


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the site built from the shared seeds for the project URL (built once per session)."""
    sitehost.require_tools(what="the browser test")
    return sitehost.build_seed_site(tmp_path_factory.getbasetemp() / "seed-site")


def search_word(site: Path) -> tuple[str, str]:
    """Return a distinctive word from the title of an English article page, and that page's path.

    The page is in an older search bundle than the newest (the one the search page loads
    first), and the word is on no page of the newest: finding it proves the bundles merge.
    """
    bundles = json.loads((site / "pagefind" / "bundles.json").read_text(encoding="utf-8"))["bundles"]
    assert len(bundles) > 1, f"the seed site has one search bundle ({bundles}): the merge goes untested"
    newest = bundles[0].rsplit("-", 1)[0].replace("-", "/")  # "2026-02-<hash>/" → "2026/02"
    pages = sitehost.article_pages(site)
    newest_text = " ".join(
        p.read_text(encoding="utf-8").lower() for p in pages if p.relative_to(site).as_posix().startswith(newest)
    )
    for page in pages:
        if page.relative_to(site).as_posix().startswith(newest):
            continue
        text = page.read_text(encoding="utf-8")
        if re.search(r'<article[^>]*\slang="(?!en)', text) or not re.search(r'<html[^>]*\slang="en', text):
            continue
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
        if not h1:
            continue
        title = html.unescape(re.sub(r"<[^>]+>", " ", h1.group(1)))
        words = [
            w for w in re.findall(r"[A-Za-z]{6,}", title) if w.lower() not in STOPWORDS and w.lower() not in newest_text
        ]
        if words:
            return max(words, key=len), page.relative_to(site).as_posix()
    pytest.fail(f"no English article page with a usable title word in {site}")


def test_reader_journey_front_theme_article_back_and_search(shared_dir: Path, seed_site: Path) -> None:
    word, page = search_word(seed_site)
    with sitehost.served(seed_site) as url:
        proc = sitehost.run_node("browse.mjs", url, word)
    output = f"{proc.stdout}\n{proc.stderr}".strip()
    print(output)
    assert proc.returncode == 0 and "browse: PASS" in proc.stdout, (
        f"browser journey failed (search word {word!r} from {page}):\n{output}"
    )


# One page of every kind (a glob under the site, first match in sorted order); the kit's
# check_a11y samples only index.html and the first page of four other top-level folders.
PAGE_KINDS = {
    "front page": "index.html",
    "front page, older page": "page/*/index.html",
    "daily digest": "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/index.html",
    "article": "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/*/index.html",
    "themes index": "themes/index.html",
    "theme archive": "themes/*/index.html",
    "theme archive, older page": "themes/*/page/*/index.html",
    "archive": "archive/index.html",
    "tags index": "tags/index.html",
    "tag": "tags/*/index.html",
    "sources index": "sources/index.html",
    "source": "sources/*/index.html",
    "languages index": "languages/index.html",
    "language": "languages/*/index.html",
    "search": "search/index.html",
    "not found": "404.html",
}
PHONE_KINDS = {"front page", "article", "search", "archive"}  # also checked at 375 px wide
REQUIRED_KINDS = {"front page", "daily digest", "article", "theme archive", "archive", "tag", "source", "search"}


def test_every_page_kind_has_no_axe_violations_in_light_and_dark(shared_dir: Path, seed_site: Path) -> None:
    pages = {kind: next(iter(sorted(seed_site.glob(pattern))), None) for kind, pattern in PAGE_KINDS.items()}
    missing = sorted(kind for kind in REQUIRED_KINDS if pages[kind] is None)
    assert not missing, f"the seed site has no page of these kinds: {', '.join(missing)}"
    pages = {kind: page for kind, page in pages.items() if page is not None}
    rel = [page.relative_to(seed_site).as_posix() for page in pages.values()]
    with sitehost.served(seed_site) as url:
        phone = ",".join(r for kind, r in zip(pages, rel, strict=True) if kind in PHONE_KINDS)
        proc = sitehost.run_node("a11y.mjs", url, f"--phone={phone}", *rel)
    output = f"{proc.stdout}\n{proc.stderr}".strip()
    print(output)
    assert proc.returncode == 0 and "a11y: PASS" in proc.stdout, f"axe-core found problems:\n{output}"
