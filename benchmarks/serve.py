"""Benchmark `digest serve`: how long until an edited article is served, on a 1,000-article site.

Run from the repository root:  python benchmarks/serve.py [--articles 1000] [--edits 5]
It writes a generated site to a temporary folder, starts the preview server on a free
127.0.0.1 port, edits one article at a time and polls its page until the new text is
served. The figure is the time from the file write to that first response.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.config import load_config
from generator.log import RunReport
from generator.serve import PreviewServer

THEMES = ("politics", "economy", "diplomacy", "society", "culture", "security", "technology", "environment")
WORDS = [
    "council",
    "budget",
    "minister",
    "trade",
    "school",
    "hospital",
    "festival",
    "border",
    "network",
    "river",
    "forum",
    "project",
    "region",
    "city",
    "report",
    "plan",
    "agreement",
    "museum",
    "energy",
    "water",
    "road",
]


def article_text(n: int, body_extra: str = "") -> tuple[str, str]:
    """Return (relative path, text) of generated article number n."""
    day = dt.date(2026, 1, 1) + dt.timedelta(days=n % 60)
    theme = THEMES[n % len(THEMES)]
    title = f"{WORDS[n % len(WORDS)].title()} {WORDS[(n * 7) % len(WORDS)]} news number {n}"
    body = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(80)) + "."
    text = (
        f"---\nid: bench{n:05d}\ntitle: {title}\ndate: {day}\ntheme: {theme}\n"
        f"tags: [{WORDS[n % 5]}, {WORDS[n % 7]}]\nsource: source{n % 12}.example.org\n"
        f"source_url: https://source{n % 12}.example.org/{n}\n---\n{body}\n\n{body_extra}\n"
    )
    return f"{day:%Y/%m/%d}/{theme}/article-{n:05d}.md", text


def fetch(port: int, path: str) -> str:
    """Return the body of one page ("" when it is not a 200)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        return body.decode("utf-8") if response.status == 200 else ""
    finally:
        conn.close()


def main() -> None:
    """Generate the site, run the edits and print the latency figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("-v", "--verbose", action="store_true", help="Log every rebuild.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")

    # Cleanup errors are ignored so that they never hide the figures (once, under heavy load,
    # something was still writing into site/ while the folder was being removed).
    with tempfile.TemporaryDirectory(prefix="digest-bench-", ignore_cleanup_errors=True) as tmp:
        root = Path(tmp)
        (root / "digest.yaml").write_text("title: Benchmark\n", encoding="utf-8")
        for n in range(args.articles):
            rel, text = article_text(n)
            path = root / "content" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

        server = PreviewServer(load_config(root / "digest.yaml"), port=0, ingest=False)
        started = time.perf_counter()
        server.start()
        first_build = time.perf_counter() - started
        # Time SiteBuilder.rebuild itself, to tell the builder's share from the server's
        # (watching, debouncing, serving).
        rebuild_seconds: list[float] = []
        real_rebuild = server.builder.rebuild

        def timed_rebuild(changed: Iterable[Path], report: RunReport) -> Any:
            begun = time.perf_counter()
            try:
                return real_rebuild(changed, report)
            finally:
                rebuild_seconds.append(time.perf_counter() - begun)

        server.builder.rebuild = timed_rebuild  # type: ignore[method-assign]
        try:
            latencies: list[float] = []
            rebuilds: list[float] = []
            for edit in range(args.edits):
                n = (edit * 137) % args.articles
                rel, _ = article_text(n)
                marker = f"edited-{edit}-{time.time_ns()}"
                _, text = article_text(n, marker)
                url = "/" + rel.removesuffix(".md") + "/"
                builds = server.builds
                written = time.perf_counter()
                (root / "content" / rel).write_text(text, encoding="utf-8")
                while marker not in fetch(server.port, url):
                    if time.perf_counter() - written > 60:
                        raise SystemExit(f"edit {edit} never showed up at {url}")
                    time.sleep(0.005)
                latency = time.perf_counter() - written
                # Let the rest of that rebuild (feeds, search index) finish before the next edit,
                # as between two real saves; otherwise edits queue behind each other.
                while server.builds == builds:
                    time.sleep(0.01)
                rebuilds.append(time.perf_counter() - written)
                latencies.append(latency)
        finally:
            server.stop()

    print(f"site: {args.articles} articles; first build {first_build:.2f} s")
    print(
        f"edit → served: median {statistics.median(latencies):.3f} s, "
        f"min {min(latencies):.3f} s, max {max(latencies):.3f} s over {len(latencies)} edits"
    )
    print(f"edit → rebuild finished (feeds, search index): median {statistics.median(rebuilds):.3f} s")
    print(
        f"of which SiteBuilder.rebuild: median {statistics.median(rebuild_seconds):.3f} s; watching, debouncing "
        f"and serving: median {statistics.median(r - b for r, b in zip(rebuilds, rebuild_seconds, strict=False)):.3f} s"
    )


if __name__ == "__main__":
    main()
