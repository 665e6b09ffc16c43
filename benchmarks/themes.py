"""Measure theme accuracy on hand-labelled real article pages.

Usage: python benchmarks/themes.py [--web ../shared/fixtures/web] [--labels FILE] [-v] [--tags] [--text-only]

Reads each page named in tests/fixtures/themes/labels.yaml (path under the shared web
fixtures → theme) with the source readers, as `digest ingest` would, takes the page's main
item (the longest body), classifies it under the default taxonomy and prints the accuracy,
the confusion per expected theme and, with -v, every miss with its `theme_reason`. With
--tags it also prints each page's tags and how many recur.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import yaml

# The project root goes first on the path, so the script runs from a checkout as it is.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.config import load_config
from generator.curate.themes import Classifier, make_tags
from generator.models import Article
from generator.sources import read_text
from generator.sources.decode import decode_bytes

ROOT = Path(__file__).resolve().parent.parent


def load_article(path: Path, shown: str) -> Article | None:
    """Return the main article of one gzipped page as ingest reads it, or None."""
    result = read_text(decode_bytes(gzip.decompress(path.read_bytes())).text, path.name, shown)
    if not result.items:
        return None
    item = max(result.items, key=lambda i: sum(len(p) for p in i.body))
    return Article(
        id=shown,
        title=item.title or "",
        date=item.date or dt.date(2020, 1, 1),
        theme="",
        body="\n\n".join(item.body),
        tags=item.tags,
        language=item.language or "en",
        source_url=item.source_url or "",
        sections=item.sections,
    )


def main() -> int:
    """Print the theme accuracy on the labelled pages; exit 1 when a page cannot be read."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", type=Path, default=ROOT.parent / "shared" / "fixtures" / "web")
    parser.add_argument("--labels", type=Path, default=ROOT / "tests" / "fixtures" / "themes" / "labels.yaml")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--tags", action="store_true", help="also print every page's tags")
    parser.add_argument("--text-only", action="store_true", help="drop sections, categories and URL: keywords alone")
    opts = parser.parse_args()
    labels: dict[str, str] = yaml.safe_load(opts.labels.read_text(encoding="utf-8"))
    # A config rooted in an empty folder: the built-in taxonomy, whatever digest.yaml says.
    config = load_config(cwd=Path("/nonexistent-digest-root"))
    right = 0
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    tag_counts: Counter[str] = Counter()
    untagged = 0
    classifier = Classifier.for_config(config)
    for rel, want in labels.items():
        article = load_article(opts.web / rel, rel)
        if article is None:
            print(f"{rel}: no article read", file=sys.stderr)
            return 1
        if opts.text_only:
            article = replace(article, sections=(), tags=(), source_url="")
        choice = classifier.classify_article(article)
        if opts.tags:
            tags = make_tags(article, choice)
            tag_counts.update(tags)
            untagged += not tags
            print(f"  {choice.theme:<11} {article.title[:60]!r}: {', '.join(tags)}")
        confusion[(want, choice.theme)] += 1
        if choice.theme == want:
            right += 1
        else:
            misses.append((rel, want, choice.theme, article.title[:70], choice.reason))
    if opts.verbose:
        for rel, want, got, title, reason in misses:
            print(f"  {Path(rel).name[:16]:<16} want {want:<11} got {got:<11} {title!r}\n      {reason}")
    for want in sorted({w for w, _ in confusion}):
        row = ", ".join(f"{got} {n}" for (w, got), n in sorted(confusion.items()) if w == want and got != want)
        total = sum(n for (w, _), n in confusion.items() if w == want)
        print(f"{want:<12} {confusion[(want, want)]:>3}/{total:<3} {('wrong: ' + row) if row else ''}")
    if opts.tags:
        recurring = sum(1 for n in tag_counts.values() if n >= 2)
        print(f"tags: {len(tag_counts)} distinct, {recurring} on ≥2 pages, {untagged} pages without tags")
    print(f"themes: {right}/{len(labels)} = {right / len(labels):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
