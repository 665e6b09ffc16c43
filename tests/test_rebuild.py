"""Tests for `generator.rebuild`: changed paths in, the cheapest rebuild out, no threads.

Each test edits real files of a small site, hands the changes to `Rebuilder.apply` as the
watcher would, and checks the returned `Rebuild`, the built files and the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from watchfiles import Change

from generator.config import Config, load_config
from generator.errors import DigestError
from generator.lock import BusyError
from generator.log import RunReport
from generator.models import Problem
from generator.rebuild import ChangeKind, Rebuild, Rebuilder
from tests.preview import BUDGET, BUDGET_URL, LIBRARY, LogLines, article, capture_log, make_site


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """Return a small site: a config and two articles."""
    return make_site(tmp_path / "site")


@pytest.fixture
def log() -> Iterator[LogLines]:
    """Capture generator log messages."""
    with capture_log() as lines:
        yield lines


def make_rebuilder(site_root: Path, *, ingest: bool = False, **kwargs: Any) -> Rebuilder:
    """Return a Rebuilder for the site, as `digest serve` makes it."""
    config = load_config(site_root / "digest.yaml")
    return Rebuilder(
        config,
        content_dir=config.paths.content.resolve(),
        output_dir=config.paths.site.resolve(),
        ingest=ingest,
        **kwargs,
    )


class FakeBuilder:
    """A builder that records its calls (and the config it was made with) and raises what it is given."""

    def __init__(self, config: Config | None = None, error: Exception | None = None) -> None:
        self.config = config
        self.error = error
        self.calls: list[str | tuple[Path, ...]] = []

    def build(self, report: RunReport) -> Any:
        self.calls.append("build")
        return SimpleNamespace(full=True, pages=3, summary="built 3 pages")

    def rebuild(self, changed: Iterable[Path], report: RunReport) -> Any:
        self.calls.append(tuple(changed))
        if self.error:
            raise self.error
        return SimpleNamespace(full=False, written=1)


def fake_rebuilder(site_root: Path, *, ingest: bool = False, error: Exception | None = None) -> Rebuilder:
    """Return a Rebuilder whose builders are FakeBuilders (the latest is `rebuilder.builder`)."""
    return make_rebuilder(site_root, ingest=ingest, builder_factory=lambda config, *_: FakeBuilder(config, error))


def calls(rebuilder: Rebuilder) -> list[str | tuple[Path, ...]]:
    """Return what the fake builder of a Rebuilder was asked to do."""
    assert isinstance(rebuilder.builder, FakeBuilder)
    return rebuilder.builder.calls


@pytest.fixture
def rebuilder(site_root: Path, log: LogLines) -> Rebuilder:
    """Return a Rebuilder whose first build is done."""
    rebuilder = make_rebuilder(site_root)
    assert rebuilder.build_first()
    return rebuilder


def page(site_root: Path, url: str) -> str:
    """Return the built page at a site URL ('' when there is none)."""
    path = site_root / "site" / url.strip("/") / "index.html"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def modified(*paths: Path, change: Change = Change.modified) -> list[tuple[Change, str]]:
    """Return the changes a watcher reports for paths."""
    return [(change, str(p)) for p in paths]


def test_edited_article_rebuilds_only_what_shows_it(rebuilder: Rebuilder, site_root: Path, log: LogLines) -> None:
    path = site_root / BUDGET
    path.write_text(article("Budget approved", "Edited: the budget grew by a tenth."), encoding="utf-8")
    done = rebuilder.apply(modified(path))
    assert done == Rebuild(built=True, ok=True, changed=(path.resolve(),), reason=done.reason)
    assert done.reason.endswith("budget-approved.md")
    assert "the budget grew by a tenth" in page(site_root, BUDGET_URL)
    assert "rebuilt " in log.text() and "budget-approved.md" in log.text()


def test_new_and_deleted_articles(rebuilder: Rebuilder, site_root: Path) -> None:
    new = site_root / "content/2026/02/05/culture/theatre-season.md"
    new.parent.mkdir(parents=True)
    new.write_text(article("Theatre season", "The season opens.", day="2026-02-05", theme="culture"), encoding="utf-8")
    assert rebuilder.apply(modified(new, change=Change.added)).ok
    assert "The season opens." in page(site_root, "/2026/02/05/culture/theatre-season/")

    (site_root / LIBRARY).unlink()
    assert rebuilder.apply(modified(site_root / LIBRARY, change=Change.deleted)).ok
    assert page(site_root, "/2026/02/04/society/library-opens/") == ""


def test_broken_article_keeps_last_good_version_and_is_named(
    rebuilder: Rebuilder, site_root: Path, log: LogLines
) -> None:
    path = site_root / BUDGET
    path.write_text("---\ntitle: [unclosed\ndate: 2026-02-04\n---\nBroken.\n", encoding="utf-8")
    assert rebuilder.apply(modified(path)) == Rebuild(problems=1)
    line = next(line for line in log.lines if "budget-approved.md:" in line)
    assert line.split("budget-approved.md:", 1)[1].split(":", 1)[0].isdigit()  # path:line: problem
    assert "still serving the last good version" in log.text()
    assert "The council approved the budget" in page(site_root, BUDGET_URL)

    path.write_text(article("Budget approved", "Fixed: approved again."), encoding="utf-8")
    assert rebuilder.apply(modified(path)).ok
    assert "Fixed: approved again." in page(site_root, BUDGET_URL)


def test_broken_article_does_not_hold_back_the_others(site_root: Path, log: LogLines) -> None:
    rebuilder = fake_rebuilder(site_root)
    (site_root / BUDGET).write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    done = rebuilder.apply(modified(site_root / BUDGET, site_root / LIBRARY))
    assert done.built and done.ok and done.problems == 1
    assert done.changed == ((site_root / LIBRARY).resolve(),)
    assert calls(rebuilder) == [done.changed]


def test_config_change_reloads_it_and_rebuilds_everything(site_root: Path, log: LogLines) -> None:
    rebuilder = fake_rebuilder(site_root)
    config = site_root / "digest.yaml"
    config.write_text("title: Renamed Digest\nbase_url: https://example.github.io/test/\n", encoding="utf-8")
    done = rebuilder.apply(modified(config, site_root / BUDGET))
    assert done == Rebuild(built=True, ok=True, full=True, reason="digest.yaml changed")
    assert rebuilder.config.title == "Renamed Digest"
    assert isinstance(rebuilder.builder, FakeBuilder) and rebuilder.builder.config is rebuilder.config
    assert calls(rebuilder) == ["build"]  # the new builder, once, for both changes


def test_config_that_moves_folders_asks_to_watch_again(site_root: Path, log: LogLines) -> None:
    rebuilder = fake_rebuilder(site_root)
    config = site_root / "digest.yaml"
    config.write_text("title: Preview Test\npaths:\n  templates: layouts\n", encoding="utf-8")
    done = rebuilder.apply(modified(config))
    assert done.built and done.rewatch
    assert rebuilder.classify(site_root / "layouts/base.html") is ChangeKind.TEMPLATE


def test_bad_config_keeps_the_last_good_one(site_root: Path, log: LogLines) -> None:
    rebuilder = fake_rebuilder(site_root)
    builder = rebuilder.builder
    (site_root / "digest.yaml").write_text("title: Preview Test\nper_page: lots\n", encoding="utf-8")
    assert rebuilder.apply(modified(site_root / "digest.yaml")) == Rebuild(problems=1)
    assert "digest.yaml:2: per_page" in log.text() and "still serving the last good site" in log.text()
    assert rebuilder.config.title == "Preview Test" and rebuilder.builder is builder
    assert calls(rebuilder) == []
    # The other changes of the batch are still rebuilt, with the old config.
    done = rebuilder.apply(modified(site_root / "digest.yaml", site_root / BUDGET))
    assert done.built and done.problems == 1 and calls(rebuilder) == [done.changed]


def test_template_change_rebuilds_everything(site_root: Path, log: LogLines) -> None:
    rebuilder = fake_rebuilder(site_root)
    builds_before_rewatch: list[int] = []
    rebuilder.on_rewatch = lambda: builds_before_rewatch.append(len(calls(rebuilder)))
    css = site_root / "templates/static/style.css"
    done = rebuilder.apply(modified(site_root / "templates", change=Change.added) + modified(css))
    assert done.built and done.full and done.rewatch  # a new folder to watch
    assert builds_before_rewatch == [0]  # told before the build, so the watch can start meanwhile
    assert calls(rebuilder) == ["build"]
    assert not rebuilder.apply(modified(site_root / "templates", change=Change.deleted)).changed


def test_ignored_changes_do_nothing(site_root: Path) -> None:
    rebuilder = fake_rebuilder(site_root)
    changes = modified(site_root / "site/index.html", site_root / "notes.txt", site_root / "raw/wire.jsonl")
    changes += modified(site_root / "content", change=Change.modified)  # a root's own mtime: nothing
    assert rebuilder.apply(changes) == Rebuild()
    assert calls(rebuilder) == []


def test_raw_file_is_ingested_once(site_root: Path, log: LogLines) -> None:
    (site_root / "raw").mkdir()
    rebuilder = make_rebuilder(site_root, ingest=True)
    assert rebuilder.build_first()
    raw = site_root / "raw/wire.jsonl"
    raw.write_text(
        '{"title": "Wire story arrives", "date": "2026-02-06", "url": "https://example.org/wire", '
        '"body": "A wire story about the new airport terminal opening in the spring."}\n',
        encoding="utf-8",
    )
    done = rebuilder.apply(modified(raw, change=Change.added))
    assert done.ok and len(done.changed) == 1
    written = done.changed[0]
    assert written.is_file() and "content/2026/02/06/" in written.as_posix()
    assert "Wire story arrives" in page(site_root, "/")
    # The watcher then reports the content file ingest wrote: already rebuilt, so nothing to do.
    assert rebuilder.apply(modified(written, change=Change.added)) == Rebuild()
    # A deleted raw file changes nothing: content/ is the record.
    raw.unlink()
    assert rebuilder.apply(modified(raw, change=Change.deleted)) == Rebuild()


@pytest.mark.parametrize(
    ("error", "logged"),
    [
        (BusyError([Problem("site", 0, "locked by pid 1")]), "rebuild skipped: still serving the last good site"),
        (DigestError([Problem("site", 0, "disk full")]), "rebuild failed: still serving the last good site"),
        (RuntimeError("a bug"), "rebuild crashed: still serving the last good site"),
    ],
)
def test_failed_rebuild_keeps_serving(site_root: Path, log: LogLines, error: Exception, logged: str) -> None:
    rebuilder = fake_rebuilder(site_root, error=error)
    assert rebuilder.apply(modified(site_root / BUDGET)) == Rebuild(problems=1)
    assert calls(rebuilder) == [((site_root / BUDGET).resolve(),)]
    assert logged in log.text()


def test_merged_changes_make_one_full_build(site_root: Path, log: LogLines) -> None:
    rebuilder = fake_rebuilder(site_root)
    template = site_root / "templates/base.html"
    done = rebuilder.apply(modified(site_root / BUDGET, site_root / LIBRARY, template))
    assert calls(rebuilder) == ["build"]
    assert done == Rebuild(built=True, ok=True, full=True, reason=done.reason)
    assert "rebuilt 3 pages" in log.text()


def test_classify(site_root: Path) -> None:
    rebuilder = make_rebuilder(site_root, ingest=True)
    assert rebuilder.classify(site_root / BUDGET) is ChangeKind.CONTENT
    assert rebuilder.classify(site_root / "templates/base.html") is ChangeKind.TEMPLATE
    assert rebuilder.classify(site_root / "templates/static/style.css") is ChangeKind.TEMPLATE
    assert rebuilder.classify(site_root / "digest.yaml") is ChangeKind.CONFIG
    assert rebuilder.classify(site_root / "raw/x.txt") is ChangeKind.RAW
    assert rebuilder.classify(site_root / "site/index.html") is None
    assert rebuilder.classify(site_root / "notes.txt") is None
    assert make_rebuilder(site_root, ingest=False).classify(site_root / "raw/x.txt") is None


def test_watch_roots_are_the_existing_input_folders(site_root: Path) -> None:
    assert make_rebuilder(site_root, ingest=True).watch_roots() == [(site_root / "content").resolve()]
    (site_root / "raw").mkdir()
    (site_root / "templates").mkdir()
    roots = make_rebuilder(site_root, ingest=True).watch_roots()
    assert [p.name for p in roots] == ["content", "templates", "raw"]
    assert [p.name for p in make_rebuilder(site_root, ingest=False).watch_roots()] == ["content", "templates"]


def test_first_build_failure_is_logged_not_raised(site_root: Path, log: LogLines) -> None:
    class Failing(FakeBuilder):
        def build(self, report: RunReport) -> Any:
            raise DigestError([Problem("content/x.md", 3, "bad")])

    rebuilder = make_rebuilder(site_root, builder_factory=lambda *_: Failing())
    assert not rebuilder.build_first()
    assert "content/x.md:3: bad" in log.text() and "first build failed" in log.text()
