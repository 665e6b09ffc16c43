"""End to end: build real sites and run the shared verification kit on them.

The seeds (../shared/fixtures/raw) are ingested and built for a GitHub Pages project URL, and
`../shared/tools/check_all.sh SITE --base-url https://example.github.io/digest/` must pass all
four checks: Nu Html Checker (0 errors), internal links and fragments (0 broken), feeds and
sitemap (valid), axe-core in Chromium (0 violations). The repository's own sample (content/
and raw/) must pass them too. Outside CI these tests skip when Chromium, Java or npm are
missing; under CI (CI=true) they never skip: a missing tool is a failure.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:  # tests/ is a package (tests/__init__.py): the helpers are tests.e2e.sitehost
    from tests.e2e import sitehost
except ImportError:  # rootdir-relative imports, tests/ itself on sys.path
    from e2e import sitehost  # type: ignore[no-redef]

pytestmark = pytest.mark.site

CHECKS = ("check_html", "check_links", "check_feeds", "check_a11y")


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the site built from the shared seeds for the project URL (built once per session)."""
    sitehost.require_tools(java=True, vkit=True, what="the site checks")
    return sitehost.build_seed_site(tmp_path_factory.getbasetemp() / "seed-site")


def run_check_all(site: Path, base_url: str = sitehost.BASE_URL) -> subprocess.CompletedProcess[str]:
    """Run the kit's check_all.sh on site (with each check's log, -v) and return the finished process."""
    return subprocess.run(
        ["bash", str(sitehost.TOOLS / "check_all.sh"), str(site), "--base-url", base_url, "-v"],
        env=sitehost.tool_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def assert_all_checks_pass(proc: subprocess.CompletedProcess[str], what: str) -> None:
    """Assert that check_all.sh reported all four checks passing; show its whole output if not."""
    summary = [line for line in proc.stdout.splitlines() if line.startswith(tuple(f"{c}: " for c in CHECKS))]
    failing = [line for line in summary if ": PASS" not in line]
    assert proc.returncode == 0 and "4 passed, 0 failed" in proc.stdout, (
        f"{what}: check_all.sh exited {proc.returncode}; failing checks:\n  "
        + "\n  ".join(failing or summary)
        + f"\n--- full output\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    )


def test_seed_site_passes_all_checks(shared_dir: Path, seed_site: Path) -> None:
    assert sitehost.article_pages(seed_site), f"no article pages (YYYY/MM/DD/theme/slug/) in {seed_site}"
    assert_all_checks_pass(run_check_all(seed_site), "site built from the shared seeds")


def test_repository_sample_passes_all_checks(shared_dir: Path, tmp_path: Path) -> None:
    sitehost.require_tools(java=True, vkit=True, what="the site checks")
    # Work on a copy: ingesting the repository's raw/ must not touch its content/.
    content = tmp_path / "content"
    content.mkdir()
    if (sitehost.REPO / "content").is_dir():
        shutil.copytree(sitehost.REPO / "content", content, dirs_exist_ok=True)
    raw = sorted(p for p in (sitehost.REPO / "raw").rglob("*") if p.is_file() and not p.name.startswith("."))
    if not raw and not any(content.rglob("*.md")):
        pytest.skip("the repository has no sample content/ or raw/ yet")
    if raw:
        sitehost.ingest(content, raw)
    site = tmp_path / "site"
    sitehost.run_digest(
        ["build", "--no-ingest", "--content", str(content), "--output", str(site), "--base-url", sitehost.BASE_URL]
    )
    assert sitehost.article_pages(site), f"no article pages (YYYY/MM/DD/theme/slug/) in {site}"
    assert_all_checks_pass(run_check_all(site), "site built from the repository's content/ and raw/")


def test_the_checks_can_fail_a_broken_copy_of_the_seed_site(shared_dir: Path, seed_site: Path, tmp_path: Path) -> None:
    # Guards the wiring above (paths, base URL, the interpreter the kit's scripts run on): a
    # planted broken link must be reported, naming its page, or a green result means nothing.
    broken = tmp_path / "site"
    shutil.copytree(seed_site, broken)
    index = broken / "index.html"
    index.write_text(
        index.read_text("utf-8").replace("</main>", '<a href="no-such-page/">broken</a></main>', 1), "utf-8"
    )
    proc = subprocess.run(
        [sys.executable, str(sitehost.TOOLS / "check_links.py"), str(broken), "--base-url", sitehost.BASE_URL],
        env=sitehost.tool_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode != 0, f"check_links passed a site with a broken link:\n{proc.stdout}"
    assert "no-such-page" in proc.stdout and "index.html" in proc.stdout, proc.stdout
