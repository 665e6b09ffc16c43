"""Time site builds on N synthetic articles: cold build, no-change rebuild, one-article edit.

Usage: python benchmarks/build.py --n 1000 [--n 10000] [--keep DIR] [--no-search]

Writes N articles spread over days and themes into a temporary content directory, then
times `SiteBuilder.build` (cold), `SiteBuilder.rebuild` with nothing changed, and
`SiteBuilder.rebuild` after editing one article's body. Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import search
from generator.build import SiteBuilder
from generator.config import load_config
from generator.log import RunReport

logger = logging.getLogger("benchmarks.build")

WORDS = [
    "ministry",
    "forum",
    "trade",
    "agreement",
    "region",
    "investment",
    "school",
    "water",
    "border",
    "festival",
    "digital",
    "energy",
    "parliament",
    "minister",
    "visit",
    "delegation",
    "project",
    "budget",
    "export",
    "grain",
    "railway",
    "museum",
    "court",
    "police",
]
THEMES = ("politics", "economy", "diplomacy", "society", "culture", "security", "technology", "environment")
SOURCES = ("gov.kz", "inform.kz", "astanatimes.com", "kazpravda.kz", "egemen.kz", "kapital.kz")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def write_content(root: Path, n: int, seed: int = 1) -> list[Path]:
    """Write n synthetic articles (about ten a day) under root; return their paths."""
    rng = random.Random(seed)
    start = dt.date(2026, 2, 4)
    paths = []
    for i in range(n):
        day = start - dt.timedelta(days=i // 10)
        theme = THEMES[rng.randrange(len(THEMES))]
        title = f"{_sentence(rng, 7)[:-1]} {i}"
        lang = "ru" if i % 17 == 0 else "en"
        tags = sorted({rng.choice(WORDS) for _ in range(rng.randint(1, 3))})
        body = "\n\n".join(_sentence(rng, rng.randint(15, 40)) for _ in range(rng.randint(3, 8)))
        path = root / f"{day:%Y/%m/%d}" / theme / f"article-{i:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\nid: bench{i:07d}\ntitle: {title}\ndate: {day.isoformat()}\ntheme: {theme}\n"
            f"tags: [{', '.join(tags)}]\nlanguage: {lang}\nsource: {rng.choice(SOURCES)}\n"
            f"source_url: https://example.org/news/{i}\nsummary: {_sentence(rng, 12)}\n"
            f"featured: {'true' if i % 97 == 0 else 'false'}\ndraft: false\n---\n{body}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def run(n: int, keep: Path | None, use_search: bool) -> None:
    """Generate n articles and print the three timings."""
    with tempfile.TemporaryDirectory(prefix="digest-bench-") as tmp:
        root = keep or Path(tmp)
        content, site = root / "content", root / "site"
        paths = write_content(content, n)
        config = load_config(None, cwd=root)
        if not use_search:
            search._command = lambda: None  # type: ignore[assignment]  # measure rendering alone
        builder = SiteBuilder(config, content_dir=content, output_dir=site)
        t0 = time.perf_counter()
        cold = builder.build(RunReport())
        t1 = time.perf_counter()
        same = builder.rebuild([paths[0]], RunReport())
        t2 = time.perf_counter()
        edited = paths[len(paths) // 2]
        edited.write_text(
            edited.read_text(encoding="utf-8").replace("\n---\n", "\n---\nAn edited first line.\n\n", 1),
            encoding="utf-8",
        )
        one = builder.rebuild([edited], RunReport())
        t3 = time.perf_counter()
        builder.wait()
        t4 = time.perf_counter()
        print(f"n={n}: cold build {t1 - t0:.2f} s ({cold.summary}; search={'on' if cold.search else 'off'})")
        print(f"n={n}: no-change rebuild {t2 - t1:.2f} s ({same.written} files rewritten)")
        print(
            f"n={n}: one-article edit {t3 - t2:.2f} s ({one.written} files rewritten)"
            + (f"; search index refreshed in the background {t4 - t3:.2f} s later" if use_search else "")
        )


def main() -> None:
    """Parse the arguments and run each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="number of articles (repeatable)")
    parser.add_argument("--keep", type=Path, help="build in this directory and keep it")
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for n in args.n or [1000]:
        run(n, args.keep, not args.no_search)


if __name__ == "__main__":
    main()
