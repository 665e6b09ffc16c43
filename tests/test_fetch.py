"""Tests for `digest fetch`, against a local HTTP server on 127.0.0.1 started by each test."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import Config, SourceSpec
from generator.fetch import STATE_NAME, FetchOptions, FetchResult, fetch_sources, file_extension, load_state
from generator.log import RunReport
from tests.conftest import make_config

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title>
<item><title>Budget approved</title><link>https://example.org/a</link><pubDate>Wed, 04 Feb 2026 10:00:00 +0000</pubDate></item>
</channel></rss>
"""
DAY = dt.date(2026, 2, 4)
FAST = FetchOptions(first_byte_timeout=5, retries=2, backoff=0, sleep=lambda _s: None)


@dataclass
class Route:
    """What the test server answers on one path."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    etag: str = ""
    last_modified: str = ""
    fail_first: int = 0  # answer 503 this many times before succeeding
    status: int = 200


@dataclass
class Site:
    """A local web server whose routes a test can change; records every request."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, dict(self.headers.items())))
            route = site.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.fail_first > 0:
                route.fail_first -= 1
                self.send_error(503)
                return
            if route.status != 200:
                self.send_error(route.status)
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    """Serve a Site on an ephemeral loopback port for the duration of one test."""
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _dead_url() -> str:
    """Return a loopback URL where nothing listens (a port bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def _config(root: Path, sources: list[tuple[str, str]], extra: str = "") -> Config:
    lines = ["sources:"] + [f"  - name: {name}\n    url: {url}" for name, url in sources]
    return make_config(root, "\n".join(lines) + "\n" + extra)


def _fetch(
    config: Config, *, today: dt.date = DAY, options: FetchOptions = FAST, only: tuple[str, ...] = ()
) -> tuple[RunReport, FetchResult]:
    report = RunReport()
    return report, fetch_sources(config, report=report, today=today, options=options, only=only)


def _raw_files(config: Config) -> list[str]:
    raw = config.paths.raw
    return sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file() and p.name != STATE_NAME)


def test_fetch_writes_one_file_per_source_and_date(tmp_path: Path, site: Site) -> None:
    site.routes["/feed.xml"] = Route(FEED, "application/rss+xml")
    site.routes["/page"] = Route(b"<html><body><h1>Hello</h1></body></html>")
    config = _config(tmp_path, [("feed", site.url("/feed.xml")), ("page", site.url("/page"))])

    report, result = _fetch(config)

    assert not report.problems
    assert result.summary.startswith("2 sources: 2 new, 0 unchanged, 0 failed in ")
    assert _raw_files(config) == ["feed/2026-02-04.xml", "page/2026-02-04.html"]
    assert (config.paths.raw / "feed/2026-02-04.xml").read_bytes() == FEED
    agent = site.requests[0][1]["User-Agent"]
    assert agent.startswith("digest/") and config.base_url in agent


def test_second_fetch_sends_validators_and_writes_nothing(tmp_path: Path, site: Site) -> None:
    site.routes["/feed.xml"] = Route(
        FEED, "application/rss+xml", etag='"v1"', last_modified="Wed, 04 Feb 2026 10:00:00 GMT"
    )
    config = _config(tmp_path, [("feed", site.url("/feed.xml"))])
    _fetch(config)
    state = json.loads((config.paths.raw / STATE_NAME).read_text(encoding="utf-8"))
    assert state["sources"]["feed"]["etag"] == '"v1"'

    report, result = _fetch(config, today=DAY + dt.timedelta(days=1))

    headers = site.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Wed, 04 Feb 2026 10:00:00 GMT"
    assert result.summary.startswith("1 source: 0 new, 1 unchanged, 0 failed")
    assert _raw_files(config) == ["feed/2026-02-04.xml"]
    assert not report.problems


def test_same_bytes_without_validators_write_nothing(tmp_path: Path, site: Site) -> None:
    site.routes["/page"] = Route(b"<html><body>same</body></html>")
    config = _config(tmp_path, [("page", site.url("/page"))])
    _fetch(config)
    _, result = _fetch(config)
    _, later = _fetch(config, today=DAY + dt.timedelta(days=2))
    assert result.count("unchanged") == 1 and later.count("unchanged") == 1
    assert "If-None-Match" not in site.requests[-1][1]
    assert _raw_files(config) == ["page/2026-02-04.html"]


def test_changed_source_gets_a_new_file_and_never_overwrites(tmp_path: Path, site: Site) -> None:
    site.routes["/page"] = Route(b"<p>first</p>")
    config = _config(tmp_path, [("page", site.url("/page"))])
    _fetch(config)
    site.routes["/page"] = Route(b"<p>second</p>")
    _, result = _fetch(config)
    assert result.new_paths == ("page/2026-02-04-2.html",)
    assert (config.paths.raw / "page/2026-02-04.html").read_bytes() == b"<p>first</p>"
    assert load_state(config.paths.raw)["page"].path == "page/2026-02-04-2.html"


def test_dead_and_failing_sources_are_named_and_the_rest_still_fetched(tmp_path: Path, site: Site) -> None:
    site.routes["/feed.xml"] = Route(FEED, "application/rss+xml")
    site.routes["/gone"] = Route(status=404)
    dead = _dead_url()
    config = _config(tmp_path, [("dead", dead), ("gone", site.url("/gone")), ("feed", site.url("/feed.xml"))])

    report, result = _fetch(config)

    assert report.failed
    messages = [str(p) for p in report.problems]
    assert messages[0].startswith(f"source dead ({dead}): cannot connect")
    assert "after 3 tries" in messages[0]
    assert messages[1].startswith(f"source gone ({site.url('/gone')}): HTTP 404")
    assert "(the page is gone: check the url in digest.yaml)" in messages[1]
    assert result.summary.startswith("3 sources: 1 new, 0 unchanged, 2 failed")
    assert _raw_files(config) == ["feed/2026-02-04.xml"]
    # A 404 is not retried; only connection errors and 5xx are.
    assert [path for path, _ in site.requests].count("/gone") == 1


def test_5xx_is_retried_with_backoff_then_succeeds(tmp_path: Path, site: Site) -> None:
    site.routes["/feed.xml"] = Route(FEED, "application/rss+xml", fail_first=2)
    config = _config(tmp_path, [("feed", site.url("/feed.xml"))])
    delays: list[float] = []
    options = FetchOptions(retries=2, backoff=0.5, sleep=delays.append)

    report, result = _fetch(config, options=options)

    assert result.count("new") == 1 and not report.problems
    assert len(delays) == 2 and delays[1] > delays[0] >= 0.5


def test_retries_are_bounded(tmp_path: Path, site: Site) -> None:
    site.routes["/feed.xml"] = Route(FEED, fail_first=100)
    config = _config(tmp_path, [("feed", site.url("/feed.xml"))])
    report, _ = _fetch(config)
    assert "HTTP 503" in str(report.problems[0]) and "after 3 tries" in str(report.problems[0])
    assert len(site.requests) == 3


def test_size_cap(tmp_path: Path, site: Site) -> None:
    site.routes["/big"] = Route(b"x" * 5000)
    config = _config(tmp_path, [("big", site.url("/big"))])
    report, _ = _fetch(config, options=FetchOptions(max_bytes=1000, sleep=lambda _s: None))
    assert "over the 1,000-byte cap" in str(report.problems[0])
    assert _raw_files(config) == []


def test_only_selects_sources(tmp_path: Path, site: Site) -> None:
    site.routes["/a"] = Route(b"<p>a</p>")
    site.routes["/b"] = Route(b"<p>b</p>")
    config = _config(tmp_path, [("a", site.url("/a")), ("b", site.url("/b"))])
    _, result = _fetch(config, only=("b",))
    assert [o.name for o in result.outcomes] == ["b"]
    assert _raw_files(config) == ["b/2026-02-04.html"]


@pytest.mark.parametrize(
    ("kind", "content_type", "url", "ext"),
    [
        ("auto", "application/atom+xml", "https://x.org/f", "xml"),
        ("auto", "text/html; charset=windows-1251", "https://x.org/f", "html"),
        ("auto", "application/x-ndjson", "https://x.org/f", "jsonl"),
        ("auto", "application/octet-stream", "https://x.org/f.rss", "xml"),
        ("auto", "", "https://x.org/f", "txt"),
        ("feed", "text/html", "https://x.org/f", "xml"),
        ("text", "text/html", "https://x.org/f", "txt"),
    ],
)
def test_file_extension(kind: str, content_type: str, url: str, ext: str) -> None:
    assert file_extension(SourceSpec("s", url, kind), content_type) == ext


def test_cli_fetch_exit_status_and_summary(tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    site.routes["/feed.xml"] = Route(FEED, "application/rss+xml")
    config = _config(tmp_path, [("feed", site.url("/feed.xml")), ("gone", site.url("/gone"))])
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    failed = runner.invoke(cli, ["fetch", "--config", str(config.config_path)])
    assert failed.exit_code == 1, failed.output
    assert f"source gone ({site.url('/gone')}): HTTP 404" in failed.output
    assert "2 sources: 1 new, 0 unchanged, 1 failed in" in failed.output

    ok = runner.invoke(cli, ["fetch", "--config", str(config.config_path), "--only", "feed"])
    assert ok.exit_code == 0, ok.output
    assert "1 source: 0 new, 1 unchanged, 0 failed" in ok.output

    unknown = runner.invoke(cli, ["fetch", "--config", str(config.config_path), "--only", "nope"])
    assert unknown.exit_code == 2
    assert "no source named 'nope'" in unknown.output


def test_fetched_feed_is_ingested_by_build(tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    site.routes["/feed.xml"] = Route(FEED, "application/rss+xml")
    config = _config(tmp_path, [("feed", site.url("/feed.xml"))])
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["fetch"]).exit_code == 0

    built = runner.invoke(cli, ["build"])

    assert built.exit_code == 0, built.output
    assert [p.name for p in config.paths.content.rglob("*.md")] == ["budget-approved.md"]
    assert "Budget approved" in (tmp_path / "site/index.html").read_text(encoding="utf-8")
