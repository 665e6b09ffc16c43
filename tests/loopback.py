"""A programmable web server on 127.0.0.1 for end-to-end fetch tests and the replay benchmark.

Each path answers from a `Reply`: a body (optionally dripped byte by byte), a status, or
nothing at all (hang). Replies can be changed while the server runs. Every wait is
bounded, and `stop()` ends the server and its threads.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: How long a hanging or dripping reply lasts at most, whatever the client does.
MAX_STALL_SECONDS = 30.0


@dataclass(frozen=True)
class Reply:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    hang: bool = False  # accept, read the request, never answer (until MAX_STALL_SECONDS)
    drip_seconds: float = 0.0  # send the body one byte per this many seconds


class Loopback:
    """A threaded HTTP server whose replies a test sets per path; counts requests per path."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.hits: dict[str, int] = {}
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        """Stop serving; stalled replies end at once."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] = server.hits.get(path, 0) + 1
                reply = server.replies.get(path)
                if reply is None:
                    self.send_error(404)
                    return
                if reply.hang:
                    server._stopping.wait(MAX_STALL_SECONDS)
                    return
                if reply.status != 200:
                    self.send_error(reply.status)
                    return
                self.send_response(200)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if not reply.drip_seconds:
                    self.wfile.write(reply.body)
                    return
                deadline = time.monotonic() + MAX_STALL_SECONDS
                for index in range(len(reply.body)):
                    if server._stopping.wait(reply.drip_seconds) or time.monotonic() > deadline:
                        return
                    try:
                        self.wfile.write(reply.body[index : index + 1])
                        self.wfile.flush()
                    except OSError:
                        return  # the client gave up, as it should

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@contextmanager
def serving() -> Iterator[Loopback]:
    """Run a Loopback server for the duration of a with block."""
    server = Loopback()
    try:
        yield server
    finally:
        server.stop()


#: A small news vocabulary for generated stories.
WORDS = (
    "council",
    "budget",
    "roads",
    "schools",
    "hospital",
    "district",
    "river",
    "bridge",
    "harvest",
    "wheat",
    "market",
    "prices",
    "teachers",
    "doctors",
    "railway",
    "station",
    "airport",
    "museum",
    "theatre",
    "festival",
    "court",
    "minister",
    "election",
    "parliament",
    "energy",
    "solar",
    "wind",
    "water",
    "drought",
    "winter",
    "heating",
    "tariffs",
    "exports",
    "grain",
    "oil",
    "gas",
    "steppe",
    "village",
    "city",
    "mayor",
    "police",
    "ambulance",
    "library",
    "stadium",
    "football",
    "concert",
    "opera",
    "youth",
    "students",
    "farmers",
    "bank",
    "loans",
    "tenge",
    "inflation",
    "pipeline",
    "border",
    "customs",
    "trucks",
    "tourism",
    "hotels",
    "mountains",
    "lake",
    "forest",
    "fires",
    "rescue",
)


def prose(rng: random.Random, words: int) -> str:
    """Return one generated sentence of `words` words (deterministic for a seeded rng)."""
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def rss(title: str, items: list[dict[str, str]]) -> bytes:
    """Return an RSS 2.0 feed; each item maps title, link, date (RFC 822, or "" for none), body."""
    from xml.sax.saxutils import escape

    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>']
    for item in items:
        date = f"<pubDate>{escape(item['date'])}</pubDate>" if item.get("date") else ""
        parts.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>{date}"
            f"<description>{escape(item.get('body', ''))}</description></item>"
        )
    parts.append("</channel></rss>\n")
    return "\n".join(parts).encode("utf-8")
