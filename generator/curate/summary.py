"""Write an article's `summary`: its lede, without the dateline.

Input: the plain body (or a summary the source gave). Output: the first one or two
sentences as plain text, at most `MAX_CHARS`, cut on a sentence or word boundary, with
agency datelines such as `ASTANA. KAZINFORM –` or `МОСКВА, 29 июня. /ТАСС/.` removed.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator

from generator.curate.text import iter_paragraphs

logger = logging.getLogger(__name__)

MAX_CHARS = 300
#: A first sentence shorter than this is joined by the second one.
SHORT_SENTENCE = 80
DATELINE_CHARS = 160

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]|октябр[яь]|"
    r"ноябр[яь]|декабр[яь]|"
    r"januar|februar|märz|mai|juni|juli|oktober|dezember"
)
_DASH = r"[–—―-]{1,2}"
_PLACE = r"[A-ZА-ЯЁÄÖÜ][\w'’.\-]{0,30}(?:[ /][A-ZА-ЯЁÄÖÜ][\w'’.\-]{0,30}){0,3}"
_DATE = (
    rf"(?:(?i:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{1,2}}\.? (?i:{_MONTHS})\.?,?(?: \d{{4}})?"
    rf"(?: (?:года|г\.))?|(?i:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})"
)
_CAPS = r"[A-ZА-ЯЁ][A-ZА-ЯЁ'’&\-]{1,30}(?: [A-ZА-ЯЁ][A-ZА-ЯЁ'’&\-]{1,30}){0,2}"  # ASTANA, NUR-SULTAN, KAZINFORM
_DATELINES = [
    # ASTANA. KAZINFORM –  /  АСТАНА, 4 февраля. КАЗИНФОРМ –  /  ALMATY (Reuters) -  /  WASHINGTON —
    re.compile(rf"^{_CAPS}(?:[.,] ?{_DATE})?\.?(?:(?:[.,] ?| ){_CAPS})?\.?(?: ?\([^)\n]{{2,30}}\))? ?{_DASH} "),
    # МОСКВА, 29 июня. /ТАСС/.  /  ДУШАНБЕ, 04.09.2020 /НИАТ «Ховар»/.
    re.compile(rf"^{_PLACE}(?:, {_DATE})?\.? ?/[^/\n]{{2,30}}/\.?(?: ?{_DASH})? ?"),
    # Berlin (dpa) -  /  LONDON, June 3 (Reuters) -  /  Prague, May 5 (AP)  (a dash is optional after a date)
    re.compile(rf"^{_PLACE}(?:, {_DATE} ?\([^)\n]{{2,30}}\) ?(?:{_DASH} ?)?| ?\([^)\n]{{2,30}}\) ?{_DASH} ?)"),
    # Алматы. 5 февраля. INTERFAX-KAZAKHSTAN -
    re.compile(rf"^{_PLACE}[.,] {_DATE}\.? {_CAPS}\.? ?{_DASH} ?"),
    # Ljubljana, February 2, 2026 –  /  Strasbourg, January 29-30, 2026 –  (place, date ending in a year, dash)
    re.compile(rf"^{_PLACE}, [^–—\n]{{0,30}}?\d{{4}}(?: (?:года|г\.))?\.? ?{_DASH} ?"),
]
#: Words a period does not end a sentence after (titles, initials handled separately).
_ABBREVIATIONS_TEXT = """
mr mrs ms dr prof st jr sr gen col lt sgt gov sen rep no vs etc inc ltd co corp jsc llp
approx est dept univ jan feb mar apr jun jul aug sep sept oct nov dec г гг им ул пр т е д
см тыс млн млрд руб долл ст обл z b bzw ca nr u
"""
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
# A sentence ends at . ! ? … (plus closing quotes) before a space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)]*(?=\s+[\"'«“„(]?[A-ZА-ЯЁÄÖÜ0-9ӘҒҚҢӨҰҮҺІ])")
# Scraped text runs sentences together: "Kostanay.The event" is two sentences.
_GLUED = re.compile(r"(?<=[a-zа-яёäöüß]{2}[.!?])(?=[A-ZА-ЯЁÄÖÜ])")


def strip_dateline(text: str) -> str:
    """Return text without a leading agency dateline (`ASTANA. KAZINFORM – `)."""
    head = text[:DATELINE_CHARS]  # a dateline is short: never scan a whole paragraph
    for pattern in _DATELINES:
        match = pattern.match(head)
        # A "dateline" that leaves less than two words was the sentence itself.
        if match and match.end() > 0 and " " in text[match.end() :].strip():
            rest = text[match.end() :].lstrip()
            # "Strasbourg, January 30, 2026 – the Bureau …": the lede now starts the sentence.
            return rest[:1].upper() + rest[1:]
    return text


def split_sentences(text: str) -> list[str]:
    """Return the sentences of a paragraph (abbreviations and initials do not end one)."""
    return list(_iter_sentences(text))


def _iter_sentences(text: str) -> Iterator[str]:
    """Yield the sentences of a paragraph, left to right (a summary needs only two)."""
    text = _GLUED.sub(" ", text)
    start = 0
    for match in _SENTENCE_END.finditer(text):
        # Only the last word before the full stop matters: look at a short window.
        window = text[max(start, match.start() - 40) : match.start()]
        before = window.rsplit(None, 1)
        if len(before) < 2 and match.start() - 40 > start:
            before = text[start : match.start()].rsplit(None, 1)  # one long word: look at all of it
        last_word = before[-1].rstrip(".").casefold() if before else ""
        if match.group().startswith(".") and (len(last_word) == 1 or last_word in _ABBREVIATIONS):
            continue  # "M. Auezov", "Dr. Smith", "2026 г. в"
        yield text[start : match.end()].strip()
        start = match.end()
    tail = text[start:].strip()
    if tail:
        yield tail


def cut_words(text: str, limit: int = MAX_CHARS) -> str:
    """Return text cut to at most `limit` characters on a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:–—-") + "…"


def _lede_paragraph(body: str) -> str:
    """Return the first paragraph that reads like prose (skip bylines and photo credits)."""
    first = ""
    for para in iter_paragraphs(body):
        if len(para) >= 40 or para.endswith((".", "!", "?", "…")):
            return para
        first = first or para
    return first


def make_summary(body: str, given: str = "", limit: int = MAX_CHARS) -> str:
    """Return the lede of an article: the source's summary if any, else from the body."""
    text = " ".join(given.split()) if given.strip() else _lede_paragraph(body)
    text = strip_dateline(text)
    # Only two sentences are ever used, the second only if both fit in `limit`: a prefix of
    # three limits holds every sentence that can be used whole, and a longer first one is
    # cut to `limit` anyway, so the rest of a long paragraph need not be split.
    sentences = list(itertools.islice(_iter_sentences(text[: 3 * limit]), 2))
    if not sentences:
        return ""
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) < SHORT_SENTENCE and len(summary) + 1 + len(sentences[1]) <= limit:
        summary = f"{summary} {sentences[1]}"
    return cut_words(summary, limit)
