"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds read with feedparser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator import frontmatter
from generator.models import Severity
from generator.sources import feed as feed_module
from generator.sources import read_source
from generator.sources.feed import read_feed
from tests.conftest import run_digest

INPUTS = Path(__file__).parent / "fixtures" / "inputs"
PLUS5 = dt.timezone(dt.timedelta(hours=5))


def test_rss2_entries() -> None:
    result = read_source(INPUTS / "feed_rss2.xml", "feed_rss2.xml")
    assert result.format == "feed"
    assert result.raw_count == 3
    wind, border, gas = result.items
    assert wind.title == "Uzbekistan opens its first wind farm in Navoi region"
    assert wind.origin == "feed_rss2.xml:8"
    assert wind.source == "Silk Road Times"
    assert wind.source_url == "https://silkroad-times.example/2026/02/05/navoi-wind-farm"
    assert wind.language == "en"
    assert wind.sections == ("Environment",)
    assert wind.tags == ("Environment", "Energy")
    # content:encoded wins over the shorter description, which becomes the summary.
    assert wind.body == (
        "The 500-megawatt Zarafshan wind farm started supplying the grid on Wednesday night.",
        "It is expected to cut gas use by 400 million cubic metres a year.",
        "Click for the photo gallery.",
    )
    assert wind.summary == "The 500-megawatt Zarafshan wind farm started supplying the grid."
    assert border.body == (
        "Delegations signed the final protocol on the last disputed sections.",
        "The border treaty goes to both parliaments next month.",
    )
    assert gas.title == "Turkmen gas exports to China rise"


def test_rss2_date_is_the_publishers_local_date() -> None:
    wind = read_source(INPUTS / "feed_rss2.xml", "feed_rss2.xml").items[0]
    # 00:30 on 5 February in UTC+5 is still 4 February in UTC: the feed's own day wins.
    assert wind.date == dt.date(2026, 2, 5)
    assert wind.published == dt.datetime(2026, 2, 5, 0, 30, tzinfo=PLUS5)
    assert wind.date_source == "feed"


def test_rss2_script_and_non_http_links_are_dropped() -> None:
    result = read_source(INPUTS / "feed_rss2.xml", "feed_rss2.xml")
    assert not any("never text" in p for item in result.items for p in item.body)
    assert result.items[2].source_url is None
    assert [(str(p), p.severity) for p in result.problems] == [
        (
            'feed_rss2.xml:27: link "ftp://silkroad-times.example/files/gas.txt" is not an http(s) URL and was '
            "dropped (only http and https links are kept)",
            Severity.WARNING,
        )
    ]


def test_rdf_feed_in_kazakh() -> None:
    result = read_source(INPUTS / "feed_rdf.xml", "feed_rdf.xml")
    assert result.problems == ()
    school, road = result.items
    assert school.title == "Шымкентте үш жаңа мектеп салынады"
    assert school.origin == "feed_rdf.xml:14"
    assert school.language == "kk"
    assert school.date == dt.date(2026, 2, 4)
    assert school.published == dt.datetime(2026, 2, 4, 11, 0, tzinfo=PLUS5)
    assert school.sections == ("Қоғам",)
    assert road.date == dt.date(2026, 2, 5)
    assert road.published is None
    assert road.source == "Dala News"


def test_atom_feed() -> None:
    result = read_source(INPUTS / "feed_atom.xml", "feed_atom.xml")
    assert result.problems == ()
    metal, centre = result.items
    assert metal.title == "Павлодарский алюминиевый завод увеличил выпуск"  # type="html" title stripped
    assert metal.source_url == "https://priirtyshye.example/2026/02/05/aluminiy"  # relative link resolved
    assert metal.date == dt.date(2026, 2, 5)  # published, not updated
    assert metal.sections == ("Экономика",)
    assert metal.language == "ru"
    assert metal.summary == "Завод выпустил на 8 процентов больше металла, чем годом ранее."
    assert centre.body == ("Центр рассчитан на сорок детей.", "Занятия бесплатные.")
    assert centre.date == dt.date(2026, 2, 6)  # only <updated>
    assert centre.summary is None


def test_encoding_declaration_does_not_garble_decoded_text() -> None:
    xml = (
        '<?xml version="1.0" encoding="windows-1251"?><rss version="2.0"><channel><title>Лента</title>'
        "<item><title>Привет, Алматы</title><description>Текст новости.</description></item></channel></rss>"
    )
    result = read_feed(xml, "f.xml", "f.xml")
    assert result.items[0].title == "Привет, Алматы"
    assert result.items[0].source == "Лента"


def test_feed_text_is_never_fetched_or_opened() -> None:
    # feedparser.parse() treats a string as a URL or a file name; the reader must not.
    result = read_feed("http://127.0.0.1:9/feed.xml", "f.xml", "f.xml")
    assert result.items == ()
    assert result.problems[0].message.startswith("feed is not well-formed XML")


def test_truncated_feed_keeps_recovered_entries() -> None:
    result = read_source(INPUTS.parent / "bad" / "truncated_feed.xml", "truncated_feed.xml")
    assert [item.title for item in result.items] == ["Complete entry before the damage", "Entry cut off mid-way"]
    problem = result.problems[0]
    assert (problem.line, problem.severity) == (16, Severity.WARNING)
    assert str(problem) == (
        "truncated_feed.xml:16: feed is not well-formed XML (no element found); 2 items recovered "
        "(fix the XML there; items near the damage may be incomplete)"
    )


def test_repairable_damage_is_read_from_the_repaired_feed() -> None:
    # feedparser's lenient parser stops a title at "<"; the repaired text parses in full.
    xml = (
        '<rss version="2.0"><channel><title>Wire & Co</title>\n'
        "<item><title>Inflation <5% at last</title><description>Text&nbsp;one.</description></item>\n"
        "<item><title><![CDATA[Rates & <b>bonds</b>]]></title><description>Text two.</description></item>"
        "</channel></rss>"
    )
    result = read_feed(xml, "f.xml", "f.xml")
    assert [item.title for item in result.items] == ["Inflation <5% at last", "Rates & bonds"]
    assert result.items[0].body == ("Text one.",)
    assert result.items[0].source == "Wire & Co"
    assert [(p.line, p.severity, p.message) for p in result.problems] == [
        (1, Severity.WARNING, "feed is not well-formed XML (invalid token); 2 items recovered")
    ]


def test_feed_with_nothing_recoverable_is_rejected_whole() -> None:
    result = read_feed('<rss version="2.0"><channel><title>A & B</title><<<item>', "f.xml", "raw/f.xml")
    assert result.items == ()
    assert [str(p) for p in result.problems] == [
        "raw/f.xml:1: feed is not well-formed XML (invalid token); no items could be recovered (fix the XML there)"
    ]


def test_empty_feed_is_a_warning() -> None:
    result = read_feed('<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "q.xml", "q.xml")
    assert result.items == ()
    assert [(p.message, p.severity) for p in result.problems] == [("feed has no entries", Severity.WARNING)]


def test_cp1251_feed_file_is_decoded_by_its_declaration(tmp_path: Path) -> None:
    xml = (
        '<?xml version="1.0" encoding="windows-1251"?>\n<rss version="2.0"><channel><title>Лента Приаралья</title>'
        "<item><title>В Аральске открыли рыбный рынок</title>"
        "<pubDate>Mon, 09 Feb 2026 12:00:00 +0500</pubDate>"
        "<description>Рынок рассчитан на сто торговых мест и работает круглый год.</description></item>"
        "</channel></rss>\n"
    )
    (tmp_path / "feed.xml").write_bytes(xml.encode("cp1251"))
    result = read_source(tmp_path / "feed.xml", "feed.xml")
    assert result.problems == ()
    item = result.items[0]
    assert (item.title, item.source, item.language) == ("В Аральске открыли рыбный рынок", "Лента Приаралья", "ru")
    assert item.date == dt.date(2026, 2, 9)


def test_character_references_to_surrogates_do_not_crash() -> None:
    xml = (
        '<rss version="2.0"><channel><title>T</title><item><title>A &#xD800; b &#55296;</title>'
        "<description>x &#0; y</description></item></channel></rss>"
    )
    result = read_feed(xml, "f.xml", "f.xml")
    assert [item.title for item in result.items] == ["A \ufffd b \ufffd"]


def test_feedparser_crash_is_a_feed_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise KeyError("links")

    monkeypatch.setattr(feed_module.feedparser, "parse", crash)
    result = read_feed('<rss version="2.0"><channel/></rss>', "f.xml", "raw/f.xml")
    assert [str(p) for p in result.problems] == [
        "raw/f.xml: malformed feed: feedparser could not read it (KeyError: 'links') "
        "(check the XML with a validator and fix it)"
    ]


# --- publisher furniture and repeated standfirsts ---------------------------------------------


def test_publisher_furniture_is_removed_in_four_languages() -> None:
    metro, dvory, kitaphana, bus = read_source(INPUTS / "feed_furniture.xml", "feed_furniture.xml").items
    # Ad markers, share rows, newsletter prompts and "appeared first on" credits go; a real
    # sentence that names Twitter and sharing stays.
    assert metro.body == (
        "The new depot in Alatau district will service twenty trains.",
        "Construction took three years and cost 40 billion tenge, the city said. "
        "Twitter users shared photos of the first train on Monday.",
    )
    assert dvory.body == (
        "В этом году в Караганде отремонтируют сорок дворов и детских площадок.",
        "Работы начнутся в апреле.",  # "Подробнее" glued to the end is a link, not text
    )
    assert kitaphana.body == ("Кітапханада жүз мың кітап бар.",)
    assert bus.body == ("Die Linie fährt ab Montag alle zwanzig Minuten vom Bahnhof zum Flughafen.",)


def test_description_repeating_the_body_opening_is_not_a_summary() -> None:
    metro, dvory, kitaphana, bus = read_source(INPUTS / "feed_furniture.xml", "feed_furniture.xml").items
    # "<first paragraph> […]" and a verbatim first paragraph would show the lede twice.
    assert metro.summary is None
    assert dvory.summary is None
    assert kitaphana.summary is None  # the description is the body
    # A standfirst of its own is kept.
    assert bus.summary == "Die neue Linie fährt alle zwanzig Minuten."


def test_near_copy_of_the_opening_is_not_a_summary() -> None:
    feed = """<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
    <item><title>Ferry line reopens</title><link>https://t.example/a</link>
    <description>The “Caspian” ferry line   reopens on Monday after two years.</description>
    <content:encoded><![CDATA[<p>The "Caspian" ferry line reopens on Monday after two years.</p>
    <p>Tickets go on sale today.</p><p>The ferry line reopens, and more.</p>
    <p>The "Caspian" ferry line reopens on Monday after two years.</p>]]></content:encoded></item></channel></rss>"""
    (item,) = read_feed(feed, "f.xml", "f.xml").items
    assert item.summary is None
    # The same paragraph twice in one body is shown once.
    assert item.body == (
        'The "Caspian" ferry line reopens on Monday after two years.',
        "Tickets go on sale today.",
        "The ferry line reopens, and more.",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Facebook said on Monday it would share more data with researchers.",
        "Twitter shares fell 5% on Monday.",
        "Read the full report here.",
        "The advertisement market grew by a tenth.",
        "Подписка на газету подорожала вдвое.",
        "Folgen Sie den Hinweisen der Polizei.",
    ],
)
def test_real_sentences_with_furniture_words_stay(sentence: str) -> None:
    feed = f"""<rss version="2.0"><channel><title>T</title><item><title>Story</title><link>https://t.example/a</link>
    <description><![CDATA[<p>{sentence}</p><p>Advertisement</p>]]></description></item></channel></rss>"""
    assert read_feed(feed, "f.xml", "f.xml").items[0].body == (sentence,)


def test_ingested_feed_article_has_its_lede_once(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "courier.xml").write_bytes((INPUTS / "feed_furniture.xml").read_bytes())
    code, output = run_digest(["ingest"], tmp_path)
    assert code == 0, output
    (path,) = (tmp_path / "content").rglob("almaty-opens-a-second-metro-depot*.md")
    meta, body, _, _ = frontmatter.split(path.read_text(encoding="utf-8"), str(path))
    assert body.count("The new depot in Alatau district") == 1
    assert "appeared first" not in body and "Advertisement" not in body and "Share on" not in body
    # The summary is the body's own lede, which the article page shows only once.
    assert meta["summary"] == "The new depot in Alatau district will service twenty trains."
