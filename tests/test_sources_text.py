"""Tests for the page text dump parser (generator/sources/text.py and its helpers).

Every input here is written for the tests: one small page per layout the parser must infer.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

import pytest

from generator.models import RawItem, SourceResult
from generator.sources import text as text_module
from generator.sources.text import read_text_dump
from generator.sources.text_lines import BOILER, DATE, MORE, RELATED, SOURCE, TEXT, classify_lines

D = dt.date


def parse(page: str, name: str = "page.txt") -> SourceResult:
    return read_text_dump(page, name, f"raw/{name}")


def by_title(result: SourceResult) -> dict[str, RawItem]:
    return {item.title: item for item in result.items if item.title}


def line_of(item: RawItem) -> int:
    return int(item.origin.rsplit(":", 1)[1])


SUFFIX_PAGE = """\
Daily Herald

News

Harbour reopens after winter repairs 05.03.2026
The harbour reopened on Thursday after three months of repairs.Crews replaced the old pier.Source : https://example.org/news/harbour
Choir from Oskemen wins regional contest. 05.03.2026
Source : https://example.org/news/choir
New tram line approved by the city council 05.03.2026
The council approved a new tram line linking the airport and the railway station.
- 05.03.2026
Source : https://example.org/news/empty
Жители города высадили тысячу деревьев в новом парке. Акция продолжалась весь день. 05.03.2026
Жители города высадили тысячу деревьев в новом парке.Акция продолжалась весь день.Source : https://example.org/news/trees
"""


def test_title_with_date_suffix_layout() -> None:
    result = parse(SUFFIX_PAGE)
    assert result.format == "text"
    assert result.path == "raw/page.txt"
    assert result.problems == ()
    assert len(result.items) == 5
    assert result.raw_count == 5
    harbour, choir, tram, empty, _trees = result.items
    assert harbour.title == "Harbour reopens after winter repairs"
    assert harbour.date == D(2026, 3, 5)
    assert harbour.date_source == "inline_title_suffix"
    assert harbour.origin == "page.txt:5"
    assert harbour.sections == ("News",)
    assert harbour.language == "en"
    # a glued Source marker goes to source_url; glued sentences stay as they are
    assert harbour.body == (
        "The harbour reopened on Thursday after three months of repairs.Crews replaced the old pier.",
    )
    assert harbour.source_url == "https://example.org/news/harbour"
    # a headline with no body, its Source marker alone on the next line
    assert choir.title == "Choir from Oskemen wins regional contest."
    assert choir.body == ()
    assert choir.source_url == "https://example.org/news/choir"
    assert tram.source_url is None
    assert tram.body[0].startswith("The council approved")
    # "- DATE" is an empty headline slot: kept (ingest rejects it by line), no title, no body
    assert empty.title is None
    assert empty.body == ()
    assert empty.date == D(2026, 3, 5)
    assert empty.origin == "page.txt:11"
    assert empty.source_url == "https://example.org/news/empty"
    assert empty.language is None


def test_headline_repeating_the_whole_body_is_one_item() -> None:
    trees = parse(SUFFIX_PAGE).items[-1]
    assert trees.language == "ru"
    assert trees.body == ("Жители города высадили тысячу деревьев в новом парке.Акция продолжалась весь день.",)
    assert trees.title is not None
    # shortened to a prefix of the headline (the first sentence here), or kept whole
    assert "Жители города высадили тысячу деревьев в новом парке. Акция продолжалась весь день.".startswith(trees.title)
    assert len(trees.title) >= 40
    assert trees.source_url == "https://example.org/news/trees"


def test_site_name_and_section_heading_are_not_body() -> None:
    for item in parse(SUFFIX_PAGE).items:
        assert "Daily Herald" not in item.body
        assert "News" not in item.body
        assert item.sections == ("News",)


SECTIONS_PAGE = """\
Politics
More
Ministers agree on a joint water plan
10.01.2026
Astana, 9 January 2026 – The ministers agreed on a joint plan for the river basin, including a «R&D Fund».Source : https://example.org/water
Museum night draws record crowds
10.01.2026
The city's museums stayed open until midnight and welcomed more than 20,000 visitors.
Society
More
Ministers agree on a joint water plan
10.01.2026
Astana, 9 January 2026 – The ministers agreed on a joint plan for the river basin, including a «RD Fund».Source : https://example.org/water
Museum night draws record crowds
10.01.2026
The citys museums stayed open until midnight and welcomed more than 20,000 visitors.
"""


def test_title_date_body_layout_with_repeats_under_sections() -> None:
    result = parse(SECTIONS_PAGE)
    assert len(result.items) == 2
    water, museum = result.items
    assert water.title == "Ministers agree on a joint water plan"
    assert water.date == D(2026, 1, 10)
    assert water.date_source == "date_line_after_title"
    assert water.sections == ("Politics", "Society")
    assert water.source_url == "https://example.org/water"
    assert water.origin == "page.txt:3"
    assert museum.sections == ("Politics", "Society")
    assert museum.body[0].startswith("The city's museums")  # the first copy is kept
    for item in result.items:
        assert "More" not in item.body
        assert "10.01.2026" not in item.body


HEADER_PAGE = """\
 date 2026-01-20 19.01.2026, 18:45 5120
Rail freight volumes grow by a tenth
Rail freight grew by ten percent last year, the operator reported on Monday.
Most of the growth came from grain and coal shipments to the south.
18.01.2026
Volunteers clean the river banks
More than two hundred volunteers cleaned the banks of the river on Sunday.
They collected four tonnes of rubbish.
17.01.2026
Winter festival opens in the old town
The festival opened with a parade of ice sculptures and a concert.
"""


def test_date_lines_before_titles_with_header_timestamp() -> None:
    result = parse(HEADER_PAGE)
    assert [i.title for i in result.items] == [
        "Rail freight volumes grow by a tenth",
        "Volunteers clean the river banks",
        "Winter festival opens in the old town",
    ]
    rail, volunteers, festival = result.items
    assert rail.date == D(2026, 1, 19)
    assert rail.date_source == "page_header_timestamp"
    assert rail.published == dt.datetime(2026, 1, 19, 18, 45)
    assert len(rail.body) == 2
    assert volunteers.date == D(2026, 1, 18)
    assert volunteers.date_source == "date_line_before_title"
    assert festival.date == D(2026, 1, 17)
    assert festival.body == ("The festival opened with a parade of ice sculptures and a concert.",)
    for item in result.items:
        assert not any("5120" in para for para in item.body)


def test_date_lines_after_articles() -> None:
    page = (
        "City council approves park renovation\n"
        "The city council voted to renovate the central park next year.\n"
        "04.02.2026\n"
        "Library extends opening hours\n"
        "The central library will stay open until nine on weekdays.\n"
        "03.02.2026\n"
    )
    result = parse(page)
    assert [(i.title, i.date) for i in result.items] == [
        ("City council approves park renovation", D(2026, 2, 4)),
        ("Library extends opening hours", D(2026, 2, 3)),
    ]
    assert result.items[0].date_source == "date_line_after_article"


TICKER_PAGE = """\
• KGS/USD = 0.01144 0%
  • KZT/USD = 0.00192 -0%
  • KGS/USD = 0.01144 0%
3 March 2026

Steppe Railway Museum Opens New Hall

The museum opened a hall devoted to the first steam engines of the region.

Visitors can climb into a restored locomotive cab.[/vc_column_text][/vc_column][/vc_row]

Farmers Test Drought-Resistant Wheat

Farmers in the north are testing a new wheat variety this spring.

The first results are expected in August.
"""


def test_ticker_page_header_and_shortcodes() -> None:
    result = parse(TICKER_PAGE)
    assert [i.title for i in result.items] == [
        "Steppe Railway Museum Opens New Hall",
        "Farmers Test Drought-Resistant Wheat",
    ]
    museum, wheat = result.items
    assert museum.date == wheat.date == D(2026, 3, 3)
    assert museum.date_source == "page_header"
    assert museum.body == (
        "The museum opened a hall devoted to the first steam engines of the region.",
        "Visitors can climb into a restored locomotive cab.",
    )
    assert museum.origin == "page.txt:6"
    for item in result.items:
        assert not any("USD" in para or "[/vc" in para or para == "3 March 2026" for para in item.body)


SINGLE_ARTICLE = """\
example.kz
Home / News / Economy
Economy
Government approves new budget rules for the regions
4 February 2026, 12:30
ASTANA. The government approved new rules for planning regional budgets on Tuesday, the ministry said.
The rules take effect on 1 March and cover all regions of the country.
Officials said the change would make spending more transparent and easier to audit.
"We expect savings of about three percent," the deputy minister told reporters.
Share
Facebook Twitter Telegram WhatsApp
Read also:
Fuel prices rise in Almaty
New airport terminal opens in Shymkent
Views: 1 234
We use cookies to improve your experience. By using the site you accept our cookie policy.
© 2026 Example. All rights reserved.
"""


def test_single_article_dump_gives_exactly_one_article() -> None:
    result = parse(SINGLE_ARTICLE)
    assert len(result.items) == 1
    (item,) = result.items
    assert item.title == "Government approves new budget rules for the regions"
    assert item.date == D(2026, 2, 4)
    assert item.published == dt.datetime(2026, 2, 4, 12, 30)
    assert item.date_source == "date_line_after_title"
    assert len(item.body) == 4
    assert item.body[0].startswith("ASTANA.")
    assert item.body[-1].endswith("told reporters.")
    assert item.source == "example.kz"  # the site's domain name atop the page, no Source URL
    joined = "\n".join(item.body)
    for junk in ("Share", "Facebook", "Read also", "Fuel prices", "Views", "cookie", "©"):
        assert junk not in joined


def test_single_german_article_keeps_subheadings_in_body() -> None:
    page = (
        "Startseite\n"
        "Politik\n"
        "Bundestag beschließt neues Heizungsgesetz\n"
        "Mittwoch, 4. Februar 2026, 12:30 Uhr\n"
        "Der Bundestag hat am Mittwoch das umstrittene Heizungsgesetz beschlossen.\n"
        "Die Opposition kritisierte das Verfahren als übereilt und kündigte Widerstand an.\n"
        "Neue Regeln für Wärmepumpen\n"
        "Ab 2027 gelten strengere Vorgaben für den Einbau von Wärmepumpen in Neubauten.\n"
        "Teilen\n"
    )
    (item,) = parse(page).items
    assert item.title == "Bundestag beschließt neues Heizungsgesetz"
    assert item.date == D(2026, 2, 4)
    assert item.language == "de"
    assert "Neue Regeln für Wärmepumpen" in item.body
    assert item.body[-1].startswith("Ab 2027")


def test_listing_of_teaser_blocks_gives_one_per_block() -> None:
    page = (
        "Latest news\n"
        "Viewing results 7 - 12 of 332\n"
        "\n"
        "Wheat exports reach record level\n"
        "Kazakhstan exported more wheat this season than in any year before.\n"
        "More\n"
        "\n"
        "New bridge opens over the Irtysh river\n"
        "The bridge will cut travel time between the two banks by half.\n"
        "More\n"
        "\n"
        "Schools switch to a five-day week\n"
        "From September all schools in the region will work five days a week.\n"
        "More\n"
        "1 2 3 Next\n"
    )
    result = parse(page)
    assert [i.title for i in result.items] == [
        "Wheat exports reach record level",
        "New bridge opens over the Irtysh river",
        "Schools switch to a five-day week",
    ]
    assert [line_of(i) for i in result.items] == [4, 8, 12]
    assert all(len(i.body) == 1 for i in result.items)
    assert all(i.date is None for i in result.items)


def test_russian_listing_with_dates_before_titles() -> None:
    page = (
        "Новости\n"
        "12:30, 4 февраля 2026\n"
        "В Астане открылся новый каток\n"
        "Каток площадью две тысячи квадратных метров открылся в столичном парке в среду.\n"
        "Подробнее\n"
        "10:15, 3 февраля 2026\n"
        "Цены на бензин выросли в Алматы\n"
        "Средняя цена литра бензина выросла на пять тенге за неделю.\n"
        "Подробнее\n"
        "Просмотров: 1234\n"
    )
    result = parse(page)
    assert [(i.title, i.date, i.language) for i in result.items] == [
        ("В Астане открылся новый каток", D(2026, 2, 4), "ru"),
        ("Цены на бензин выросли в Алматы", D(2026, 2, 3), "ru"),
    ]
    assert result.items[0].published == dt.datetime(2026, 2, 4, 12, 30)
    assert result.items[0].sections == ("Новости",)


def test_kazakh_date_line_and_language() -> None:
    page = "Өскеменде жаңа мектеп ашылды\n2026 жылғы 4 ақпан\nҚала орталығында үш жүз оқушыға арналған жаңа мектеп ашылды.\n"
    (item,) = parse(page).items
    assert item.date == D(2026, 2, 4)
    assert item.language == "kk"


def test_date_prefix_on_headline() -> None:
    page = (
        "04.02.2026 | Wheat harvest beats forecasts\n"
        "Farmers collected twenty million tonnes of grain this year, officials said.\n"
        "03.02.2026 | New metro line planned for Almaty\n"
        "The city plans a third metro line to open by the end of the decade.\n"
    )
    result = parse(page)
    assert [(i.title, i.date, i.date_source) for i in result.items] == [
        ("Wheat harvest beats forecasts", D(2026, 2, 4), "inline_title_prefix"),
        ("New metro line planned for Almaty", D(2026, 2, 3), "inline_title_prefix"),
    ]


def test_teaser_followed_by_full_text_is_one_item() -> None:
    page = (
        "Top stories\n"
        "Airport expansion approved\n"
        "05.02.2026\n"
        "The government approved the expansion of the airport.\n"
        "Airport expansion approved\n"
        "05.02.2026\n"
        "The government approved the expansion of the airport. A second runway will be built by 2029.\n"
        "Construction starts in the spring and will cost about 300 million dollars.\n"
    )
    result = parse(page)
    assert len(result.items) == 1
    (item,) = result.items
    assert len(item.body) == 2  # the full text wins over the teaser
    assert item.origin == "page.txt:2"


def test_untitled_text_gets_origin_of_its_first_body_line() -> None:
    page = "\n\nThe committee met on Monday and approved the plan for the new school.\nWork starts next month.\n"
    (item,) = parse(page).items
    assert item.title is None
    assert item.origin == "page.txt:3"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("", "no articles found"),
        ("\n\n   \n", "no articles found"),
        ("More\nShare\n1 2 3 Next\nViews: 12\n• KGS/USD = 0.01144 0%\n", "no articles found"),
        ("\x00\x01\x02\x03binary\x04\x05\x06\x07\x08" * 50, "does not look like text"),
    ],
)
def test_garbage_gives_a_problem_not_an_exception(page: str, message: str) -> None:
    result = parse(page)
    assert result.items == ()
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert message in problem.message
    assert problem.path == "raw/page.txt"
    assert problem.hint


def test_random_text_never_raises() -> None:
    rng = random.Random(7)
    alphabet = "abc XYZ 0123456789 .,:-–|•/\n\tфев ақпан Source : http://x [vc_row] 04.02.2026 "
    for _ in range(200):
        page = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        result = parse(page)
        assert isinstance(result, SourceResult)


def test_parser_failure_is_reported_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(text: str) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(text_module, "classify_lines", broken)
    with caplog.at_level(logging.ERROR, logger="generator.sources.text"):
        result = parse("Title\nBody text of the article.\n")
    assert result.items == ()
    assert "could not split the page" in result.problems[0].message
    assert "raw/page.txt: the text parser failed" in caplog.text


def test_question_headlines_with_byline_date_lines() -> None:
    page = (
        "World\n"
        "What does the new tax code mean for small businesses?\n"
        "By Reuters Staff | February 4, 2026\n"
        "The new tax code takes effect in January and changes how small firms report income.\n"
        "Accountants say most firms will need new software.\n"
        "Is the price of bread about to rise again this winter?\n"
        "By Jane Doe | February 3, 2026\n"
        "Bakers warn that flour prices have doubled since the summer harvest.\n"
    )
    result = parse(page)
    assert [(i.title, i.date) for i in result.items] == [
        ("What does the new tax code mean for small businesses?", D(2026, 2, 4)),
        ("Is the price of bread about to rise again this winter?", D(2026, 2, 3)),
    ]
    assert not any("Reuters" in para for para in result.items[0].body)


def test_undated_single_article_keeps_short_subheadings() -> None:
    page = (
        "A quiet revolution in rural schools\n"
        "Teachers in remote villages are using satellite internet to run online lessons.\n"
        "How it started\n"
        "The programme started in 2024 with ten schools and now covers more than three hundred.\n"
        "What parents say\n"
        "Parents say children no longer need to travel to the district centre for exams.\n"
    )
    (item,) = parse(page).items
    assert item.title == "A quiet revolution in rural schools"
    assert item.date is None
    assert item.body[1] == "How it started"
    assert len(item.body) == 5


def test_yearless_date_lines_still_shape_the_layout() -> None:
    page = (
        "Новости\n"
        "4 февраля, 15:30\n"
        "В Астане открылся новый каток\n"
        "Каток площадью две тысячи квадратных метров открылся в столичном парке в среду.\n"
        "3 февраля, 10:15\n"
        "Цены на бензин выросли в Алматы\n"
        "Средняя цена литра бензина выросла на пять тенге за неделю.\n"
    )
    result = parse(page)
    assert [i.title for i in result.items] == ["В Астане открылся новый каток", "Цены на бензин выросли в Алматы"]
    # no year anywhere on the page: no date rather than a guessed one
    assert all(i.date is None for i in result.items)


def test_place_dateline_and_related_headlines_with_dates() -> None:
    page = (
        "Menu\n"
        "Kazakhstan and the EU discuss a raw materials partnership\n"
        "Astana, 4 February 2026\n"
        "Officials from Kazakhstan and the European Union met on Wednesday to discuss critical raw materials.\n"
        "Both sides agreed to set up a joint working group before the summer.\n"
        "Economy grows by six percent in 2025\n"
        "3 February 2026\n"
        "Regional forum on water opens in Astana\n"
        "2 February 2026\n"
        "Subscribe\n"
    )
    result = parse(page)
    assert len(result.items) == 1  # the dated headlines below the story are links, not stories
    (item,) = result.items
    assert item.title == "Kazakhstan and the EU discuss a raw materials partnership"
    assert item.date == D(2026, 2, 4)
    assert len(item.body) == 2


def test_blank_separated_teaser_blocks_without_punctuation() -> None:
    page = (
        "Latest\n"
        "\n"
        "Wheat exports reach record level\n"
        "Kazakhstan exported more wheat this season than ever\n"
        "\n"
        "New bridge opens over the Irtysh river\n"
        "The bridge will cut travel time by half\n"
    )
    result = parse(page)
    assert [(i.title, line_of(i)) for i in result.items] == [
        ("Wheat exports reach record level", 3),
        ("New bridge opens over the Irtysh river", 6),
    ]
    assert result.items[0].sections == ("Latest",)


def test_listing_keeps_a_dated_headline_without_text() -> None:
    page = (
        "Harbour reopens after winter repairs 05.03.2026\n"
        "The harbour reopened on Thursday after three months of repairs.\n"
        "Mayor meets students of the technical college 05.03.2026\n"
        "New tram line approved by the city council 05.03.2026\n"
        "The council approved a new tram line linking the airport and the station.\n"
    )
    result = parse(page)
    assert [i.title for i in result.items] == [
        "Harbour reopens after winter repairs",
        "Mayor meets students of the technical college",
        "New tram line approved by the city council",
    ]
    assert result.items[1].body == ()


def test_a_sentence_ending_on_a_date_is_not_a_headline() -> None:
    page = (
        "Forum on digital trade announced\n"
        "04.02.2026\n"
        "The ministry announced a forum on digital trade for companies from the region, officials said today.\n"
        "The forum will be held in Astana on 12.05.2026\n"
        "Registration is open until the end of April for all interested companies and associations.\n"
    )
    (item,) = parse(page).items
    assert item.date == D(2026, 2, 4)
    assert item.body[1] == "The forum will be held in Astana on 12.05.2026"


def test_date_line_closing_a_single_story_dates_it() -> None:
    page = (
        "Министерство подвело итоги года\n"
        "Министерство подвело итоги работы за прошлый год на расширенном заседании коллегии.\n"
        "Особое внимание уделено цифровизации государственных услуг.\n"
        "04.02.2026\n"
    )
    (item,) = parse(page).items
    assert (item.date, item.date_source, item.language) == (D(2026, 2, 4), "date_line_after_article", "ru")
    assert len(item.body) == 2


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("  • KZT/USD = 0.00192 -0%", BOILER),
        ("Viewing results 7 - 12 of 332", BOILER),
        ("1 2 3 Next", BOILER),
        ("« Previous 1 2 3 …", BOILER),
        ("Views: 28 841", BOILER),
        ("Просмотров: 1234", BOILER),
        ("Share", BOILER),
        ("Facebook Twitter Telegram WhatsApp", BOILER),
        ("Поделиться:", BOILER),
        ("We use cookies to give you the best experience. Accept", BOILER),
        ("Tags: economy, trade", BOILER),
        ("Фото: пресс-служба акимата", BOILER),
        ("© 2026 Example Media", BOILER),
        ("Home / News / Politics", BOILER),
        ("By Jane Doe", BOILER),
        ("Автор: Иван Петров", BOILER),
        ("3 hours ago", BOILER),
        ("Subscribe to our newsletter", BOILER),
        ("[/vc_column_text][/vc_column][/vc_row]", BOILER),
        ("12345", BOILER),
        ("More", MORE),
        ("Подробнее", MORE),
        ("Толығырақ", MORE),
        ("Read more »", MORE),
        ("Read also:", RELATED),
        ("Читайте также:", RELATED),
        ("Read also: Prices for fuel rise in Almaty", BOILER),
        ("04.02.2026", DATE),
        ("18.12.2025, 19:20", DATE),
        (" date 2025-12-19 18.12.2025, 19:20 28841", DATE),
        ("Опубликовано: 4 февраля 2026, 12:30", DATE),
        ("Stand: 04.02.2026 14:05 Uhr", DATE),
        ("Mittwoch, 4. Februar 2026", DATE),
        ("2026 жылғы 4 ақпан", DATE),
        ("By Staff Report in Nation on 12 December 2025", DATE),
        ("Astana, 4 February 2026", DATE),
        ("Source : https://www.gov.kz/news/1", SOURCE),
        ("Источник: https://www.gov.kz/news/1", SOURCE),
        ("Popular science is booming in Almaty", TEXT),
        ("Related parties signed the agreement on Monday.", TEXT),
        ("By the end of the year, prices rose.", TEXT),
        ("Von der Leyen visits Astana", TEXT),
        ("Open data resource: https://data.gov.kz", TEXT),
    ],
)
def test_line_kinds(line: str, kind: str) -> None:
    (classified,) = classify_lines(line)
    assert classified.kind == kind


def test_glued_source_marker_and_title_date_on_lines() -> None:
    glued, titled, placeholder = classify_lines(
        "Trade grew.Source : https://example.org/a\nTrade Forum Opens 04.02.2026\n- 04.02.2026"
    )
    assert (glued.kind, glued.text, glued.source_url) == (TEXT, "Trade grew.", "https://example.org/a")
    assert titled.title_text == "Trade Forum Opens"
    assert titled.title_date is not None and titled.title_date.date == D(2026, 2, 4)
    assert placeholder.title_text == ""


def test_category_next_to_a_date_is_a_date_line() -> None:
    page = (
        "Wheat exports reach record level\n"
        "Kazakhstan exported more wheat this season than in any year before.\n"
        "Economy | 04.02.2026\n"
        "New bridge opens over the Irtysh river\n"
        "The bridge will cut travel time between the two banks by half.\n"
        "Society | 03.02.2026\n"
    )
    result = parse(page)
    assert [(i.title, i.date) for i in result.items] == [
        ("Wheat exports reach record level", D(2026, 2, 4)),
        ("New bridge opens over the Irtysh river", D(2026, 2, 3)),
    ]


def test_list_items_in_an_undated_story_are_not_headlines() -> None:
    page = (
        "New rules for importers of medicines\n"
        "From January new VAT rates apply to imported medicines and goods.\n"
        "- Medicines on the state list\n"
        "They are taxed at five percent from January and at ten percent a year later.\n"
        "- Other imported goods\n"
        "They are taxed at the standard rate as before, the tax committee said.\n"
    )
    (item,) = parse(page).items
    assert item.title == "New rules for importers of medicines"
    assert "- Medicines on the state list" in item.body


def test_site_name_heading_the_page_becomes_the_source() -> None:
    text = (
        "Steppe Herald\n\nNews\n\n"
        "Astana hosts a regional water forum 04.02.2026\n"
        "Ministers from five countries met in Astana to agree on sharing river water.\n"
        "Almaty metro extends its second line 05.02.2026\n"
        "The Almaty metro opened two new stations on its second line.Source : https://metro.example.kz/2\n"
    )
    result = read_text_dump(text, "herald.txt", "raw/herald.txt")
    assert [(i.source, i.source_url) for i in result.items] == [
        ("Steppe Herald", None),
        (None, "https://metro.example.kz/2"),
    ]
