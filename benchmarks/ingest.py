"""Time the page-dump parser (and optionally the whole ingest) on N synthetic articles.

Usage: python benchmarks/ingest.py [--n 10000] [--per-page 20] [--seed 1] [--full [--repeat N]] [--keep DIR]

Generates N articles as page text dumps in four mixed layouts (dated headlines with glued
`Source :` markers; title/date/body repeated under two section headings; a header
timestamp and date lines before titles; a ticker and page date above blank-separated
paragraphs), times `read_text_dump` over every page, and with `--full` times
`ingest_paths` into a temporary content directory (`--repeat N`: N times, each into a
fresh folder, then the best and the median). Prints one line per measurement (the full
one with its wall seconds, the seconds of each phase of ingest_paths and the CPU seconds
spent in this process and in the worker processes).

Run it on an idle machine, and not within a minute or so of deleting many files (say, a
previous run's temporary directory): on this ext4 virtual disk, creating files soon after
many were deleted is several times slower, which shows up in the write phase. The runs of
one `--repeat` are deleted only after the last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.sources.text import read_text_dump

logger = logging.getLogger("benchmarks.ingest")


def _vocabulary(text: str) -> list[str]:
    return text.split()


WORDS = _vocabulary(
    "ministry forum trade agreement region investment school water border festival digital energy "
    "parliament minister visit delegation project budget export grain railway museum court police "
    "akimat council cooperation development infrastructure program citizens students"
)
RU_WORDS = _vocabulary("министерство форум торговля соглашение регион школа вода граница фестиваль проект бюджет")


def _zipf_vocabulary(size: int, seed: int, consonants: str, vowels: str) -> tuple[list[str], list[float]]:
    """Return `size` pseudo-words with Zipf cumulative weights, like the word use of real news.

    A vocabulary of a few dozen words would make every 4-word run occur in thousands of
    articles, which no real corpus does and which turns story merging quadratic.
    """
    rng = random.Random(seed)
    syllables = [c + v for c in consonants for v in vowels]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    cumulative, total = [], 0.0
    for rank in range(1, size + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return ordered, cumulative


TICKER = "\n".join(f"  • {c}/USD = 0.0{i}144 0%" for i, c in enumerate(("KGS", "KZT", "TJS", "UZS", "TMT")))


ZIPF_WORDS, ZIPF_WEIGHTS = _zipf_vocabulary(5000, 7, "bdgklmnprstvz", "aeiou")
RU_ZIPF_WORDS, RU_ZIPF_WEIGHTS = _zipf_vocabulary(5000, 8, "бвгдклмнпрстз", "аеиоу")


def _sentence(rng: random.Random, n: int, russian: bool = False) -> str:
    """Return a sentence of n Zipf-distributed words with one topic word in it."""
    vocabulary, weights, topic = (
        (RU_ZIPF_WORDS, RU_ZIPF_WEIGHTS, RU_WORDS) if russian else (ZIPF_WORDS, ZIPF_WEIGHTS, WORDS)
    )
    picked = rng.choices(vocabulary, cum_weights=weights, k=n)
    picked[rng.randrange(n)] = rng.choice(topic)
    return " ".join(picked).capitalize() + "."


def _title(rng: random.Random, i: int) -> str:
    return f"{_sentence(rng, rng.randint(5, 12))[:-1].title()} {i}"


def _paragraphs(rng: random.Random, i: int) -> list[str]:
    russian = i % 13 == 0
    return [
        " ".join(_sentence(rng, rng.randint(12, 30), russian) for _ in range(rng.randint(2, 5)))
        for _ in range(rng.randint(1, 6))
    ]


def _page_suffix(rng: random.Random, ids: range, day: dt.date) -> str:
    """Headline with ` DD.MM.YYYY`, one body line, `Source : URL` glued or alone."""
    out = ["Example News", "", "News", ""]
    for i in ids:
        out.append(f"{_title(rng, i)} {day:%d.%m.%Y}")
        body = " ".join(_paragraphs(rng, i))
        url = f"https://example.org/news/{i}"
        out.append(f"{body}Source : {url}" if i % 3 else body)
        if i % 3 == 0:
            out.append(f"Source : {url}")
    return "\n".join(out) + "\n"


def _page_sections(rng: random.Random, ids: range, day: dt.date) -> str:
    """Title / date / body, the whole list repeated under a second section heading."""
    block = []
    for i in ids:
        block += [_title(rng, i), f"{day:%d.%m.%Y}", " ".join(_paragraphs(rng, i))]
    return "\n".join(["News", "More", *block, "Society", "More", *block]) + "\n"


def _page_before(rng: random.Random, ids: range, day: dt.date) -> str:
    """Header timestamp, then date line / title / paragraphs; the lead story has no date line."""
    out = [f" date {day:%Y-%m-%d} {day:%d.%m.%Y}, 19:20 {rng.randint(100, 99999)}"]
    for n, i in enumerate(ids):
        if n:
            out.append(f"{day - dt.timedelta(days=n // 3):%d.%m.%Y}")
        out += [_title(rng, i), *_paragraphs(rng, i)]
    return "\n".join(out) + "\n"


def _page_header(rng: random.Random, ids: range, day: dt.date) -> str:
    """Currency ticker, page date, then headline / blank / paragraph / blank ..."""
    out = [TICKER, f"{day.day} {day:%B %Y}", ""]
    for i in ids:
        out += [_title(rng, i), ""]
        paras = _paragraphs(rng, i)
        paras[-1] += "[/vc_column_text][/vc_column][/vc_row]"
        for para in paras:
            out += [para, ""]
    return "\n".join(out) + "\n"


LAYOUTS: tuple[Callable[[random.Random, range, dt.date], str], ...] = (
    _page_suffix,
    _page_sections,
    _page_before,
    _page_header,
)


def make_pages(n: int, per_page: int, seed: int) -> list[tuple[str, str, int]]:
    """Return (file name, page text, article count) for n articles in mixed layouts."""
    rng = random.Random(seed)
    pages = []
    start = dt.date(2026, 2, 4)
    for p, first in enumerate(range(0, n, per_page)):
        ids = range(first, min(n, first + per_page))
        layout = LAYOUTS[p % len(LAYOUTS)]
        day = start - dt.timedelta(days=p)
        pages.append((f"page-{p:05d}.txt", layout(rng, ids, day), len(ids)))
    return pages


def time_parser(pages: list[tuple[str, str, int]]) -> tuple[float, int, int]:
    """Return (seconds, items found, items expected) for read_text_dump over every page."""
    started = time.process_time()
    found = 0
    for name, text, _ in pages:
        found += len(read_text_dump(text, name, f"raw/{name}").items)
    return time.process_time() - started, found, sum(count for *_, count in pages)


class _PhaseLog(logging.Handler):
    """Collect the `phase NAME: S s` debug lines that ingest_paths logs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.phases: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("phase "):
            self.phases.append(message.removeprefix("phase "))


def time_full(pages: list[tuple[str, str, int]], root: Path) -> tuple[float, str]:
    """Ingest the pages from root/raw into root/content; return (wall seconds, summary line)."""
    from generator.config import load_config
    from generator.ingest import ingest_paths
    from generator.log import RunReport

    phase_log = _PhaseLog()
    ingest_logger = logging.getLogger("generator.ingest")
    ingest_logger.addHandler(phase_log)
    ingest_logger.setLevel(logging.DEBUG)
    ingest_logger.propagate = False  # keep the other debug lines off the terminal
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name, text, _ in pages:
        (raw / name).write_text(text, encoding="utf-8")
    config = load_config(None, cwd=root)
    os.sync()  # do not charge the disk's backlog (the input just written, earlier runs) to ingest
    started = time.perf_counter()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = ingest_paths([raw], config, content_dir=root / "content", report=RunReport())
    finally:
        ingest_logger.removeHandler(phase_log)
        ingest_logger.propagate = True
        ingest_logger.setLevel(logging.NOTSET)
    wall = time.perf_counter() - started
    own_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(own)
    workers_cpu = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - _cpu(children)
    return wall, (
        f"{result.summary} [{', '.join(phase_log.phases)}] "
        f"(wall {wall:.2f} s; CPU {own_cpu:.2f} s here, {workers_cpu:.2f} s in workers)"
    )


def time_full_runs(pages: list[tuple[str, str, int]], repeat: int, keep: Path | None) -> None:
    """Print one line per full ingest, each into a fresh folder, then the best and the median.

    Every run's files are deleted only after the last run: deleting 10,000 files just
    before a run slows the disk for a while and would be charged to that run's write phase.
    """
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        parent = keep or Path(tmp)
        for run in range(repeat):
            wall, summary = time_full(pages, parent / f"run-{run + 1}" if repeat > 1 else parent)
            walls.append(wall)
            print(f"ingest_paths: {summary}", flush=True)
    if repeat > 1:
        print(f"ingest_paths over {repeat} runs: best {min(walls):.2f} s, median {statistics.median(walls):.2f} s wall")


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of articles")
    parser.add_argument("--per-page", type=int, default=20, help="articles per page dump")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full", action="store_true", help="also time ingest_paths end to end")
    parser.add_argument("--repeat", type=int, default=1, help="full ingests to run (each into a fresh folder)")
    parser.add_argument("--keep", type=Path, help="write raw/ and content/ here instead of a temp dir")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    pages = make_pages(args.n, args.per_page, args.seed)
    chars = sum(len(text) for _, text, _ in pages)
    wall = time.perf_counter()
    seconds, found, expected = time_parser(pages)
    wall = time.perf_counter() - wall
    print(
        f"read_text_dump: {expected} articles in {len(pages)} pages ({chars / 1e6:.1f} MB) "
        f"→ {found} items in {seconds:.2f} s CPU, {wall:.2f} s wall ({expected / seconds:,.0f} articles/s)"
    )
    if args.full:
        time_full_runs(pages, max(1, args.repeat), args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
