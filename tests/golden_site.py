"""The golden site: a small site built from tests/fixtures/site-content, committed as expected output.

`make golden` (`python -m tests.golden_site --update`) rebuilds tests/golden/site/ after an intended change
to pages, templates or feeds (review the diff before committing it);
tests/test_golden.py builds it again and compares byte for byte. Search is left out (its
index is Pagefind's output, named per run), so the search page shows its "unavailable" note.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from unittest import mock

from generator import search
from generator.build import build_site
from generator.config import load_config
from generator.log import RunReport

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "site-content"
GOLDEN = HERE / "golden" / "site"
# Two days and three articles a page: the small site still has numbered front and listing pages.
CONFIG = (
    "title: Golden Digest\nbase_url: https://example.github.io/digest/\ndomain: news.example.org\n"
    "front_page_days: 2\nper_page: 3\n"
)
NOW = dt.datetime(2026, 2, 6, 12, 0, tzinfo=dt.UTC)


def build_golden(out: Path) -> RunReport:
    """Build the golden site into out (replacing it); return the run's report."""
    report = RunReport()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "digest.yaml").write_text(CONFIG, encoding="utf-8")
        shutil.copytree(FIXTURE, root / "content")
        config = load_config(root / "digest.yaml")
        with mock.patch.object(search, "_command", lambda: None):
            build_site(config, content_dir=root / "content", output_dir=out, now=NOW, report=report)
    return report


def files(folder: Path) -> dict[str, bytes]:
    """Return {relative path: bytes} of every file under folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/site/")
    args = parser.parse_args(argv)
    if not args.update:
        parser.error("nothing to do: pass --update to rewrite the golden site")
    report = build_golden(GOLDEN)
    for problem in report.problems:
        if "search index" not in problem.message:  # left out on purpose
            print(f"warning: {problem}", file=sys.stderr)
    print(f"{GOLDEN.relative_to(HERE.parent)}: {len(files(GOLDEN))} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
