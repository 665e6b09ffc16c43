"""Helpers of the `digest serve` tests: a small site to preview, and the log lines it writes."""

from __future__ import annotations

import http.client
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import write_files

BUDGET = "content/2026/02/04/economy/budget-approved.md"
LIBRARY = "content/2026/02/04/society/library-opens.md"
BUDGET_URL = "/2026/02/04/economy/budget-approved/"


def article(title: str, body: str, *, day: str = "2026-02-04", theme: str = "economy", id: str = "") -> str:
    """Return the text of a content file."""
    ident = id or title.lower().replace(" ", "")[:12]
    return (
        f"---\nid: {ident}\ntitle: {title}\ndate: {day}\ntheme: {theme}\nsource: example.org\n"
        f"source_url: https://example.org/{ident}\n---\n{body}\n"
    )


def make_site(root: Path) -> Path:
    """Write a small site under root (a config and two articles); return root."""
    return write_files(
        root,
        {
            "digest.yaml": "title: Preview Test\nbase_url: https://example.github.io/test/\n",
            BUDGET: article("Budget approved", "The council approved the budget on Wednesday."),
            LIBRARY: article("Library opens", "A reading room for children opened.", theme="society"),
        },
    )


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


@contextmanager
def capture_log() -> Iterator[LogLines]:
    """Capture generator log messages at INFO and above (records from other threads included)."""
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


def get(port: int, path: str, method: str = "GET", host: str = "") -> tuple[int, dict[str, str], bytes]:
    """Make one request to a server on 127.0.0.1:port; return status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": host} if host else {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def page_text(port: int, path: str) -> str:
    """Return the body of a page, or an empty string when it is not a 200."""
    status, _, body = get(port, path)
    return body.decode("utf-8") if status == 200 else ""
