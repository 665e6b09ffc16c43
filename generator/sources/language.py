"""Guess the language of a scraped text from its letters and function words.

Input: any string. Output: an ISO 639-1 code (`kk`, `ru`, `uk`, `en`, `de`, `fr`, `es`,
`it`, `tr`) or None when the text has no letters. Pure counting, no I/O: the script with
the most letters in the whole text decides first, then Kazakh-only letters or function
words (of the first 3000 characters) pick the language.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

logger = logging.getLogger(__name__)

# Letters Kazakh has and Russian lacks. "і" is also Ukrainian and Belarusian, so it
# counts for Kazakh only together with the others or without Ukrainian markers.
_KK_LETTERS = frozenset("әғқңөұүһӘҒҚҢӨҰҮҺ")
_UK_LETTERS = frozenset("їєґЇЄҐ")
_KK_OR_UK_I = frozenset("іІ")
# Share of Cyrillic letters that must be Kazakh-only for a text to count as Kazakh without
# help from function words: a Russian text naming "Қазақстан" once stays Russian.
_KK_SURE = 0.03
_KK_MAYBE = 0.004

_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> frozenset[str]:
    """Return the space-separated words of text as a set."""
    return frozenset(text.split())


_KK_WORDS = _words(
    "және мен бен пен үшін бойынша туралы жылы жылғы бұл осы деп мен оның олар біз сондай-ақ "
    "арқылы кезінде бірге болып болады керек ретінде қатысты жөнінде да де та те ғана"
)
_RU_WORDS = _words(
    "и в во на по с со для что это как не из к от за о об а но при года также был была были "
    "который которые его их он она они до после"
)
_LATIN_WORDS = {
    "en": _words(
        "the and of to in is was for on with that by as at from are has have be this it an will were which "
        "said its their his her been after"
    ),
    "de": _words(
        "der die das und ist nicht mit von den dem des ein eine einer einen zu auf für im sich auch als wird "
        "wurde bei nach aus über sie es dass werden hat sind zum zur vom noch"
    ),
    "fr": _words(
        "le la les et des du une un est dans pour que qui sur au aux avec pas par sont été ce cette il elle de ont à"
    ),
    "es": _words("el la los las y del que en un una es por con para se al su como más fue ha de sus entre"),
    "it": _words("il lo gli le e di del della che un una è per con non sono nel alla al dei delle si ha degli"),
    "tr": _words("ve bir bu için ile da de olarak olan daha çok gibi kadar ama sonra değil ise"),
}
# Letters that hint at one Latin-script language when function words are too few to decide
# (a short headline); each occurrence is worth half a function word.
_LATIN_HINTS = {
    "de": frozenset("äöüßÄÖÜ"),
    "fr": frozenset("èêëçœàâîôûÈÊÇ"),
    "es": frozenset("ñáíóú¿¡Ñ"),
    "it": frozenset("ìòù"),
    "tr": frozenset("ğşıİĞŞ"),
}
_HINT_WEIGHT = 0.5
_SAMPLE = 3000
#: function word → the Latin-script languages that have it.
_FUNCTION_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _lang, _lang_words in _LATIN_WORDS.items():
    for _word in _lang_words:
        _FUNCTION_WORD_LANGS[_word] = (*_FUNCTION_WORD_LANGS.get(_word, ()), _lang)


_MARKERS = {
    **dict.fromkeys(_KK_LETTERS, "kk"),
    **dict.fromkeys(_KK_OR_UK_I, "i"),
    **dict.fromkeys(_UK_LETTERS, "uk"),
    **{ch: lang for lang, hints in _LATIN_HINTS.items() for ch in hints},
}
_MARKER_BYTES = tuple((ch.encode("utf-8"), name) for ch, name in _MARKERS.items())
# Counting runs on the UTF-8 bytes, in C: every Cyrillic letter (U+0400-U+04FF) has a lead
# byte D0-D3, every accented Latin letter (U+00C0-U+024F) one of C3-C9; ASCII letters are
# what survives deleting every other byte.
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))
# Lowercase ASCII letters kept, every other byte a space (see `_sample_words`).
_ASCII_LETTERS_ONLY = bytes(b if 97 <= b <= 122 else 32 for b in range(256))
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NO_MARKERS: Counter[str] = Counter()  # read only: a missing marker counts 0
_CYRILLIC_LEADS = (0xD0, 0xD1, 0xD2, 0xD3)
_LATIN_LEADS = (0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9)


def _script_counts(text: str) -> tuple[int, int, Counter[str]]:
    """Return (Cyrillic letters, Latin letters, counts of the marker letters) of the whole text."""
    data = text.encode("utf-8", "replace")
    cyrillic = sum(data.count(lead) for lead in _CYRILLIC_LEADS)
    # × and ÷ share the accented letters' lead byte but are not letters.
    latin_extra = sum(data.count(lead) for lead in _LATIN_LEADS) - data.count(b"\xc3\x97") - data.count(b"\xc3\xb7")
    latin = len(data.translate(None, _NOT_ASCII_LETTER)) + latin_extra
    markers: Counter[str] = Counter()
    # Marker letters are looked for only where their script has letters beyond the basic
    # ones: no D1-D3 lead bytes means no Kazakh or Ukrainian letters, no C3-C9 no accents.
    has_extended_cyrillic = cyrillic and (data.count(0xD2) or data.count(0xD3) or data.count(0xD1))
    for encoded, name in _MARKER_BYTES:
        wanted = has_extended_cyrillic if name in ("kk", "i", "uk") else latin_extra
        if wanted:
            found = data.count(encoded)
            if found:
                markers[name] += found
    return cyrillic, latin, markers


def _cyrillic_language(text: str, cyrillic: int, markers: Counter[str]) -> str:
    kk = markers["kk"]
    if markers["uk"] and not kk:
        return "uk"
    kk_share = (kk + markers["i"]) / cyrillic
    if kk and kk_share >= _KK_SURE:
        return "kk"
    if kk_share < _KK_MAYBE or not (kk or markers["i"]):
        return "ru"
    # In between: a Russian text quoting Kazakh names, or a Kazakh text with few special
    # letters; the function words decide.
    words = _WORD.findall(text[:_SAMPLE].lower())
    kk_votes = sum(1 for w in words if w in _KK_WORDS)
    ru_votes = sum(1 for w in words if w in _RU_WORDS)
    return "kk" if kk_votes > ru_votes else "ru"


def _sample_words(text: str) -> list[str]:
    """Return the letter runs of the lowercased sample (the first `_SAMPLE` characters)."""
    sample = text[:_SAMPLE].lower()
    if sample.isascii():
        # For ASCII, a letter run is a run of a-z: one bytes.translate pass in C instead of
        # a Unicode-class regex, ~10x faster on the long English bodies that dominate.
        return sample.encode("ascii").translate(_ASCII_LETTERS_ONLY).decode("ascii").split()
    return _WORD.findall(sample)


def _latin_language(text: str, markers: Counter[str]) -> str:
    # Function words of the first few thousand characters decide as surely as a whole text.
    # Only function words count: filtering them out in C first leaves a short list to count.
    counts = Counter(filter(_FUNCTION_WORD_LANGS.__contains__, _sample_words(text)))
    scores = dict.fromkeys(_LATIN_WORDS, 0.0)
    for word, count in counts.items():
        for lang in _FUNCTION_WORD_LANGS[word]:
            scores[lang] += count
    for lang in _LATIN_HINTS:
        scores[lang] += _HINT_WEIGHT * markers[lang]
    # Ties go to English, the most common language of the inputs (dict order).
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores["en"] else "en"


def detect_language(text: str) -> str | None:
    """Return the language code of text, or None when it has no letters."""
    if text.isascii():
        # Most inputs are plain English: no Cyrillic, no accents, no markers, and one
        # letter anywhere (found without counting them all) makes the script Latin.
        return _latin_language(text, _NO_MARKERS) if _ASCII_LETTER.search(text) else None
    cyrillic, latin, markers = _script_counts(text)
    if not cyrillic and not latin:
        return None
    if cyrillic > latin:
        return _cyrillic_language(text, cyrillic, markers)
    return _latin_language(text, markers)
