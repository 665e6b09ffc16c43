"""End to end through `digest ingest` on real files: encodings, damaged feeds, HTML fragments.

Each test writes raw inputs to disk, runs the CLI on them and reads the content files it
wrote, so that decoding, format detection, the readers and ingest are exercised together.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import frontmatter
from tests.conftest import run_digest

# A page dump whose headlines end in their dates (`TITLE DD.MM.YYYY`), in two scripts.
DUMP = """Steppe Herald
News
Government approves a new digital strategy 04.02.2026
The government approved a new digital strategy on Tuesday. It covers schools and hospitals.
Wheat exports reach a record level 04.02.2026
Wheat exports reached a record level in January, the ministry of agriculture said on Wednesday.
В Астане открылся региональный энергетический форум 03.02.2026
Министры пяти стран встретились в Астане, чтобы обсудить энергетические связи региона.
"""
DUMP_ARTICLES = [
    ("2026-02-03", "В Астане открылся региональный энергетический форум"),
    ("2026-02-04", "Government approves a new digital strategy"),
    ("2026-02-04", "Wheat exports reach a record level"),
]
RUSSIAN_DUMP = """Новости региона
Правительство утвердило новую цифровую стратегию 04.02.2026
Правительство во вторник утвердило новую цифровую стратегию для школ и больниц.
Экспорт пшеницы вырос до рекордного уровня 05.02.2026
Экспорт пшеницы в январе вырос до рекордного уровня, сообщило министерство в среду.
"""


def ingest(root: Path, files: dict[str, bytes]) -> tuple[int, str, dict]:
    """Write files under root/raw, run `digest ingest --report` there; return code, output, report."""
    for name, data in files.items():
        path = root / "raw" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    code, output = run_digest(["ingest", "--report", "report.json"], root)
    report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    return code, output, report


def articles(root: Path) -> list[tuple[str, str]]:
    """Return (date, title) of every content file written under root/content, sorted."""
    found = []
    for path in sorted((root / "content").rglob("*.md")):
        meta = frontmatter.split(path.read_text(encoding="utf-8"), str(path))[0]
        found.append((str(meta["date"]), str(meta["title"])))
    return sorted(found)


def utf16_in_pieces(text: str) -> bytes:
    """Return text as UTF-16 written line by line with `str.encode("utf-16")`: a BOM at every join."""
    pieces = []
    for line in text.splitlines():
        title, sep, date = line.rpartition(" ")
        pieces += [title, sep, date, "\r\n"] if sep else [line, "\r\n"]
    return b"".join(piece.encode("utf-16") for piece in pieces if piece)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="utf-8-crlf"),
        pytest.param(lambda t: codecs.BOM_UTF16_LE + t.replace("\n", "\r\n").encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-16-le"), id="utf-16-le-no-bom"),
        pytest.param(lambda t: t.encode("utf-16-be"), id="utf-16-be-no-bom"),
        pytest.param(utf16_in_pieces, id="utf-16-written-in-pieces"),
    ],
)
def test_dump_gives_the_same_articles_and_dates_in_every_encoding(
    tmp_path: Path, encode: Callable[[str], bytes]
) -> None:
    code, output, report = ingest(tmp_path, {"herald.txt": encode(DUMP)})
    assert code == 0, output
    assert "no date found" not in output
    assert articles(tmp_path) == DUMP_ARTICLES
    assert report["inputs"][0]["format"] == "text"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_dump_in_cyrillic_is_read_not_called_binary(tmp_path: Path, codec: str) -> None:
    # No NUL in nearly every other byte here (Cyrillic's high byte is 04): the old test missed it.
    code, output, _ = ingest(tmp_path, {"novosti.txt": RUSSIAN_DUMP.replace("\n", "\r\n").encode(codec)})
    assert code == 0, output
    assert "binary" not in output
    assert articles(tmp_path) == [
        ("2026-02-04", "Правительство утвердило новую цифровую стратегию"),
        ("2026-02-05", "Экспорт пшеницы вырос до рекордного уровня"),
    ]


# --- feeds that are not well-formed ------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>Steppe Wire</title>
<link>https://steppe-wire.example/</link>
<item>
<title>{first}</title>
<link>https://steppe-wire.example/news/1</link>
<pubDate>Wed, 04 Feb 2026 10:00:00 +0500</pubDate>
<description>Output rose in the region in January, officials of the regional government said.</description>
</item>
<item>
<title>{second}</title>
<link>https://steppe-wire.example/news/2</link>
<pubDate>Thu, 05 Feb 2026 11:00:00 +0500</pubDate>
<description>Inflation fell below five percent for the first time in four years, the bank said.</description>
</item>
</channel>
</rss>
"""


@pytest.mark.parametrize(
    ("first", "second", "line", "error", "titles"),
    [
        pytest.param(
            "Oil & gas output rises in Atyrau",
            "Inflation falls for the first time",
            7,
            "invalid token",
            ["Inflation falls for the first time", "Oil & gas output rises in Atyrau"],
            id="stray-ampersand",
        ),
        pytest.param(
            "Oil and gas output rises in Atyrau",
            "Inflation < 5% for the first time",
            13,
            "invalid token",
            ["Inflation < 5% for the first time", "Oil and gas output rises in Atyrau"],
            id="unescaped-less-than",
        ),
        pytest.param(
            "Oil&nbsp;and gas output rises in Atyrau",
            "Inflation falls &mdash; for the first time",
            7,
            "undefined entity",
            ["Inflation falls — for the first time", "Oil and gas output rises in Atyrau"],
            id="html-entities",
        ),
    ],
)
def test_recoverable_feed_keeps_its_items_with_one_warning(
    tmp_path: Path, first: str, second: str, line: int, error: str, titles: list[str]
) -> None:
    code, output, report = ingest(tmp_path, {"wire.xml": RSS.format(first=first, second=second).encode()})
    assert code == 0, output  # a warning, not an error
    assert sorted(title for _, title in articles(tmp_path)) == titles
    assert report["problems"] == [
        f"raw/wire.xml:{line}: feed is not well-formed XML ({error}); 2 items recovered "
        "(fix the XML there; items near the damage may be incomplete)"
    ]
    assert len(report["inputs"][0]["articles"]) == 2
    code, output = run_digest(["ingest", "--strict"], tmp_path)
    assert code == 1 and "feed is not well-formed XML" in output


def test_feed_with_nothing_recoverable_is_rejected(tmp_path: Path) -> None:
    broken = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>A & B</title><<<item>\n'
    _, output, report = ingest(tmp_path, {"wire.xml": broken.encode()})
    problem = (
        "raw/wire.xml:2: feed is not well-formed XML (invalid token); no items could be recovered (fix the XML there)"
    )
    assert problem in output
    assert report["inputs"] == [{"input": "raw/wire.xml", "format": "feed", "articles": [], "rejected": [problem]}]
    assert report["problems"] == [problem]
    assert articles(tmp_path) == []


# --- HTML that does not open with <html> -------------------------------------------------------

PAGE = """<meta charset="utf-8">
<title>Almaty opens a new metro station</title>
<div class="story">
<h1>Almaty opens a new metro station</h1>
<p class="date"><time datetime="2026-02-04">4 February 2026</time></p>
<p>The city of Almaty opened a new metro station on Wednesday, the first in three years. The station
serves the western districts of the city and is expected to carry twenty thousand passengers a day.</p>
<p>City officials said that two more stations will open by the end of next year, once the tunnel
works on the western line are finished and tested by the inspectors.</p>
</div>
"""


@pytest.mark.parametrize(
    "lead",
    [
        pytest.param("<style>\nbody { font: 16px sans-serif; }\np.date { color: #555; }\n</style>\n", id="style"),
        pytest.param("<script>var dataLayer = []; if (a < b) { dataLayer.push(1); }</script>\n", id="script"),
        pytest.param("<!-- saved from url=(0041)https://news.example/almaty-metro -->\n", id="comment"),
        pytest.param("\ufeff\n\n   ", id="bom-and-whitespace"),
        pytest.param("", id="meta-first"),
    ],
)
@pytest.mark.parametrize("wrapper", ["div", "article", "main", "section"])
def test_html_page_not_opening_with_html_element_is_read_as_html(tmp_path: Path, lead: str, wrapper: str) -> None:
    # HTML5 wrappers too: libxml2's parser leaves elements it does not know in <head>.
    page = PAGE.replace('<div class="story">', f'<{wrapper} class="story">').replace("</div>", f"</{wrapper}>")
    code, output, report = ingest(tmp_path, {"metro.html": (lead + page).encode("utf-8")})
    assert code == 0, output
    assert "not an RSS, RDF or Atom feed" not in output
    assert report["inputs"][0]["format"] == "html"
    assert articles(tmp_path) == [("2026-02-04", "Almaty opens a new metro station")]


def test_xml_that_is_not_a_feed_is_still_rejected(tmp_path: Path) -> None:
    sitemap = (
        '<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://news.example/a</loc><lastmod>2026-02-04</lastmod></url></urlset>\n"
    )
    data = "<data><row><title>Metro</title><date>2026-02-04</date></row></data>\n"
    _, _, report = ingest(tmp_path, {"sitemap.xml": sitemap.encode(), "export.xml": data.encode()})
    not_feed = "an XML document that is not an RSS, RDF or Atom feed (remove it or convert it to a feed)"
    assert [(i["input"], i["format"], i["rejected"]) for i in report["inputs"]] == [
        ("raw/export.xml", "xml", [f"raw/export.xml:1: {not_feed}"]),
        ("raw/sitemap.xml", "xml", [f"raw/sitemap.xml:1: {not_feed}"]),
    ]
