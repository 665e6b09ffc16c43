"""The persistent build cache and parallel rendering, through the real CLI.

A cached build must be impossible to tell from a cold one: same bytes, and never a stale
page after an article, a template or the config changed. A broken cache costs one warning.
Pagefind's own output is left out of comparisons: it names its files by run, not by input.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generator import build as build_module
from generator import search
from generator import workers as workers_module
from generator.build import stream_rendered
from generator.config import load_config
from generator.content import load_content
from generator.curate import apply_editorial
from generator.pages import layout_site
from generator.render import Renderer, SiteInfo, template_dirs
from tests.conftest import run_digest

FIXTURE = Path(__file__).parent / "fixtures" / "site-content"
CACHE = Path(".cache") / "digest" / "build.sqlite"


@pytest.fixture(autouse=True)
def no_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip Pagefind (seconds a build): the cache is about pages."""
    monkeypatch.setattr(search, "_command", lambda: None)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root / "content")
    (root / "digest.yaml").write_text("title: Cache Digest\n", encoding="utf-8")
    return root


def _pages(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "pagefind" not in p.parts
    }


def _build(root: Path, *args: str) -> str:
    code, out = run_digest(["build", *args], root)
    assert code == 0, out
    return out


def _cold(root: Path, scratch: Path) -> dict[str, bytes]:
    """Return the pages a build without any cache makes of root's current content."""
    _build(root, "--no-cache", "--output", str(scratch))
    pages = _pages(scratch)
    shutil.rmtree(scratch)
    return pages


def test_a_cached_build_is_byte_identical_to_a_cold_one(site: Path, tmp_path: Path) -> None:
    _build(site)
    assert (site / CACHE).is_file()
    first = _pages(site / "site")
    shutil.rmtree(site / "site")  # CI: a fresh checkout has the cache, not the site
    _build(site)
    assert _pages(site / "site") == first == _cold(site, tmp_path / "cold")


def test_no_page_is_stale_after_an_article_a_template_or_the_config_changes(site: Path, tmp_path: Path) -> None:
    _build(site)
    article = next((site / "content").rglob("thirty-two-commercial-documents.md"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Thirty-two commercial documents", "Thirty-three commercial documents"), "utf-8")
    _build(site)
    pages = _pages(site / "site")
    assert any(b"Thirty-three commercial documents" in data for data in pages.values())
    assert pages == _cold(site, tmp_path / "cold")

    templates = site / "templates"
    templates.mkdir()
    base = (Path(build_module.__file__).parent.parent / "templates" / "base.html").read_text(encoding="utf-8")
    (templates / "base.html").write_text(base.replace("</body>", "<!-- site override --></body>"), "utf-8")
    _build(site)
    assert b"<!-- site override -->" in (site / "site" / "index.html").read_bytes()

    (site / "digest.yaml").write_text("title: Renamed Digest\n", encoding="utf-8")
    _build(site)
    pages = _pages(site / "site")
    assert b"Renamed Digest" in pages["index.html"] and b"Cache Digest" not in pages["index.html"]
    assert pages == _cold(site, tmp_path / "cold")


def test_a_big_sites_spare_copy_is_refreshed_into_the_same_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A big site keeps the site it replaced as a spare copy that the next build refreshes in
    # place (cheaper than a new tree of folders); the result must be a cold build's bytes.
    monkeypatch.setattr(build_module, "SPARE_FILES", 1)
    spare = site / ".site.spare"
    _build(site)
    assert _pages(spare) == _pages(site / "site")  # a first build leaves a linked copy
    article = next((site / "content").rglob("thirty-two-commercial-documents.md"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Thirty-two commercial documents", "Thirty-three commercial documents"), "utf-8")
    gone = next((site / "content").rglob("museum-opens-new-hall.md"))
    gone.unlink()
    _build(site)
    pages = _pages(site / "site")
    assert pages == _cold(site, tmp_path / "cold")
    assert not any("museum-opens-new-hall" in path for path in pages)
    # The spare is the previous site, untouched by the refresh of the one now published.
    previous = _pages(spare)
    assert any(b"Thirty-two commercial documents" in data for data in previous.values())
    assert any("museum-opens-new-hall" in path for path in previous)
    article.write_text(text, "utf-8")  # back again: the refreshed spare is published next
    _build(site)
    assert _pages(site / "site") == _cold(site, tmp_path / "cold")
    assert not any(p.name.startswith(".site.new-") for p in site.iterdir())


def test_a_corrupt_cache_is_one_warning_and_the_site_is_still_right(site: Path, tmp_path: Path) -> None:
    _build(site)
    (site / CACHE).write_bytes(b"\x00not a database\xff" * 512)
    out = _build(site)
    assert out.count("build cache") == 1, out
    assert _pages(site / "site") == _cold(site, tmp_path / "cold")
    out = _build(site)  # the replaced cache works again
    assert "build cache" not in out


def test_no_cache_leaves_no_cache_folder(site: Path) -> None:
    _build(site, "--no-cache")
    assert not (site / ".cache").exists()


def test_rendering_on_every_core_gives_the_bytes_of_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(None, cwd=FIXTURE.parent)
    articles = apply_editorial(load_content(FIXTURE, config).articles, config)
    layout = layout_site(articles, config)
    site = SiteInfo("T", "D", "en", "https://example.org/", (), None, "")
    renderer = Renderer(site, template_dirs(None))
    serial = [renderer.render_page(page).encode() for page in layout]
    monkeypatch.setattr(build_module, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(build_module.os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    pools = []

    class CountedPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(workers_module, "ProcessPoolExecutor", CountedPool)
    assert list(stream_rendered(renderer, layout)) == serial
    assert len(pools) == 1, "the pages were not rendered in worker processes"
