"""Tests for the letter- and stopword-count language rule (generator/sources/language.py)."""

from __future__ import annotations

import pytest

from generator.sources.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Kazakh-only letters in meaningful quantity, either case
        ("Қазақстан мен Пәкістан сауда келісімдеріне қол қойды", "kk"),
        ("ҚАЗАҚСТАН МЕН ПӘКІСТАН КЕЛІСІМ ЖАСАДЫ", "kk"),
        ("Ақпан айында өңірде жаңа мектеп ашылды", "kk"),
        # short Russian headlines (general detectors call these Bulgarian)
        ("Казахстан и Пакистан подписали соглашения", "ru"),
        ("В Астане открылся новый каток", "ru"),
        ("Цены на бензин выросли", "ru"),
        # a Russian text naming a Kazakh place once stays Russian
        ("В павильоне «Қазақстан» прошла выставка, посвящённая годовщине независимости страны", "ru"),
        ("Уряд України ухвалив їхнє рішення щодо бюджету", "uk"),
        # Latin script
        ("Kazakhstan Launches Online Video Conferencing Platform", "en"),
        ("The minister said the talks were fruitful and would continue next year.", "en"),
        ("Die Regierung hat das Gesetz am Mittwoch beschlossen", "de"),
        ("Neue Regeln für Importeure", "de"),
        ("Straße gesperrt", "de"),
        ("Le gouvernement a adopté la loi sur les impôts", "fr"),
        ("El gobierno aprobó la ley de los impuestos para las empresas", "es"),
        ("Il governo ha approvato la legge per le tasse delle imprese", "it"),
        ("Hükümet bu yasayı kabul etti ve açıkladı", "tr"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "12345 !!", "04.02.2026", "— • —"])
def test_no_letters_gives_none(text: str) -> None:
    assert detect_language(text) is None


def test_mostly_english_body_with_one_russian_word_is_english() -> None:
    text = (
        "A ceremonial opening of the class took place at Secondary School No. 115 in Astana. "
        "The regulations предусмотрены by the ministry were presented to the students and teachers."
    )
    assert detect_language(text) == "en"


def test_mostly_russian_text_with_english_names_is_russian() -> None:
    text = "Компания Microsoft и Google провели в Алматы совместный форум для студентов и разработчиков."
    assert detect_language(text) == "ru"


def test_english_text_about_germany_stays_english() -> None:
    text = "The Honorary Consulate of the Republic of Kazakhstan has opened in Saarbrücken"
    assert detect_language(text) == "en"


def test_kazakh_with_few_special_letters_decided_by_function_words() -> None:
    # Share of Kazakh-only letters is low, but the function words are Kazakh.
    text = "Бұл жоба және бағдарлама бойынша жылы ашылды, сондай-ақ мектеп туралы айтылды " * 3
    assert detect_language(text) == "kk"
