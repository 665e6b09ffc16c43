"""Replay a year of scheduled runs: fetch → build once a day over loopback sources with faults.

Usage: python benchmarks/replay.py [--days 365] [--twice] [--search] [--keep DIR] [--quiet]

What the Pages workflow does every day, for DAYS simulated days: a fresh checkout (raw/
downloads gone, the fetch state kept, as the Actions cache does), `digest fetch`, then
`digest build`; between runs an editor deletes and edits articles. The sources, served on
127.0.0.1, rotate their items and include the faults of the unattended loop:

- `wire`     two stories a day, and one story of `agency`'s it syndicates (shortened copy)
- `agency`   one story a day of its own, plus a copy of one of `wire`'s stories
- `bulletin` four templated items a day: numbered notices with one boilerplate text
- `notices`  a story a day; every 5th day an undated item, every 50th a year-0001 date
- `slow`     a story a day, but every 30th day it drips one byte a second
- `dead`     nothing listens

At the end it checks that every distinct dated item is an article exactly once (a copy
merged into its story), no deleted article came back, no edit was lost and every run
published; with `--twice`, a second replay in a new folder must give a byte-identical
content tree. Prints the figures, and exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import os
import random
import re
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import fetch, search  # noqa: E402
from generator.cli import cli  # noqa: E402
from tests.loopback import Loopback, Reply, prose, rss  # noqa: E402

START = dt.date(2025, 12, 1)
#: The fetch budget in this replay: a dripping source must fail within it.
FETCH_BUDGET_SECONDS = 3.0


@dataclass(frozen=True)
class Story:
    """One item a source publishes."""

    source: str
    url: str
    title: str
    body: str
    day: dt.date
    date: str  # as the feed says it: RFC 822, or "" for none
    dated: bool  # whether it has a plausible publication date
    copy_of: str = ""  # the URL of the story this one syndicates


def _body(rng: random.Random, words: int) -> str:
    return prose(rng, words)


def _rfc822(day: dt.date, hour: int) -> str:
    return f"{day:%a, %d %b %Y} {hour:02d}:15:00 +0500"


def stories_of(day: dt.date) -> list[Story]:
    """Return what the sources publish on one day (deterministic)."""
    n = (day - START).days
    rng = random.Random(n)
    out: list[Story] = []
    wire = []
    for k in range(2):
        body = " ".join(_body(rng, 24) for _ in range(4))
        story = Story(
            "wire",
            f"https://wire.example/{day}/{k}",
            f"Wire story {n}-{k}: {_body(rng, 5)}",
            body,
            day,
            _rfc822(day, 9 + k),
            True,
        )
        wire.append(story)
    out += wire
    out.append(
        Story(
            "agency",
            f"https://agency.example/{day}/own",
            f"Agency report {n}: {_body(rng, 5)}",
            " ".join(_body(rng, 24) for _ in range(3)),
            day,
            _rfc822(day, 12),
            True,
        )
    )
    # A shortened copy of the first wire story, with its own headline: one story, two outlets.
    original = wire[0]
    copy_body = original.body.rsplit(".", 2)[0] + "."
    out.append(
        Story(
            "agency",
            f"https://agency.example/{day}/copy",
            f"Agency: {original.title.split(': ', 1)[1]}",
            copy_body,
            day,
            _rfc822(day, 13),
            True,
            copy_of=original.url,
        )
    )
    for k in range(4):
        number = n * 4 + k + 1
        boilerplate = (
            "Water supply notice. Residents of the district are informed that scheduled maintenance "
            "of the water network will take place. Please store water in advance and follow the "
            "instructions of the utility service. We apologise for the inconvenience."
        )
        out.append(
            Story(
                "bulletin",
                f"https://utility.example/bulletins/{number}",
                f"Bulletin No. {number}: water maintenance in district {number % 17 + 1}",
                f"Bulletin {number}. {boilerplate}",
                day,
                _rfc822(day, 8 + k),
                True,
            )
        )
    undated = n % 5 == 4
    hostile = n % 50 == 49
    date = "" if undated else ("Mon, 01 Jan 0001 00:00:00 +0000" if hostile else _rfc822(day, 15))
    out.append(
        Story(
            "notices",
            f"https://notices.example/{day}",
            f"Notice {n}: {_body(rng, 5)}",
            " ".join(_body(rng, 20) for _ in range(2)),
            day,
            date,
            not (undated or hostile),
        )
    )
    out.append(
        Story(
            "slow",
            f"https://slow.example/{day}",
            f"Slow story {n}: {_body(rng, 5)}",
            " ".join(_body(rng, 20) for _ in range(3)),
            day,
            _rfc822(day, 16),
            True,
        )
    )
    return out


#: How many days of items each feed keeps (so every item is seen on several runs).
WINDOW_DAYS = 4


def feeds_on(day: dt.date) -> dict[str, bytes]:
    """Return each source's feed as served on `day` (its items of the last WINDOW_DAYS days)."""
    items: dict[str, list[dict[str, str]]] = {}
    for back in range(WINDOW_DAYS - 1, -1, -1):
        shown = day - dt.timedelta(days=back)
        if shown < START:
            continue
        for story in stories_of(shown):
            items.setdefault(story.source, []).append(
                {"title": story.title, "link": story.url, "date": story.date, "body": story.body}
            )
    return {name: rss(name.title(), list(reversed(entries))) for name, entries in items.items()}


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def digest(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the digest CLI in this process (as the workflow runs the command); return (status, output)."""
    old = os.getcwd()
    out = io.StringIO()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stderr(out), contextlib.redirect_stdout(out):
            code = cli.main(args=args, prog_name="digest", standalone_mode=False)
    finally:
        os.chdir(old)
    return int(code or 0), out.getvalue()


@dataclass
class Figures:
    """What one replay measured."""

    runs: int = 0
    published: int = 0
    rejected_lines: int = 0
    fetch_seconds: list[float] = field(default_factory=list)
    build_seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    deleted: dict[str, str] = field(default_factory=dict)  # source_url → file it had
    edits: dict[str, str] = field(default_factory=dict)  # article id → the line the editor added


def _front(text: str, key: str) -> str:
    match = re.search(rf"^{key}: (.*)$", text, re.MULTILINE)
    return match.group(1).strip().strip("'\"") if match else ""


def _articles(content: Path) -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(content.rglob("*.md"))]


def replay(root: Path, days: int, *, with_search: bool, quiet: bool) -> Figures:
    """Run `days` scheduled runs in root; return the figures."""
    figures = Figures()
    editor = random.Random(7)
    with contextlib.ExitStack() as stack:
        web = Loopback()
        stack.callback(web.stop)
        names = ("wire", "agency", "bulletin", "notices", "slow")
        sources = [f"  - name: {name}\n    url: {web.url(f'/{name}.xml')}\n    kind: feed" for name in names]
        sources.append(f"  - name: dead\n    url: {_dead_url()}\n    kind: feed")
        root.mkdir(parents=True)
        (root / "digest.yaml").write_text(
            "title: Replay Digest\nbase_url: https://example.org/replay/\nsources:\n" + "\n".join(sources) + "\n",
            encoding="utf-8",
        )
        content = root / "content"
        for n in range(days):
            day = START + dt.timedelta(days=n)
            for name, body in feeds_on(day).items():
                drip = _dripping(name, n)
                web.replies[f"/{name}.xml"] = Reply(body, drip_seconds=1.0 if drip else 0.0)
            # A fresh checkout: the downloads are gone, the fetch state comes from the cache.
            raw = root / "raw"
            if raw.is_dir():
                for child in raw.iterdir():
                    if child.is_dir():
                        shutil.rmtree(child)
            started = time.perf_counter()
            code, out = digest(["fetch", "--now", day.isoformat()], root)
            figures.fetch_seconds.append(time.perf_counter() - started)
            if code != 1 or "source dead" not in out:
                figures.failures.append(f"day {n}: fetch should report the dead source (exit {code})")
            before = {p for p, _ in _articles(content)} if content.is_dir() else set()
            started = time.perf_counter()
            code, out = digest(["build", "--now", f"{day}T06:17:00"], root)
            figures.build_seconds.append(time.perf_counter() - started)
            figures.runs += 1
            figures.rejected_lines += sum(1 for line in out.splitlines() if line.startswith("warning: raw/"))
            new = sorted({p for p, _ in _articles(content)} - before)
            site = root / "site"
            missing = [
                p
                for p in new
                if not (site / p.relative_to(content).with_suffix("").as_posix() / "index.html").is_file()
            ]
            if code == 0 and (site / "index.html").is_file() and not missing:
                figures.published += 1
            else:
                figures.failures.append(f"day {n}: build exit {code}, {len(missing)} new articles unpublished")
            if not quiet:
                print(
                    f"day {n + 1:3d} {day}: +{len(new)} articles, fetch {figures.fetch_seconds[-1]:.1f} s, "
                    f"build {figures.build_seconds[-1]:.1f} s",
                    file=sys.stderr,
                )
            _edit(content, new, n, editor, figures)
    return figures


def _edit(content: Path, new: list[Path], n: int, rng: random.Random, figures: Figures) -> None:
    """Act as the editor between runs: delete an article every 9th day, edit one every 7th."""
    if not new:
        return
    if n % 9 == 8:
        # The first wire story has an agency copy in the same feeds: neither may come back.
        wire = [p for p in new if "wire.example" in p.read_text(encoding="utf-8") and p.exists()]
        victim = wire[0] if wire and n % 2 else rng.choice(new)
        url = _front(victim.read_text(encoding="utf-8"), "source_url")
        figures.deleted[url] = victim.relative_to(content).as_posix()
        victim.unlink()
    if n % 7 == 6:
        alive = [p for p in new if p.exists()]
        if alive:
            target = rng.choice(alive)
            text = target.read_text(encoding="utf-8")
            line = f"Editor's note added on run {n + 1}."
            target.write_text(text.rstrip("\n") + f"\n\n{line}\n", encoding="utf-8")
            figures.edits[_front(text, "id")] = line


def _dripping(name: str, n: int) -> bool:
    """Return True when source `name` drips (and so fails to download) on run n."""
    return name == "slow" and n % 30 == 29


def _ever_served(story: Story, n: int, days: int) -> bool:
    """Return True when a run that succeeded in fetching the story's source had it in its feed."""
    return any(not _dripping(story.source, k) for k in range(n, min(days, n + WINDOW_DAYS)))


def _meta(text: str) -> dict:
    """Return a content file's front matter."""
    return yaml.safe_load(text.split("---\n", 2)[1]) or {}


def check(root: Path, days: int, figures: Figures) -> list[str]:
    """Return what is wrong with the content tree after the replay (empty when all is well)."""
    problems = list(figures.failures)
    by_url: dict[str, int] = {}
    reported: set[str] = set()
    texts = {}
    for _path, text in _articles(root / "content"):
        meta = _meta(text)
        url = str(meta.get("source_url") or "")
        by_url[url] = by_url.get(url, 0) + 1
        # Entries are {source, url} mappings (an older file's: plain URLs or names).
        reported.update(
            str(entry.get("url") or "") if isinstance(entry, dict) else str(entry)
            for entry in meta.get("also_reported_by") or ()
        )
        texts[str(meta.get("id"))] = text
    expected = 0
    for n in range(days):
        for story in stories_of(START + dt.timedelta(days=n)):
            count = by_url.get(story.url, 0)
            if story.url in figures.deleted:
                if count:
                    problems.append(f"deleted article came back: {story.url}")
            elif story.copy_of:
                if count:
                    problems.append(f"a syndicated copy became its own article: {story.url}")
                elif story.copy_of not in figures.deleted and story.url not in reported:
                    problems.append(f"a copy is not listed under also_reported_by: {story.url}")
            elif not story.dated:
                if count:
                    problems.append(f"an item without a plausible date became an article: {story.url}")
            elif not _ever_served(story, n, days):
                continue  # its source failed on every run that could have seen it
            else:
                expected += 1
                if count != 1:
                    problems.append(f"{story.url} is {count} articles, not 1")
    for article_id, line in figures.edits.items():
        if article_id in texts and line not in texts[article_id]:
            problems.append(f"the edit of {article_id} was lost")
    figures.expected = expected  # type: ignore[attr-defined]
    return problems


def tree_digest(folder: Path) -> str:
    """Return one hash over every file's path and bytes under folder."""
    digest_ = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest_.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest_.hexdigest()


def main() -> int:
    """Run the replay(s), print the figures, return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--twice", action="store_true", help="replay again in a new folder; compare content/")
    parser.add_argument("--search", action="store_true", help="build the Pagefind index on every run (slower)")
    parser.add_argument("--keep", type=Path, help="replay in this folder (must not exist) and keep it")
    parser.add_argument("--quiet", action="store_true", help="no line per run")
    args = parser.parse_args()
    if not args.search:
        search._command = lambda: None  # type: ignore[assignment]  # the site is published without search
    # A year in minutes: the per-source budget shrinks from 120 s to a few, the backoff with it.
    fetch.SOURCE_BUDGET = FETCH_BUDGET_SECONDS
    fetch.FIRST_BYTE_TIMEOUT = fetch.CONNECT_TIMEOUT = FETCH_BUDGET_SECONDS / 2
    fetch.BACKOFF = 0.2
    base = args.keep or Path(tempfile.mkdtemp(prefix="digest-replay-"))
    status = 0
    started = time.perf_counter()
    try:
        first = base / "first"
        figures = replay(first, args.days, with_search=args.search, quiet=args.quiet)
        problems = check(first, args.days, figures)
        articles = len(list((first / "content").rglob("*.md")))
        print(
            f"{args.days} daily runs in {time.perf_counter() - started:.0f} s: {figures.published} published, "
            f"{articles} articles ({figures.expected} distinct dated items expected, "  # type: ignore[attr-defined]
            f"{len(figures.deleted)} deleted by the editor, {len(figures.edits)} edited), "
            f"{figures.rejected_lines} reject lines"
        )
        print(
            f"fetch: mean {sum(figures.fetch_seconds) / len(figures.fetch_seconds):.2f} s, "
            f"max {max(figures.fetch_seconds):.2f} s (budget {FETCH_BUDGET_SECONDS:.0f} s per source); "
            f"build: mean {sum(figures.build_seconds) / len(figures.build_seconds):.2f} s, "
            f"max {max(figures.build_seconds):.2f} s"
        )
        if args.twice:
            again = time.perf_counter()
            second = base / "second"
            replay(second, args.days, with_search=args.search, quiet=True)
            same = tree_digest(first / "content") == tree_digest(second / "content")
            print(
                f"second replay in {time.perf_counter() - again:.0f} s: content tree "
                f"{'byte-identical' if same else 'DIFFERENT'}"
            )
            if not same:
                problems.append("the second replay's content tree differs")
        for problem in problems:
            print(f"FAIL: {problem}")
        status = 1 if problems else 0
        print("replay: OK" if not problems else f"replay: {len(problems)} problems")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
