"""Tests for `generator.livereload`: the preview's HTTP server over a hand-made output folder.

No build and no watcher here: each test serves a few files written by the test, on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.livereload import (
    EVENTS_URL,
    SCRIPT_URL,
    BuildSignal,
    PreviewHTTPServer,
    content_type,
    inject_script,
    is_loopback,
    resolve_url_path,
)
from tests.conftest import write_files
from tests.preview import get

PAGE = "<!doctype html><html><body><p>{}</p></body></html>"


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    """Return an output folder as a build leaves it, in miniature."""
    return write_files(
        tmp_path / "site",
        {
            "index.html": PAGE.format("Front page"),
            "404.html": PAGE.format("Nothing here"),
            "2026/02/04/economy/budget-approved/index.html": PAGE.format("The council approved the budget"),
            "feed.xml": "<feed/>",
            "feed.json": "{}",
            "sitemap.xml": "<urlset/>",
            "static/style.css": "body {}",
        },
    )


@pytest.fixture
def server(output_dir: Path) -> Iterator[PreviewHTTPServer]:
    """Serve output_dir on a free loopback port in a background thread."""
    httpd = PreviewHTTPServer("127.0.0.1", 0, output_dir, BuildSignal())
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.signal.close()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def raw_get(port: int, target: str) -> int:
    """Send a request line verbatim (no client-side normalisation); return the status code."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


def test_serves_pages_with_status_codes_and_types(server: PreviewHTTPServer, output_dir: Path) -> None:
    status, headers, body = get(server.port, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert body == inject_script((output_dir / "index.html").read_bytes())

    status, headers, _ = get(server.port, "/2026/02/04/economy/budget-approved?x=1")
    assert status == 301
    assert headers["Location"] == "/2026/02/04/economy/budget-approved/?x=1"
    status, _, body = get(server.port, "/2026/02/04/economy/budget-approved/")
    assert status == 200 and b"The council approved the budget" in body

    status, headers, body = get(server.port, "/no/such/page/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == inject_script((output_dir / "404.html").read_bytes())

    assert get(server.port, "/feed.xml")[1]["Content-Type"].startswith("application/atom+xml")
    assert get(server.port, "/feed.json")[1]["Content-Type"].startswith("application/feed+json")
    assert get(server.port, "/sitemap.xml")[1]["Content-Type"] == "application/xml"
    assert get(server.port, "/static/style.css")[1]["Content-Type"] == "text/css; charset=utf-8"
    status, headers, body = get(server.port, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_serves_a_plain_404_without_a_404_page(server: PreviewHTTPServer, output_dir: Path) -> None:
    (output_dir / "404.html").unlink()
    status, _, body = get(server.port, "/missing")
    assert status == 404 and b"404 Not found" in body and SCRIPT_URL.encode() in body


def test_serves_the_reload_script(server: PreviewHTTPServer) -> None:
    status, headers, body = get(server.port, SCRIPT_URL)
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"EventSource" in body and EVENTS_URL.encode() in body


def test_path_traversal_is_impossible(server: PreviewHTTPServer, output_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (output_dir / "escape").symlink_to(tmp_path)
    for target in (
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/..%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/escape/secret.txt",
        "/%00",
    ):
        assert raw_get(server.port, target) == 404, target


def test_rejects_foreign_host_names(server: PreviewHTTPServer) -> None:
    # A loopback preview only answers loopback names, so DNS rebinding cannot read it.
    for host, status in (
        ("evil.example", 403),
        (f"localhost:{server.port}", 200),
        (f"[::1]:{server.port}", 200),
        (f"127.0.0.1:{server.port}", 200),
    ):
        assert get(server.port, "/", host=host)[0] == status, host


def test_event_stream_sends_a_new_token_after_each_announced_build(server: PreviewHTTPServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", EVENTS_URL)
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_token() -> str:
        while True:
            line = response.fp.readline().decode()
            assert line, "the event stream ended"
            if line.startswith("data: "):
                return line[6:].strip()

    first = next_token()
    assert first == server.signal.token
    server.signal.announce()
    second = next_token()
    assert second != first and second == server.signal.token
    server.signal.close()
    assert response.fp.read().strip() == b""  # a closed signal ends the stream
    conn.close()


def test_build_signal_wait_returns_at_once_when_the_token_moved_on() -> None:
    signal = BuildSignal()
    old = signal.token
    signal.announce()
    assert signal.wait(old, timeout=5) == signal.token != old
    assert signal.wait(signal.token, timeout=0.01) == signal.token  # timed out: unchanged


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("[::1]") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")


def test_resolve_url_path(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    assert resolve_url_path(tmp_path, "/a/?q=1") == tmp_path / "a"
    assert resolve_url_path(tmp_path, "/a/%2E%2E/%2E%2E/etc") is None
    assert resolve_url_path(tmp_path, "/") == tmp_path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("x.js", "text/javascript; charset=utf-8"),
        ("x.svg", "image/svg+xml"),
        ("pagefind.wasm", "application/wasm"),
        ("en_1.pf_fragment", "application/octet-stream"),
        ("wasm.en.pagefind", "application/octet-stream"),
        ("pagefind-entry.json", "application/json"),
        ("feed.xml", "application/atom+xml; charset=utf-8"),
    ],
)
def test_content_type(name: str, expected: str) -> None:
    assert content_type(Path(name)) == expected


def test_inject_script_before_closing_body() -> None:
    assert inject_script(b"<html><body><p>x</p></BODY></html>").endswith(
        f'<script src="{SCRIPT_URL}"></script></BODY></html>'.encode()
    )
    assert inject_script(b"<p>fragment</p>").endswith(b"</script>")
