"""`digest check`: content problems, misplaced files (and --fix), and links of a built site."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import build_site
from generator.check import check_all, check_links
from generator.config import Config
from generator.log import RunReport
from tests.conftest import write_files

FIXTURE = Path(__file__).parent / "fixtures" / "site-content"
ARTICLE = "---\ntitle: Moved story\ndate: 2026-02-04\ntheme: economy\n---\nBody.\n"


def test_misplaced_file_is_reported_then_fixed(tmp_path: Path, site_config: Config) -> None:
    content = write_files(tmp_path / "content", {"2026/02/01/culture/moved-story.md": ARTICLE})
    report = RunReport()
    summary = check_all(site_config, content_dir=content, site_dir=None, fix=False, report=report)
    assert "1 in the wrong folder" in summary
    assert any(
        "moved-story.md:1: file is in the wrong folder" in str(p) and "2026/02/04/economy/" in str(p)
        for p in report.problems
    ), report.problems
    assert not report.failed  # a warning, unless --strict
    assert RunReport(strict=True, problems=report.problems).failed

    report = RunReport()
    summary = check_all(site_config, content_dir=content, site_dir=None, fix=True, report=report)
    assert "1 moved" in summary and not report.problems
    assert (content / "2026/02/04/economy/moved-story.md").is_file()
    assert not (content / "2026/02/01").exists()  # emptied folders are removed
    report = RunReport()
    check_all(site_config, content_dir=content, site_dir=None, fix=False, report=report)
    assert not report.problems


def test_bad_content_is_reported_with_its_line(tmp_path: Path, site_config: Config) -> None:
    content = write_files(
        tmp_path / "content", {"2026/02/04/economy/bad.md": "---\ntitle: x\ndate: 2026-02-04\ntheme: nope\n---\n"}
    )
    report = RunReport()
    check_all(site_config, content_dir=content, site_dir=None, fix=False, report=report)
    assert report.failed
    assert any("bad.md:4: theme 'nope'" in str(p) for p in report.problems), report.problems


def test_built_site_links_are_checked(tmp_path: Path, site_config: Config) -> None:
    site = tmp_path / "site"
    build_site(site_config, content_dir=FIXTURE, output_dir=site, report=RunReport())
    report = RunReport()
    summary = check_all(site_config, content_dir=FIXTURE, site_dir=site, fix=False, report=report)
    assert "0 broken" in summary and not report.failed

    shutil.rmtree(site / "tags" / "trade")
    (site / "archive" / "index.html").write_text(
        (site / "archive" / "index.html")
        .read_text()
        .replace('href="../2026/02/04/index.html"', 'href="../2026/02/04/index.html#nowhere"')
    )
    problems = check_links(site, site_config.base_url).problems
    messages = [str(p) for p in problems]
    assert any("broken link: ../../../../../tags/trade/index.html" in m for m in messages), messages
    assert any("archive/index.html:" in m and "broken fragment" in m for m in messages), messages
