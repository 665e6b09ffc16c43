"""The ingest orchestrator: raw items → candidate articles, and whole runs from the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.bodytext import join_paragraphs, to_markdown
from generator.config import Config
from generator.ingest import item_to_article
from generator.models import Article, Problem, RawItem

from .conftest import make_config, run_digest, write_files

TEXT_DUMP = """\
Steppe Herald

News

Astana hosts a regional water forum 04.02.2026
Ministers from five Central Asian countries met in Astana to agree on sharing the waters of the Syr Darya and Amu Darya rivers. The forum adopted a joint declaration on glacier monitoring.
Almaty metro extends its second line 05.02.2026
The Almaty metro opened two new stations on its second line, adding four kilometres of track. Officials said the extension will carry forty thousand passengers a day.
"""

JSONL = (
    '{"title": "Wheat exports reach a record", "date": "2026-02-05", "url": "https://agro.example.kz/wheat", '
    '"body": "Kazakhstan exported a record volume of wheat in January, the agriculture ministry said.", "source": "agro.example.kz"}\n'
    "{not json}\n"
    '{"title": "", "body": ""}\n'
)

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tech Desk</title><link>https://tech.example.kz/</link>
<item><title>Satellite operator launches a new service</title><link>https://tech.example.kz/sat</link>
<pubDate>Fri, 06 Feb 2026 09:00:00 +0500</pubDate>
<description>The national satellite operator launched a broadband service for remote villages.</description></item>
</channel></rss>
"""


def test_paragraphs_never_become_html_or_markdown_blocks() -> None:
    md = to_markdown(
        join_paragraphs(["# not a heading", "<script>alert(1)</script> text", "1. not a list", "a < b and  c"])
    )
    assert md.split("\n\n") == [
        "\\# not a heading",
        "&lt;script>alert(1)&lt;/script> text",
        "1\\. not a list",
        "a < b and c",
    ]


def test_item_without_title_or_body_is_rejected_with_its_line(site_config: Config) -> None:
    item = RawItem(origin="x.txt:41", title=None, body=(), date=dt.date(2026, 2, 4))
    made = item_to_article(item, Path("raw/x.txt"), "raw/x.txt", site_config, None)
    assert isinstance(made, Problem)
    assert str(made).startswith("raw/x.txt:41: item has neither a title nor a body")


def test_item_without_date_needs_a_default(site_config: Config) -> None:
    item = RawItem(origin="x.txt:7", title="A headline without any date", body=("Body.",))
    made = item_to_article(item, Path("raw/x.txt"), "raw/x.txt", site_config, None)
    assert isinstance(made, Problem)
    assert 'no date found for "A headline without any date"' in str(made)
    assert "--default-date" in made.hint
    made = item_to_article(item, Path("raw/x.txt"), "raw/x.txt", site_config, dt.date(2026, 1, 1))
    assert isinstance(made, Article) and made.date == dt.date(2026, 1, 1) and made.date_source == "default"


def test_item_fields_and_untrusted_urls(site_config: Config) -> None:
    item = RawItem(
        origin="x.txt:3",
        title="  Budget\n approved ",
        body=("Para one.", "Para two."),
        date=dt.date(2026, 2, 4),
        source_url="javascript:alert(1)",
    )
    made = item_to_article(item, Path("raw/gov-news.txt"), "raw/gov-news.txt", site_config, None)
    assert isinstance(made, Article)
    assert made.title == "Budget approved"
    assert made.source_url == ""
    assert made.source == "gov-news"
    assert made.body == "Para one.\n\nPara two."
    assert made.origin == "x.txt:3"


def test_title_from_body_when_missing(site_config: Config) -> None:
    item = RawItem(
        origin="x.txt:3", title=None, body=("The council met on Monday. It agreed.",), date=dt.date(2026, 2, 4)
    )
    made = item_to_article(item, Path("raw/x.txt"), "raw/x.txt", site_config, None)
    assert isinstance(made, Article) and made.title == "The council met on Monday."


def test_mixed_directory_end_to_end(tmp_path: Path) -> None:
    write_files(
        tmp_path / "raw",
        {
            "herald.txt": TEXT_DUMP,
            "feeds/tech.xml": RSS,
            "wire.jsonl": JSONL,
            "empty.txt": "",
            "blob.bin": bytes(range(256)) * 4,
        },
    )
    code, output = run_digest(["ingest", "--report", "report.json"], tmp_path)
    assert code == 0, output  # rejected items are reported and skipped; the rest is written
    files = sorted(p.relative_to(tmp_path / "content").as_posix() for p in (tmp_path / "content").rglob("*.md"))
    assert len(files) == 4, files
    assert any(f.startswith("2026/02/04/") for f in files)
    assert any(f.startswith("2026/02/06/") for f in files)
    assert "raw/wire.jsonl:2:" in output
    assert "raw/empty.txt" in output and "raw/blob.bin" in output
    assert "4 articles" in output and "rejected" in output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    by_input = {entry["input"]: entry for entry in report["inputs"]}
    assert len(by_input["raw/herald.txt"]["articles"]) == 2
    assert by_input["raw/empty.txt"]["rejected"]
    before = {f: (tmp_path / "content" / f).read_bytes() for f in files}

    code, output = run_digest(["ingest"], tmp_path)  # idempotent: nothing new, no byte changed
    after = {
        p.relative_to(tmp_path / "content").as_posix(): p.read_bytes() for p in (tmp_path / "content").rglob("*.md")
    }
    assert after == before
    assert "0 articles" in output


def test_source_name_from_file_names_skips_dates_and_opaque_ids() -> None:
    from generator.ingest import _name_from_file

    assert _name_from_file(Path("raw/steppe-daily-2026-02-10.txt")) == "steppe-daily"
    assert _name_from_file(Path("raw/tengrinews_2026-01-01.html")) == "tengrinews"
    assert _name_from_file(Path("raw/000_1a08782589c742eb.txt")) == ""
    assert _name_from_file(Path("raw/x.txt")) == ""


def _corpus(root: Path, pages: int = 24) -> Path:
    """Write page dumps of distinct stories, plus a second site's copy of every third page."""
    raw = root / "raw"
    for p in range(pages):
        day = dt.date(2026, 2, 1) + dt.timedelta(days=p % 5)
        lines = ["Steppe Herald", "", "News", ""]
        for i in range(6):
            n = p * 6 + i
            lines.append(f"Story {n} about the water forum and grain exports {day:%d.%m.%Y}")
            lines.append(
                f"Report {n}: delegates from region {n} discussed river quotas, grain railway tariffs "
                f"and a new school programme for {n * 7} students in the district of Kostanay."
            )
        text = "\n".join(lines) + "\n"
        write_files(raw, {f"herald-{p:02d}.txt": text})
        if p % 3 == 0:  # another site copies the page under its own name, one line dropped
            write_files(raw, {f"echo-{p:02d}.txt": "Echo Daily\n" + "\n".join(lines[4:-1]) + "\n"})
    return raw


def test_worker_processes_give_byte_identical_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run in worker processes (parse, prepare, render, write) writes what one process writes."""
    from generator import content, ingest
    from generator.log import RunReport

    raw = _corpus(tmp_path)
    config = make_config(tmp_path / "site")
    trees = []
    for workers in (1, 2):
        monkeypatch.setattr(ingest, "_worker_count", lambda inputs, n=workers: n)
        monkeypatch.setattr(content, "PARALLEL_MIN_ARTICLES", 1)  # write in the workers too
        out = tmp_path / f"content-{workers}"
        result = ingest.ingest_paths([raw], config, content_dir=out, report=RunReport())
        assert result.duplicates > 0 and result.rejected == 0
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.md"))})
    assert len(trees[0]) == result.articles > 100
    assert trees[0] == trees[1]


def test_the_run_keeps_the_garbage_collector_on_and_unfreezes_it(tmp_path: Path) -> None:
    """The preview server's threads may run during an ingest: the collector must stay on."""
    import gc

    from generator.ingest import ingest_paths
    from generator.log import RunReport

    raw = write_files(tmp_path / "raw", {"herald.txt": TEXT_DUMP, "feed.jsonl": JSONL})
    states: list[bool] = []
    ingest_paths(
        [raw],
        make_config(tmp_path / "site"),
        content_dir=tmp_path / "content",
        report=RunReport(),
        on_progress=lambda *_: states.append(gc.isenabled()),
    )
    assert states == [True, True]
    assert gc.get_freeze_count() == 0


def test_every_step_with_per_item_work_runs_it_through_the_mapper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where work runs is ingest's one decision: parse, finish and write all use its mapper."""
    from contextlib import contextmanager

    from generator import ingest
    from generator.log import RunReport

    mapped: list[str] = []

    def recording_map(fn, items):  # type: ignore[no-untyped-def]
        mapped.append(getattr(fn, "func", fn).__name__)
        return map(fn, items)

    @contextmanager
    def pool(workers: int):  # type: ignore[no-untyped-def]
        yield recording_map

    monkeypatch.setattr(ingest, "_worker_pool", pool)
    raw = write_files(tmp_path / "raw", {"herald.txt": TEXT_DUMP})
    out = tmp_path / "content"
    result = ingest.ingest_paths([raw], make_config(tmp_path / "site"), content_dir=out, report=RunReport())
    assert mapped == ["_read_input", "_finish", "_write_jobs"]
    assert result.articles == 2 == len(list(out.rglob("*.md")))
