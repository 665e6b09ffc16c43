"""End-to-end `digest fetch` against misbehaving servers: each source ends in time, with one line.

Every test runs the real CLI on a site whose `sources:` point at a raw-socket server on
127.0.0.1 started by the test. The budgets are shortened (module constants, monkeypatched) to
about a second, so a test whose server never stops answering still ends in a few seconds, and
fails if the budget is not enforced.
"""

from __future__ import annotations

import gzip
import re
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from http import HTTPStatus
from pathlib import Path

import pytest

from generator import fetch
from tests.conftest import run_digest

BUDGET = 2.0  # seconds per source in these tests (SOURCE_BUDGET)
FIRST_BYTE = 0.5  # FIRST_BYTE_TIMEOUT: drips below come faster than this, so only the budget stops them
FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title>
<item><title>Budget approved</title><link>https://example.org/a</link><pubDate>Wed, 04 Feb 2026 10:00:00 +0000</pubDate></item>
</channel></rss>
"""
CAP = f"over the {fetch.MAX_BYTES:,}-byte cap"

#: Writes one answer on a client socket; must return once the stop event is set.
Reply = Callable[[socket.socket, threading.Event], None]


class Loopback:
    """A raw TCP server on 127.0.0.1: answers each request path with a test's Reply."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.hits: Counter[str] = Counter()
        self.stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so the accept loop sees the stop event
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        """Stop accepting, tell every reply to finish, and wait for all threads."""
        self.stop.set()
        self._accepting.join(timeout=5)
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            client.settimeout(2)
            try:
                head = b""
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    data = client.recv(4096)
                    if not data:
                        return
                    head += data
                path = head.split(b" ", 2)[1].decode("ascii")
                self.hits[path] += 1
                self.routes.get(path, answer(404, b"not found"))(client, self.stop)
            except OSError:
                pass  # the client hung up first: what most of these tests make it do


@pytest.fixture
def server() -> Iterator[Loopback]:
    """Serve a Loopback for one test; its threads end when the test does."""
    loopback = Loopback()
    try:
        yield loopback
    finally:
        loopback.close()


@pytest.fixture(autouse=True)
def short_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the fetch budgets to test size; keep proxies and CI annotations out of the way."""
    monkeypatch.setattr(fetch, "CONNECT_TIMEOUT", 1.0)
    monkeypatch.setattr(fetch, "FIRST_BYTE_TIMEOUT", FIRST_BYTE)
    monkeypatch.setattr(fetch, "SOURCE_BUDGET", BUDGET)
    monkeypatch.setattr(fetch, "BACKOFF", 0.05)
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None, *, length: bool = True) -> Reply:
    """Return a Reply sending one whole HTTP answer (with Content-Length unless length=False)."""
    fields = {"Content-Type": "text/plain", **(headers or {})}
    if length:
        fields["Content-Length"] = str(len(body))
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        + "Connection: close\r\n\r\n"
    )

    def reply(client: socket.socket, stop: threading.Event) -> None:
        client.sendall(head.encode("latin-1") + body)

    return reply


def hang(client: socket.socket, stop: threading.Event) -> None:
    """Accept the request and never answer (until the test ends)."""
    stop.wait(30)


def drip(head: bytes, every: float = 0.1, most: int = 300) -> Reply:
    """Return a Reply sending head, then one byte every `every` seconds, `most` times at most."""

    def reply(client: socket.socket, stop: threading.Event) -> None:
        client.sendall(head)
        for _ in range(most):
            if stop.wait(every):
                return
            client.sendall(b"x")

    return reply


def failing(times: int, then: Reply) -> Reply:
    """Return a Reply answering 503 the first `times` requests, then as `then` does."""
    left = [times]

    def reply(client: socket.socket, stop: threading.Event) -> None:
        if left[0] > 0:
            left[0] -= 1
            answer(503, b"busy")(client, stop)
        else:
            then(client, stop)

    return reply


def dead_url() -> str:
    """Return a loopback URL where nothing listens (a port bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def fetch_run(root: Path, sources: dict[str, str]) -> tuple[int, str, float]:
    """Run `digest fetch` on a site with these sources; return exit code, output and seconds."""
    lines = ["sources:"] + [f"  - name: {name}\n    url: {url}" for name, url in sources.items()]
    root.mkdir(parents=True, exist_ok=True)
    (root / "digest.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    code, output = run_digest(["fetch"], root)
    return code, output, time.monotonic() - started


def problem_line(output: str, name: str, url: str) -> str:
    """Return the one output line about source `name`, failing unless there is exactly one."""
    lines = [line for line in output.splitlines() if f"source {name} (" in line]
    assert len(lines) == 1, output
    assert re.search(rf"source {name} \({re.escape(url)}\): .+ \(.+\)$", lines[0]), lines[0]
    return lines[0]


def raw_files(root: Path) -> list[str]:
    """Return the files fetch wrote under raw/, relative to it (the state file aside)."""
    raw = root / "raw"
    return sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if p.is_file() and p.name != fetch.STATE_NAME)


def test_hanging_server_fails_within_the_budget(tmp_path: Path, server: Loopback) -> None:
    server.routes["/feed.xml"] = hang
    url = server.url("/feed.xml")

    code, output, seconds = fetch_run(tmp_path, {"hang": url})

    assert code == 1
    assert "no answer within" in problem_line(output, "hang", url)
    assert server.hits["/feed.xml"] >= 2  # a silent server is worth another try, within the budget
    assert seconds < 3 * BUDGET


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Slow: ",  # dripping a header: http.client loops over short reads there
    ],
    ids=["body", "headers"],
)
def test_dripping_server_is_cut_off_at_the_budget(tmp_path: Path, server: Loopback, head: bytes) -> None:
    server.routes["/feed.xml"] = drip(head)
    url = server.url("/feed.xml")

    code, output, seconds = fetch_run(tmp_path, {"drip": url})

    assert code == 1
    line = problem_line(output, "drip", url)
    assert f"bytes arrived within the {BUDGET:g} s budget" in line and "(the site is too slow" in line
    assert server.hits["/feed.xml"] == 1  # a spent budget leaves no time for another try
    assert seconds < 3 * BUDGET
    assert raw_files(tmp_path) == []


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ({"/a": "/b", "/b": "/a"}, "redirect loop: {url}/b leads back to {url}/a"),
        ({f"/r{i}": f"/r{i + 1}" for i in range(20)}, "more than 10 redirects"),
    ],
    ids=["loop", "too-many"],
)
def test_redirects_that_never_end_fail(tmp_path: Path, server: Loopback, routes: dict[str, str], expected: str) -> None:
    for path, target in routes.items():
        server.routes[path] = answer(302, headers={"Location": target})
    start = next(iter(routes))
    url = server.url(start)

    code, output, _ = fetch_run(tmp_path, {"loop": url})

    assert code == 1
    assert expected.format(url=server.url("")) in problem_line(output, "loop", url)
    assert sum(server.hits.values()) <= 11  # never retried, never past the redirect limit


def test_redirect_is_followed_to_the_feed(tmp_path: Path, server: Loopback) -> None:
    server.routes["/old"] = answer(301, headers={"Location": "/feed.xml"})
    server.routes["/feed.xml"] = answer(200, FEED, {"Content-Type": "application/rss+xml"})

    code, output, _ = fetch_run(tmp_path, {"moved": server.url("/old")})

    assert code == 0, output
    assert (tmp_path / "raw/moved").is_dir()
    assert [p.read_bytes() for p in (tmp_path / "raw/moved").iterdir()] == [FEED]


def _stream(total: int) -> Reply:
    """Return a Reply sending `total` bytes without a Content-Length, then closing."""

    def reply(client: socket.socket, stop: threading.Event) -> None:
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        block = b"x" * 65536
        for _ in range(total // len(block)):
            if stop.is_set():
                return
            client.sendall(block)

    return reply


def _declared_too_big(client: socket.socket, stop: threading.Event) -> None:
    client.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {fetch.MAX_BYTES + 1}\r\n\r\n".encode() + b"x" * 1000)
    stop.wait(30)  # the rest never comes: the declared size alone must be refused


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (_declared_too_big, f"response of {fetch.MAX_BYTES + 1:,} bytes is {CAP}"),
        (_stream(25 << 20), f"response is {CAP}"),
    ],
    ids=["content-length", "streamed"],
)
def test_oversized_body_is_refused(tmp_path: Path, server: Loopback, reply: Reply, expected: str) -> None:
    server.routes["/big"] = reply
    url = server.url("/big")

    code, output, seconds = fetch_run(tmp_path, {"big": url})

    assert code == 1
    assert expected in problem_line(output, "big", url)
    assert raw_files(tmp_path) == []
    assert seconds < BUDGET  # refused at the cap, not timed out


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("gzip", gzip.compress(FEED)),
        ("gzip", gzip.compress(FEED[:100]) + gzip.compress(FEED[100:])),  # two members in a row
        ("deflate", zlib.compress(FEED)),
        ("deflate", zlib.compress(FEED)[2:-4]),  # raw deflate, as some servers send it
    ],
    ids=["gzip", "gzip-members", "deflate", "raw-deflate"],
)
def test_compressed_feed_is_saved_decoded(tmp_path: Path, server: Loopback, coding: str, encoded: bytes) -> None:
    headers = {"Content-Type": "application/rss+xml", "Content-Encoding": coding}
    server.routes["/feed.xml"] = answer(200, encoded, headers, length=False)

    code, output, _ = fetch_run(tmp_path, {"feed": server.url("/feed.xml")})

    assert code == 0, output
    assert raw_files(tmp_path) == ["feed/" + next((tmp_path / "raw/feed").iterdir()).name]
    assert next((tmp_path / "raw/feed").iterdir()).read_bytes() == FEED


def test_gzip_bomb_is_refused(tmp_path: Path, server: Loopback) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    bomb = b"".join(packer.compress(zeros) for _ in range(fetch.MAX_BYTES // len(zeros) + 4)) + packer.flush()
    assert len(bomb) < 100_000  # small on the wire: only the decoded size can stop it
    server.routes["/feed.xml"] = answer(200, bomb, {"Content-Encoding": "gzip"})
    url = server.url("/feed.xml")

    code, output, _ = fetch_run(tmp_path, {"bomb": url})

    assert code == 1
    assert f"response is {CAP} once gzip-decoded" in problem_line(output, "bomb", url)
    assert raw_files(tmp_path) == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [(b"<rss>not compressed at all</rss>", "incorrect header check"), (gzip.compress(FEED)[:-20], "cut short")],
    ids=["not-gzip", "truncated"],
)
def test_invalid_gzip_is_one_clear_error(tmp_path: Path, server: Loopback, body: bytes, detail: str) -> None:
    server.routes["/feed.xml"] = answer(200, body, {"Content-Encoding": "gzip"})
    url = server.url("/feed.xml")

    code, output, _ = fetch_run(tmp_path, {"broken": url})

    assert code == 1
    line = problem_line(output, "broken", url)
    assert "the body is sent as gzip but is not valid gzip" in line and detail in line
    assert raw_files(tmp_path) == []


def test_5xx_then_ok_is_retried_and_saved(tmp_path: Path, server: Loopback) -> None:
    server.routes["/feed.xml"] = failing(2, answer(200, FEED, {"Content-Type": "application/rss+xml"}))

    code, output, _ = fetch_run(tmp_path, {"feed": server.url("/feed.xml")})

    assert code == 0, output
    assert server.hits["/feed.xml"] == 3
    assert "1 source: 1 new, 0 unchanged, 0 failed" in output
    assert (tmp_path / "raw/feed").is_dir() and raw_files(tmp_path)[0].endswith(".xml")


def test_connection_closed_early_is_retried_then_reported(tmp_path: Path, server: Loopback) -> None:
    def short(client: socket.socket, stop: threading.Event) -> None:
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10)

    server.routes["/feed.xml"] = short
    url = server.url("/feed.xml")

    code, output, _ = fetch_run(tmp_path, {"short": url})

    assert code == 1
    assert "connection closed after 10 of 1,000 bytes after 3 tries" in problem_line(output, "short", url)


def test_http_proxy_from_the_environment_is_used(
    tmp_path: Path, server: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", f"127.0.0.1:{server.port}")
    url = "http://news.invalid/feed.xml"  # only the proxy can answer for this name
    server.routes[url] = answer(200, FEED, {"Content-Type": "application/rss+xml"})

    code, output, _ = fetch_run(tmp_path, {"feed": url})

    assert code == 0, output
    assert server.hits[url] == 1


def test_several_sources_each_end_with_one_line_and_the_good_one_is_saved(tmp_path: Path, server: Loopback) -> None:
    server.routes["/drip"] = drip(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    server.routes["/hang"] = hang
    server.routes["/feed.xml"] = answer(200, FEED, {"Content-Type": "application/rss+xml"})
    urls = {
        "dead": dead_url(),
        "drip": server.url("/drip"),
        "hang": server.url("/hang"),
        "gone": server.url("/gone"),
        "good": server.url("/feed.xml"),
    }

    code, output, seconds = fetch_run(tmp_path, urls)

    assert code == 1
    assert raw_files(tmp_path) == [f"good/{next((tmp_path / 'raw/good').iterdir()).name}"]
    assert next((tmp_path / "raw/good").iterdir()).read_bytes() == FEED
    assert "source good (" not in output
    expected = {
        "dead": "cannot connect: Connection refused after 3 tries (is the site up",
        "drip": "too slow: only",
        "hang": "no answer within",
        "gone": "HTTP 404 Not Found (the page is gone",
    }
    for name, text in expected.items():
        assert text in problem_line(output, name, urls[name])
    assert "5 sources: 1 new, 0 unchanged, 4 failed in" in output
    assert seconds < 3 * BUDGET  # sources run side by side, each within its own budget
