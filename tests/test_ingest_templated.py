"""End to end: a source's templated items (numbered bulletins, notices) all become articles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

from .conftest import run_digest, write_files

COUNT = 2000
START = dt.date(2026, 1, 5)


def _bulletin(n: int) -> dict[str, str]:
    """Return bulletin n as a JSON Lines object: its own URL, number and title, nearly the same text."""
    day = START + dt.timedelta(days=n % 30)
    numbers = " ".join(str((n * k) % 49 + 1) for k in (3, 7, 11, 13, 17, 19))
    return {
        "title": f"Lottery bulletin No. {n}: results of draw {n}",
        "date": day.isoformat(),
        "url": f"https://lotto.example.org/bulletins/{n}",
        "source": "lotto.example.org",
        "body": (
            f"Bulletin No. {n} of the national lottery. The results of draw number {n} held on {day:%d.%m.%Y} "
            f"have been confirmed by the draw committee. The winning numbers are {numbers}. Prize winners should "
            "contact the lottery office with their ticket and an identity document within thirty days of the "
            "draw. The lottery thanks all participants and reminds them to play responsibly."
        ),
    }


def _front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return dict(yaml.safe_load(text.split("---\n", 2)[1]))


def test_thousands_of_templated_items_all_survive(tmp_path: Path) -> None:
    bulletins = [_bulletin(n) for n in range(1, COUNT + 1)]
    # Another site republishes bulletin 7 (shortened, under its own headline): that copy still merges.
    copy = dict(
        bulletins[6],
        source="wire",
        url="https://wire.example.com/lotto-7",
        title="Draw 7 numbers out",
        body=bulletins[6]["body"].split(" The lottery thanks")[0],
    )
    lines = [json.dumps(b) for b in bulletins]
    write_files(tmp_path / "raw", {"lotto.jsonl": "\n".join(lines) + "\n", "wire.jsonl": json.dumps(copy) + "\n"})
    code, output = run_digest(["ingest"], tmp_path)
    assert code == 0, output
    files = list((tmp_path / "content").rglob("*.md"))
    assert len(files) == COUNT, output
    meta = {str(m["source_url"]): m for m in map(_front_matter, files)}
    assert set(meta) == {b["url"] for b in bulletins}
    assert [e["url"] for e in meta[bulletins[6]["url"]]["also_reported_by"]] == ["https://wire.example.com/lotto-7"]
    assert sum(1 for m in meta.values() if m["also_reported_by"]) == 1


def test_feed_items_sharing_one_description_all_survive(tmp_path: Path) -> None:
    description = (
        "The ministry published a new notice on its website today; read the full text of the notice on the "
        "official portal of the ministry for the details and the documents attached to it."
    )
    items = "".join(
        f"<item><title>Notice on tender {n} for school repairs</title>"
        f"<link>https://gov.example.kz/notices/{n}</link><pubDate>Wed, 04 Feb 2026 09:{n % 60:02d}:00 +0500</pubDate>"
        f"<description>{escape(description)}</description></item>"
        for n in range(120)
    )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Ministry notices</title>'
        f"<link>https://gov.example.kz/</link>{items}</channel></rss>\n"
    )
    write_files(tmp_path / "raw", {"notices.xml": feed})
    code, output = run_digest(["ingest"], tmp_path)
    assert code == 0, output
    assert len(list((tmp_path / "content").rglob("*.md"))) == 120, output
