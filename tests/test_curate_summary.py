"""Summaries: the lede without datelines, one or two sentences, cut on a boundary."""

from __future__ import annotations

import pytest

from generator.curate.summary import MAX_CHARS, make_summary, split_sentences, strip_dateline


@pytest.mark.parametrize(
    ("text", "lede"),
    [
        ("ASTANA. KAZINFORM – President Tokayev met the delegation.", "President Tokayev met the delegation."),
        ("АСТАНА. КАЗИНФОРМ - Глава государства провел встречу.", "Глава государства провел встречу."),
        (
            "Ljubljana, February 2, 2026 – Slovenia's pharmaceutical leaders met.",
            "Slovenia's pharmaceutical leaders met.",
        ),
        (
            "Strasbourg, January 29-30, 2026 – the Bureau convened at the Youth Centre.",
            "The Bureau convened at the Youth Centre.",
        ),
        ("МОСКВА, 29 июня. /ТАСС/. Президент подписал закон о бюджете.", "Президент подписал закон о бюджете."),
        ("LONDON, June 3 (Reuters) - Britain said on Monday it would act.", "Britain said on Monday it would act."),
        ("Berlin (dpa) - Die Regierung hat das Gesetz beschlossen.", "Die Regierung hat das Gesetz beschlossen."),
        ("АСТАНА, 4 февраля. КАЗИНФОРМ – Глава государства провел встречу.", "Глава государства провел встречу."),
        ("Алматы. 5 февраля. INTERFAX-KAZAKHSTAN - Нацбанк сохранил ставку.", "Нацбанк сохранил ставку."),
        ("ДУШАНБЕ, 04.09.2020 /НИАТ «Ховар»/. Сборная победила Сербию.", "Сборная победила Сербию."),
        ("WASHINGTON — The Senate passed the bill on Tuesday.", "The Senate passed the bill on Tuesday."),
        (
            "Prague, May 5 (AP) The Czech central bank raised its key rate.",
            "The Czech central bank raised its key rate.",
        ),
    ],
)
def test_datelines_are_removed(text: str, lede: str) -> None:
    assert strip_dateline(text) == lede


@pytest.mark.parametrize(
    "text",
    [
        "Officials (including the mayor) said the event was a success for everyone involved.",
        "NATO members agreed on Tuesday to raise spending – a major shift for the alliance.",
        "In 2026 – the year of reforms – the country changed a great many of its laws.",
        "Today – for the first time – the city opened a new bridge over the river.",
    ],
)
def test_sentences_that_only_look_like_datelines_are_kept(text: str) -> None:
    assert strip_dateline(text) == text


def test_first_sentence_is_the_summary_and_a_short_one_takes_the_second() -> None:
    long_first = "Thirty-two commercial documents were signed on the sidelines of the business forum in Islamabad."
    body = f"{long_first} The agreements cover finance and logistics.\n\nSecond paragraph."
    assert make_summary(body) == long_first
    assert make_summary("Police closed the road. Drivers were told to use the bypass.") == (
        "Police closed the road. Drivers were told to use the bypass."
    )


def test_long_first_sentence_is_cut_on_a_word_boundary() -> None:
    sentence = "The delegation " + " ".join(f"discussed item{i}" for i in range(60)) + "."
    summary = make_summary(sentence)
    assert len(summary) <= MAX_CHARS
    assert summary.endswith("…")
    stem = summary.removesuffix("…")
    assert sentence.startswith(stem)
    assert sentence[len(stem)] == " "  # the cut fell between two words


def test_abbreviations_initials_and_glued_sentences() -> None:
    assert split_sentences("A meeting at M. Auezov University ended. Next one.") == [
        "A meeting at M. Auezov University ended.",
        "Next one.",
    ]
    assert split_sentences("Dr. Smith spoke in Kostanay.The event ended.") == [
        "Dr. Smith spoke in Kostanay.",
        "The event ended.",
    ]


def test_given_summary_wins_and_plain_text_stays_as_it_is() -> None:
    assert make_summary("Body text here.", "ALMATY – A feed summary.") == "A feed summary."
    # Bodies and summaries are plain text here: what looks like Markdown is the source's text.
    assert make_summary("Prices < 5% rose. More.") == "Prices < 5% rose. More."
    assert make_summary("Body.", r"Rates \& fees &lt; 5%.") == r"Rates \& fees &lt; 5%."


def test_bylines_before_the_lede_are_skipped() -> None:
    assert make_summary("By Anna Smith\n\nThe council approved the plan on Monday.") == (
        "The council approved the plan on Monday."
    )


def test_pathological_text_is_handled_quickly() -> None:
    # An all-capitals run once made the dateline patterns backtrack for minutes.
    assert make_summary("A" * 20000).endswith("…")
    assert make_summary("ASTANA " * 3000).endswith("…")
