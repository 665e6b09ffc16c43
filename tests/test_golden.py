"""The golden site: a small site's every page, feed and machine file, byte for byte.

When a change to pages, templates or feeds is intended, run
`make golden` (`python -m tests.golden_site --update`) and review the diff of tests/golden/site/.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.golden_site import GOLDEN, build_golden, files


def test_the_small_site_is_built_exactly_as_committed(tmp_path: Path) -> None:
    report = build_golden(tmp_path / "site")
    assert [p.message for p in report.problems] == ["search index not built: pagefind is not installed"]
    built, expected = files(tmp_path / "site"), files(GOLDEN)
    assert sorted(built) == sorted(expected), "pages added or removed: make golden"
    for rel, data in expected.items():
        if built[rel] != data:
            diff = difflib.unified_diff(
                data.decode(errors="replace").splitlines(),
                built[rel].decode(errors="replace").splitlines(),
                f"golden/{rel}",
                f"built/{rel}",
                lineterm="",
                n=1,
            )
            raise AssertionError("\n".join([*list(diff)[:40], "(intended? make golden, then review the diff)"]))
