"""Tests for `digest serve`: a real PreviewServer on 127.0.0.1, real builds, real file edits."""

from __future__ import annotations

import http.client
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.serve import (
    SCRIPT_URL,
    ChangeKind,
    PreviewServer,
    content_type,
    inject_script,
    is_loopback,
    resolve_url_path,
)
from tests.conftest import REPO, write_files

WAIT = 30.0  # generous: only how long to wait for a change to show, never a speed assertion


def article(title: str, body: str, *, day: str = "2026-02-04", theme: str = "economy", id: str = "") -> str:
    """Return the text of a content file."""
    ident = id or title.lower().replace(" ", "")[:12]
    return (
        f"---\nid: {ident}\ntitle: {title}\ndate: {day}\ntheme: {theme}\nsource: example.org\n"
        f"source_url: https://example.org/{ident}\n---\n{body}\n"
    )


BUDGET = "content/2026/02/04/economy/budget-approved.md"
LIBRARY = "content/2026/02/04/society/library-opens.md"


class LogLines(logging.Handler):
    """Collect the messages of the `generator` loggers, whatever the CLI did to propagation."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def text(self) -> str:
        """Return every message so far, one per line."""
        return "\n".join(self.lines)


@pytest.fixture
def log() -> Iterator[LogLines]:
    """Capture generator log messages (records from the watcher threads included)."""
    handler = LogLines()
    logger = logging.getLogger("generator")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def wait_until(check: Callable[[], bool], what: str) -> None:
    """Poll check until it is true; fail naming what never happened."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def get(server: PreviewServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Make one request to the preview; return status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw_get(server: PreviewServer, target: str) -> int:
    """Send a request line verbatim (no client-side normalisation); return the status code."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    """Return a small site: a config and two articles."""
    return write_files(
        tmp_path / "site",
        {
            "digest.yaml": "title: Preview Test\nbase_url: https://example.github.io/test/\n",
            BUDGET: article("Budget approved", "The council approved the budget on Wednesday."),
            LIBRARY: article("Library opens", "A reading room for children opened.", theme="society"),
        },
    )


@pytest.fixture
def preview(site_root: Path, log: LogLines) -> Iterator[PreviewServer]:
    """Start a PreviewServer on a free loopback port; stop it after the test."""
    server = PreviewServer(load_config(site_root / "digest.yaml"), port=0, ingest=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def page_text(server: PreviewServer, path: str) -> str:
    """Return the body of a page, or an empty string when it is not a 200."""
    status, _, body = get(server, path)
    return body.decode("utf-8") if status == 200 else ""


# --- serving ---------------------------------------------------------------------------------


def test_serves_pages_with_status_codes_and_types(preview: PreviewServer, site_root: Path) -> None:
    status, headers, body = get(preview, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert SCRIPT_URL.encode() in body
    assert b"Budget approved" in body

    status, headers, _ = get(preview, "/2026/02/04/economy/budget-approved")
    assert status == 301
    assert headers["Location"] == "/2026/02/04/economy/budget-approved/"
    status, _, body = get(preview, "/2026/02/04/economy/budget-approved/")
    assert status == 200 and b"The council approved the budget" in body

    status, headers, body = get(preview, "/no/such/page/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.replace(SCRIPT_URL.encode(), b"") != b""
    assert inject_script((site_root / "site/404.html").read_bytes()) == body

    assert get(preview, "/feed.xml")[1]["Content-Type"].startswith("application/atom+xml")
    assert get(preview, "/feed.json")[1]["Content-Type"].startswith("application/feed+json")
    assert get(preview, "/sitemap.xml")[1]["Content-Type"] == "application/xml"
    assert get(preview, "/static/style.css")[1]["Content-Type"] == "text/css; charset=utf-8"
    status, headers, body = get(preview, "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_reload_script_is_never_written_to_disk(preview: PreviewServer, site_root: Path) -> None:
    for page in (site_root / "site").rglob("*.html"):
        assert SCRIPT_URL not in page.read_text(encoding="utf-8"), page
    status, headers, body = get(preview, SCRIPT_URL)
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"EventSource" in body


def test_path_traversal_is_impossible(preview: PreviewServer, site_root: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (site_root / "site" / "escape").symlink_to(tmp_path)
    for target in (
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/..%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/escape/secret.txt",
        "/%00",
    ):
        assert raw_get(preview, target) == 404, target


def test_binds_loopback_only_by_default(preview: PreviewServer) -> None:
    assert preview.host == "127.0.0.1"
    assert preview.url == f"http://127.0.0.1:{preview.port}/"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("example.org")


def test_warns_loudly_when_not_loopback(site_root: Path, log: LogLines) -> None:
    server = PreviewServer(load_config(site_root / "digest.yaml"), host="0.0.0.0", port=0, watch=False)
    server.warn_if_public()  # the check start() makes, without binding a public address in a test
    assert "other machines can reach" in log.text()


# --- rebuilding ------------------------------------------------------------------------------


def test_edited_article_shows_without_restart(preview: PreviewServer, site_root: Path, log: LogLines) -> None:
    url = "/2026/02/04/economy/budget-approved/"
    (site_root / BUDGET).write_text(article("Budget approved", "Edited: the budget grew by a tenth."), encoding="utf-8")
    wait_until(lambda: "the budget grew by a tenth" in page_text(preview, url), "the edit to be served")
    # The page is written inside rebuild(); the log line follows once it returns.
    wait_until(lambda: "rebuilt " in log.text(), "the rebuild to be logged")
    assert "budget-approved.md" in log.text()


def test_new_and_deleted_articles(preview: PreviewServer, site_root: Path) -> None:
    new = site_root / "content/2026/02/05/culture/theatre-season.md"
    new.parent.mkdir(parents=True)
    new.write_text(article("Theatre season", "The season opens.", day="2026-02-05", theme="culture"), encoding="utf-8")
    wait_until(lambda: get(preview, "/2026/02/05/culture/theatre-season/")[0] == 200, "the new article")
    (site_root / LIBRARY).unlink()
    wait_until(lambda: get(preview, "/2026/02/04/society/library-opens/")[0] == 404, "the deleted article to go")


def test_broken_article_keeps_last_good_site_and_is_named(
    preview: PreviewServer, site_root: Path, log: LogLines
) -> None:
    url = "/2026/02/04/economy/budget-approved/"
    (site_root / BUDGET).write_text("---\ntitle: [unclosed\ndate: 2026-02-04\n---\nBroken.\n", encoding="utf-8")
    wait_until(lambda: "budget-approved.md:" in log.text(), "the broken file to be named in the log")
    line = next(line for line in log.lines if "budget-approved.md:" in line)
    assert line.split("budget-approved.md:", 1)[1].split(":", 1)[0].isdigit()  # path:line: problem
    assert "The council approved the budget" in page_text(preview, url)
    assert get(preview, "/")[0] == 200

    (site_root / BUDGET).write_text(article("Budget approved", "Fixed: approved again."), encoding="utf-8")
    wait_until(lambda: "Fixed: approved again." in page_text(preview, url), "the fixed article")


def test_template_and_config_changes_rebuild_everything(preview: PreviewServer, site_root: Path) -> None:
    config = site_root / "digest.yaml"
    # Replace the file by renaming over it, as editors do; the watcher must keep hearing it.
    for title in ("Renamed Digest", "Renamed Again"):
        tmp = site_root / ".digest.yaml.tmp"
        tmp.write_text(f"title: {title}\nbase_url: https://example.github.io/test/\n", encoding="utf-8")
        tmp.replace(config)
        wait_until(lambda title=title: title in page_text(preview, "/archive/"), f"the new title {title!r}")

    css = site_root / "templates/static/style.css"
    css.parent.mkdir(parents=True)
    css.write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    wait_until(lambda: "rebeccapurple" in page_text(preview, "/static/style.css"), "the new stylesheet")


def test_bad_config_keeps_serving(preview: PreviewServer, site_root: Path, log: LogLines) -> None:
    (site_root / "digest.yaml").write_text("title: Preview Test\nper_page: lots\n", encoding="utf-8")
    wait_until(lambda: "per_page" in log.text(), "the config problem to be logged")
    assert "digest.yaml:2: per_page" in log.text()
    assert "Preview Test" in page_text(preview, "/")


def test_pages_are_told_to_reload_after_a_rebuild(preview: PreviewServer, site_root: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=WAIT)
    conn.request("GET", "/__digest/events")
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"

    def next_token() -> str:
        while True:
            line = response.fp.readline().decode()
            if line.startswith("data: "):
                return line[6:].strip()

    first = next_token()
    (site_root / BUDGET).write_text(article("Budget approved", "Reload me."), encoding="utf-8")
    second = next_token()
    assert second != first
    conn.close()


def test_raw_file_is_ingested_and_shown(site_root: Path, log: LogLines) -> None:
    server = PreviewServer(load_config(site_root / "digest.yaml"), port=0, ingest=True)
    (site_root / "raw").mkdir()
    server.start()
    try:
        raw = site_root / "raw/wire.jsonl"
        raw.write_text(
            '{"title": "Wire story arrives", "date": "2026-02-06", "url": "https://example.org/wire", '
            '"body": "A wire story about the new airport terminal opening in the spring."}\n',
            encoding="utf-8",
        )
        wait_until(lambda: "Wire story arrives" in page_text(server, "/"), "the ingested raw item on the front page")
        assert list((site_root / "content/2026/02/06").rglob("*.md"))
    finally:
        server.stop()


def test_stop_ends_threads_and_frees_the_port(site_root: Path) -> None:
    server = PreviewServer(load_config(site_root / "digest.yaml"), port=0, ingest=False)
    server.start()
    port = server.port
    server.stop()
    assert all(not t.is_alive() for t in server.threads)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


# --- units -----------------------------------------------------------------------------------


def test_classify(site_root: Path) -> None:
    config = load_config(site_root / "digest.yaml")
    server = PreviewServer(config, port=0, watch=False)
    assert server.classify(site_root / BUDGET) is ChangeKind.CONTENT
    assert server.classify(site_root / "templates/base.html") is ChangeKind.TEMPLATE
    assert server.classify(site_root / "templates/static/style.css") is ChangeKind.TEMPLATE
    assert server.classify(site_root / "digest.yaml") is ChangeKind.CONFIG
    assert server.classify(site_root / "raw/x.txt") is ChangeKind.RAW
    assert server.classify(site_root / "site/index.html") is None
    assert server.classify(site_root / "notes.txt") is None
    no_ingest = PreviewServer(config, port=0, watch=False, ingest=False)
    assert no_ingest.classify(site_root / "raw/x.txt") is None


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
    ],
)
def test_content_type(name: str, expected: str) -> None:
    assert content_type(Path(name)) == expected


def test_inject_script_before_closing_body() -> None:
    assert inject_script(b"<html><body><p>x</p></BODY></html>").endswith(
        f'<script src="{SCRIPT_URL}"></script></BODY></html>'.encode()
    )
    assert inject_script(b"<p>fragment</p>").endswith(b"</script>")


def test_cli_reports_a_busy_port(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site_root)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--no-ingest"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_ctrl_c_stops_cleanly(site_root: Path) -> None:
    # SIGINT is set to its default handler explicitly: a job started in the background by a
    # non-interactive shell (as CI may be) inherits it ignored.
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from generator.cli import main; sys.argv = ['digest', 'serve', '--port', '0', '--no-ingest']; main()"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [sys.executable, "-c", code], cwd=site_root, env=env, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("serving http://127.0.0.1:"):
                break
        else:
            raise AssertionError("".join(lines))
        port = int(line.split(":")[2].split("/")[0])
        assert page_text_at(port, "/").count("Budget approved") >= 1
        proc.send_signal(signal.SIGINT)
        try:
            rest = proc.communicate(timeout=WAIT)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert proc.returncode == 0, rest
    assert "Traceback" not in rest and "stopping" in rest


def page_text_at(port: int, path: str) -> str:
    """Return the body of a page served on a loopback port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode("utf-8")
    finally:
        conn.close()


def test_rejects_foreign_host_names(preview: PreviewServer) -> None:
    # A loopback preview only answers loopback names, so DNS rebinding cannot read it.
    for host, status in (("evil.example", 403), (f"localhost:{preview.port}", 200), (f"[::1]:{preview.port}", 200)):
        conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
        try:
            conn.request("GET", "/", headers={"Host": host})
            assert conn.getresponse().status == status, host
        finally:
            conn.close()
