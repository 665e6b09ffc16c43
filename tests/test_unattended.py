"""The unattended loop end to end: fetch → build through the real CLI, sources on loopback.

Each test is one way the scheduled workflow used to break or lose articles: an undated item
blocking publication, two sources fetched the same day sharing a name, a deleted article
coming back, one input's crash aborting the run, a build in the wrong folder.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import tombstones
from generator.curate import Curator
from tests.conftest import run_digest, write_files
from tests.loopback import Loopback, Reply, prose, rss, serving

DAY = "2026-02-04"


def _body(n: int) -> str:
    """Return a distinct, deterministic body for story n (different stories share no runs)."""
    return f"Story {n}. " + prose(random.Random(n), 60)


@pytest.fixture
def web() -> Iterator[Loopback]:
    with serving() as server:
        yield server


def _site(root: Path, sources: dict[str, str]) -> Path:
    lines = ["sources:"] + [f"  - name: {name}\n    url: {url}\n    kind: feed" for name, url in sources.items()]
    write_files(root, {"digest.yaml": "\n".join(lines) + "\n"})
    return root


def _item(n: int, date: str = "Wed, 04 Feb 2026 10:00:00 +0000", host: str = "news.example") -> dict[str, str]:
    return {
        "title": f"Story number {n} about the regional council",
        "link": f"https://{host}/{n}",
        "date": date,
        "body": _body(n),
    }


def _articles(content: Path) -> dict[str, str]:
    """Return {title: path} of every article file under content/."""
    out = {}
    for path in sorted(content.rglob("*.md")):
        title = re.search(r"^title: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert title is not None
        out[title.group(1).strip("'\"")] = path.relative_to(content).as_posix()
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_undated_item_is_reported_and_the_site_still_published(
    tmp_path: Path, web: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    undated = {**_item(9), "title": "Notice without any date", "date": ""}
    web.replies["/feed.xml"] = Reply(rss("City News", [_item(1), _item(2), undated, _item(3)]))
    root = _site(tmp_path / "site", {"city": web.url("/feed.xml")})

    code, out = run_digest(["fetch", "--now", DAY], root)
    assert code == 0, out
    code, out = run_digest(["build"], root)
    assert code == 0, out
    assert (root / "site" / "index.html").is_file()
    assert len(_articles(root / "content")) == 3
    rejects = [line for line in out.splitlines() if "no date found" in line]
    assert len(rejects) == 1, out
    assert re.match(rf'warning: raw/city/{DAY}\.xml:\d+: no date found for "Notice without any date"', rejects[0])
    assert "1 input or item rejected" in out

    # Nothing new: the next scheduled run publishes again, still exit 0.
    code, out = run_digest(["build"], root)
    assert code == 0, out

    # Under GitHub Actions each reject is also an annotation for the run's summary page.
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out = run_digest(["build"], root)
    assert code == 0, out
    assert re.search(rf"^::warning file=raw/city/{DAY}\.xml,line=\d+,title=digest::raw/city/", out, re.MULTILINE), out
    monkeypatch.delenv("GITHUB_ACTIONS")

    # --strict is how an owner makes rejects fatal; the published site stays as it was,
    # even though this run has a new article it would otherwise publish.
    web.replies["/feed.xml"] = Reply(rss("City News", [_item(1), _item(2), undated, _item(3), _item(4)]))
    assert run_digest(["fetch", "--now", "2026-02-05"], root)[0] == 0
    before = _snapshot(root / "site")
    code, out = run_digest(["build", "--strict"], root)
    assert code == 1, out
    assert _snapshot(root / "site") == before
    assert "site not published" in out

    # The hint names an option `digest build` accepts.
    code, out = run_digest(["build", "--default-date", DAY], root)
    assert code == 0, out
    assert "Notice without any date" in _articles(root / "content")
    assert len(_articles(root / "content")) == 5


def test_two_sources_fetched_the_same_day_keep_their_own_names(tmp_path: Path, web: Loopback) -> None:
    web.replies["/a.xml"] = Reply(rss("Alpha", [_item(1, host="alpha.example"), _item(2, host="alpha.example")]))
    web.replies["/b.xml"] = Reply(rss("Beta", [_item(11, host="beta.example")]))
    root = _site(tmp_path / "site", {"alpha": web.url("/a.xml"), "beta": web.url("/b.xml")})
    assert run_digest(["fetch", "--now", DAY], root)[0] == 0

    code, out = run_digest(["ingest", "--report", "report.json"], root)
    assert code == 0, out
    origins = {}
    for path in (root / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        origin = re.search(r"^origin: (.*)$", text, re.MULTILINE)
        source = re.search(r"^source: (.*)$", text, re.MULTILINE)
        assert origin and source and source.group(1).strip(), text
        origins[path.relative_to(root / "content").as_posix()] = origin.group(1)
    assert sorted(o.rsplit(":", 1)[0] for o in origins.values()) == [
        f"raw/alpha/{DAY}.xml",
        f"raw/alpha/{DAY}.xml",
        f"raw/beta/{DAY}.xml",
    ]
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    entries = {entry["input"]: entry["articles"] for entry in report["inputs"]}
    assert set(entries) == {f"raw/alpha/{DAY}.xml", f"raw/beta/{DAY}.xml"}
    assert len(entries[f"raw/alpha/{DAY}.xml"]) == 2
    assert len(entries[f"raw/beta/{DAY}.xml"]) == 1
    for name, written in entries.items():
        for rel in written:
            assert origins[rel].startswith(name + ":")


def _syndicated(root: Path) -> None:
    """Write two outlets' inputs: outlet B carries a copy of outlet A's first story."""
    copy = {**_item(1, host="beta.example"), "title": "Council passes budget, outlet B reports"}
    write_files(
        root,
        {
            "raw/alpha.rss": rss("Alpha", [_item(1, host="alpha.example"), _item(2, host="alpha.example")]).decode(),
            "raw/beta.rss": rss("Beta", [copy, _item(3, host="beta.example")]).decode(),
        },
    )


def test_a_deleted_article_never_comes_back_unless_re_added(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _syndicated(root)
    code, out = run_digest(["build"], root)
    assert code == 0, out
    content = root / "content"
    first = _articles(content)
    assert len(first) == 3, first  # the copy merged into the story it repeats
    story = first["Story number 1 about the regional council"]
    other = first["Story number 3 about the regional council"]
    kept = (content / story).read_bytes()
    edited = content / first["Story number 2 about the regional council"]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAn editor's line.\n", encoding="utf-8")
    (content / story).unlink()
    (content / other).unlink()

    for _ in range(2):  # the next scheduled runs ingest the same raw/ again
        code, out = run_digest(["build"], root)
        assert code == 0, out
        now = _articles(content)
        assert set(now) == {"Story number 2 about the regional council"}, now
        assert "An editor's line." in edited.read_text(encoding="utf-8")
        assert "2 deleted by an editor" in out
    listed = (content / tombstones.TOMBSTONES_NAME).read_text(encoding="utf-8")
    assert story in listed and other in listed

    code, out = run_digest(["check"], root)
    assert f"2 articles deleted by an editor (content/{tombstones.TOMBSTONES_NAME})" in out, out

    # A deliberate re-add wins over the tombstone, and its line goes.
    (content / story).parent.mkdir(parents=True, exist_ok=True)
    (content / story).write_bytes(kept)
    code, out = run_digest(["build"], root)
    assert code == 0, out
    assert story in _articles(content).values()
    listed = (content / tombstones.TOMBSTONES_NAME).read_text(encoding="utf-8")
    assert story not in listed and other in listed


def test_one_input_crashing_is_its_own_error_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    _syndicated(root)
    write_files(root, {"raw/crash.rss": rss("Gamma", [_item(20, host="gamma.example")]).decode()})
    real = Curator.prepare

    def fragile(self, candidate):  # type: ignore[no-untyped-def]
        if "crash.rss" in candidate.origin:
            raise OverflowError("date value out of range")
        return real(self, candidate)

    monkeypatch.setattr(Curator, "prepare", fragile)
    code, out = run_digest(["ingest"], root)
    assert code == 0, out
    assert re.search(r"raw/crash\.rss: digest failed on this input: OverflowError: date value out of range", out)
    assert len(_articles(root / "content")) == 3
    assert run_digest(["ingest", "--strict"], root)[0] == 1


def test_build_in_an_empty_folder_says_there_is_nothing_to_build(tmp_path: Path) -> None:
    code, out = run_digest(["build"], tmp_path)
    assert code == 1
    assert "nothing to build" in out and "digest init" in out
    assert not (tmp_path / "site").exists()


def test_a_named_input_that_does_not_exist_fails_ingest(tmp_path: Path) -> None:
    code, out = run_digest(["ingest", "missing.rss"], tmp_path)
    assert code == 1
    assert "missing.rss: no such file or directory" in out


def test_an_input_outside_the_project_is_named_by_its_path(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "feeds" / "2026-02-04.xml"
    write_files(outside.parent, {outside.name: rss("Delta", [_item(5, host="delta.example")]).decode()})
    root = tmp_path / "site"
    root.mkdir()
    code, out = run_digest(["ingest", str(outside)], root)
    assert code == 0, out
    [path] = (root / "content").rglob("*.md")
    text = path.read_text(encoding="utf-8")
    assert re.search(r"^origin: .*elsewhere/feeds/2026-02-04\.xml:\d+$", text, re.MULTILINE), text
