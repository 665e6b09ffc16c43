"""Decoding raw bytes: BOMs, legacy Cyrillic and Latin codepages, declarations, binary and empty input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from generator.sources.decode import NotText, declared_encoding, decode_bytes

INPUTS = Path(__file__).parent / "fixtures" / "inputs"

RU = (
    "В Караганде на линию вышли первые двадцать электробусов. Они обслуживают маршруты, "
    "которые связывают Юго-Восток с центром города, сообщили в городском акимате.\n"
)
DE = "Kasachstan und Deutschland haben am Freitag eine Absichtserklärung über grünen Wasserstoff unterzeichnet. Größe, Maß, Übung.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + RU.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + RU.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + RU.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + RU.encode("utf-32-le"), "utf-32-le"),
    ],
)
def test_bom_decides_and_is_removed(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data)
    assert decoded.encoding == encoding
    assert decoded.method == "bom"
    assert decoded.text == RU


def test_plain_utf8_without_bom() -> None:
    decoded = decode_bytes(("Қазақстан " + RU).encode("utf-8"))
    assert (decoded.encoding, decoded.method) == ("utf-8", "utf-8")
    assert decoded.text.startswith("Қазақстан В Караганде")


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_legacy_cyrillic_is_detected(codec: str) -> None:
    decoded = decode_bytes((RU * 3).encode(codec))
    assert decoded.method == "detected"
    assert decoded.text == RU * 3


def test_latin1_german_is_detected() -> None:
    decoded = decode_bytes((DE * 3).encode("latin-1"))
    assert decoded.text == DE * 3


def test_meta_charset_is_used_when_consistent() -> None:
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RU}</p></body></html>'
    decoded = decode_bytes(page.encode("cp1251"))
    assert decoded.encoding == "cp1251"
    assert decoded.method == "declared"
    assert RU.strip() in decoded.text


def test_stale_declaration_loses_to_detection() -> None:
    # A template that still says iso-8859-1 over cp1251 text: latin-1 "decodes" anything,
    # but reads as mojibake; the detected codec must win.
    page = f'<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>{RU * 3}</title></channel></rss>'
    decoded = decode_bytes(page.encode("cp1251"))
    assert decoded.method == "detected"
    assert RU.strip() in decoded.text


def test_declared_encoding_reads_xml_and_meta() -> None:
    assert declared_encoding(b'<?xml version="1.0" encoding="KOI8-R"?><rss/>') == "koi8-r"
    assert declared_encoding(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">') == "cp1251"
    assert declared_encoding(b'<meta charset="no-such-codec">') is None
    assert declared_encoding(b"plain text") is None


def test_cp1251_fixture_page_decodes() -> None:
    decoded = decode_bytes((INPUTS / "article_ru_cp1251.html").read_bytes())
    assert decoded.encoding == "cp1251"
    assert "В Караганде запустили электробусы" in decoded.text


def test_utf16_fixture_dump_decodes() -> None:
    decoded = decode_bytes((INPUTS / "dump_utf16.txt").read_bytes())
    assert decoded.encoding == "utf-16-le"
    assert "Астанада халықаралық кітап көрмесі ашылды" in decoded.text


def test_bomless_utf16_is_recognized_not_binary() -> None:
    decoded = decode_bytes(("Almaty news digest\n" * 20).encode("utf-16-le"))
    assert decoded.encoding == "utf-16-le"
    assert decoded.text.startswith("Almaty news digest\n")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [RU, "Қазақстан Үкіметі жаңа стратегияны бекітті 04.02.2026\r\n" * 5])
def test_bomless_utf16_in_cyrillic_is_recognized(text: str, codec: str) -> None:
    # Cyrillic's high byte is 04, not NUL: only spaces, digits and line ends give NULs.
    decoded = decode_bytes(text.encode(codec))
    assert (decoded.encoding, decoded.method) == (codec, "detected")
    assert decoded.text == text.replace("\r\n", "\n")


def test_every_bom_inside_the_text_is_removed() -> None:
    # UTF-16 written piece by piece (`str.encode("utf-16")` per field) has a BOM at each join,
    # here right after the headline's date, where it hid the date from the text reader.
    pieces = ["Wheat exports reach a record level", " ", "04.02.2026", "\r\n", "Body text.", "\r\n"]
    decoded = decode_bytes(b"".join(p.encode("utf-16") for p in pieces))
    assert decoded.text == "Wheat exports reach a record level 04.02.2026\nBody text.\n"
    assert decode_bytes("a\ufeffb\n".encode()).text == "ab\n"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x08\x00",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"some text\x00\x01\x02 with NULs \x00 inside",
        bytes(range(256)) * 8,
    ],
)
def test_binary_input_is_refused(data: bytes) -> None:
    with pytest.raises(NotText) as caught:
        decode_bytes(data)
    assert caught.value.message == "binary file, not text"
    assert caught.value.hint == "remove it or convert it"


@pytest.mark.parametrize(
    "data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF16_LE + "  \n".encode("utf-16-le")]
)
def test_empty_input_is_refused(data: bytes) -> None:
    with pytest.raises(NotText, match="empty file"):
        decode_bytes(data)


def test_misencoded_bytes_do_not_crash() -> None:
    # Mostly UTF-8 with one stray cp1251 byte: decoded by the best guess, never an exception.
    data = ("Astana news " * 50).encode("utf-8") + b"\xe2\x80 broken \xff\xfe tail"
    decoded = decode_bytes(data)
    assert "Astana news" in decoded.text
    assert decoded.text.endswith("tail")


def test_line_ends_and_control_characters_are_normalized() -> None:
    decoded = decode_bytes(b"Title\r\nBody\rMore\x07 text\x1b\n")
    assert decoded.text == "Title\nBody\nMore text\n"
