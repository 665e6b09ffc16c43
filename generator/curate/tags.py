"""Choose an article's tags: names a reader would look for, in one form per language.

Input: an article (title, body, language, the source's own tags) and the matched terms of
its theme; the taxonomy's names (theme slugs, labels, section names) are never tags.
Output: one to five lowercase tags. Pure; the synonym table is data (`SYNONYMS`) that a
`Tagger` can be given in its place.

Order: the source's tags, cleaned and folded; the theme's two strongest Latin-script terms;
proper names (multiword names, places) that recur in the title and first paragraphs; as a
last resort, the title's longest plain word.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from generator.config import Theme
from generator.curate.text import iter_paragraphs, words

logger = logging.getLogger(__name__)

MAX_TAGS = 5
#: Slots the source's own tags may fill before the theme's terms and the names found.
SOURCE_SLOTS = 3
#: concept → (its tag per language, "en" for the rest; the other ways sources write it).
SYNONYMS: Mapping[str, tuple[Mapping[str, str], tuple[str, ...]]] = {
    "ai": (
        {
            "en": "artificial intelligence",
            "ru": "искусственный интеллект",
            "de": "künstliche intelligenz",
            "kk": "жасанды интеллект",
        },
        (
            "ai",
            "a.i.",
            "ии",
            "ki",
            "artificial intelligence",
            "искусственный интеллект",
            "искусственного интеллекта",
            "künstliche intelligenz",
            "künstlicher intelligenz",
            "жасанды интеллект",
            "нейросети",
        ),
    ),
    "usa": (
        {"en": "usa", "ru": "сша", "de": "usa", "kk": "ақш"},
        (
            "us",
            "u.s.",
            "usa",
            "u.s.a.",
            "united states",
            "united states of america",
            "сша",
            "соединенные штаты",
            "соединённые штаты",
            "vereinigte staaten",
            "ақш",
        ),
    ),
    "eu": (
        {"en": "eu", "ru": "евросоюз", "de": "eu", "kk": "еуроодақ"},
        (
            "eu",
            "e.u.",
            "european union",
            "евросоюз",
            "европейский союз",
            "ес",
            "europäische union",
            "еуроодақ",
            "еуропалық одақ",
        ),
    ),
    "un": (
        {"en": "un", "ru": "оон", "de": "uno", "kk": "бұұ"},
        ("un", "u.n.", "united nations", "оон", "организация объединенных наций", "uno", "vereinte nationen", "бұұ"),
    ),
    "uk": (
        {"en": "uk", "ru": "великобритания", "de": "großbritannien", "kk": "ұлыбритания"},
        ("uk", "u.k.", "united kingdom", "britain", "great britain", "великобритания", "großbritannien", "ұлыбритания"),
    ),
    "covid": (
        {"en": "covid-19", "ru": "коронавирус", "de": "corona", "kk": "коронавирус"},
        (
            "covid",
            "covid-19",
            "covid19",
            "coronavirus",
            "sars-cov-2",
            "коронавирус",
            "covid-19-pandemie",
            "corona",
            "coronavirus covid-19",
            "coronavirus-pandemie",
        ),
    ),
    "kazakhstan": (
        {"en": "kazakhstan", "ru": "казахстан", "de": "kasachstan", "kk": "қазақстан"},
        (
            "kazakhstan",
            "казахстан",
            "kasachstan",
            "қазақстан",
            "рк",
            "республика казахстан",
            "republic of kazakhstan",
            "қазақстан республикасы",
            # A demonym names the country a reader would look for ("Kazakh customs").
            "kazakh",
            "kazakhstani",
        ),
    ),
    "uzbekistan": (
        {"en": "uzbekistan", "ru": "узбекистан", "de": "usbekistan", "kk": "өзбекстан"},
        ("uzbekistan", "узбекистан", "usbekistan", "өзбекстан", "uzbek", "uzbekistani"),
    ),
    "kyrgyzstan": (
        {"en": "kyrgyzstan", "ru": "киргизия", "de": "kirgisistan", "kk": "қырғызстан"},
        ("kyrgyzstan", "киргизия", "кыргызстан", "kirgisistan", "қырғызстан", "kyrgyz", "kyrgyzstani"),
    ),
    "tajikistan": (
        {"en": "tajikistan", "ru": "таджикистан", "de": "tadschikistan", "kk": "тәжікстан"},
        ("tajikistan", "таджикистан", "tadschikistan", "тәжікстан", "tajik", "tajikistani"),
    ),
    "turkmenistan": (
        {"en": "turkmenistan", "ru": "туркменистан", "de": "turkmenistan", "kk": "түрікменстан"},
        ("turkmenistan", "туркменистан", "түрікменстан", "turkmen"),
    ),
    "russia": (
        {"en": "russia", "ru": "россия", "de": "russland", "kk": "ресей"},
        ("russia", "россия", "рф", "российская федерация", "russland", "ресей", "russian federation", "russian"),
    ),
    "germany": (
        {"en": "germany", "ru": "германия", "de": "deutschland", "kk": "германия"},
        ("germany", "германия", "фрг", "deutschland", "brd"),
    ),
    "china": (
        {"en": "china", "ru": "китай", "de": "china", "kk": "қытай"},
        ("china", "китай", "кнр", "қытай", "prc", "people's republic of china", "chinese"),
    ),
    "nato": ({"en": "nato", "ru": "нато", "de": "nato", "kk": "нато"}, ("nato", "нато")),
}

# Tags sources add to everything, which say nothing about one article.
_GENERIC_TEXT = (
    "news|breaking|breaking news|latest|latest news|top stories|top news|world news|local news|national news|"
    "current news|general news|headlines|front page|home|article|video|videos|photos|photo|gallery|live|"
    "update|updates|story|wire|standard|trending|новости|главное|видео|фото|nachrichten|aktuell|startseite|"
    "eilmeldung|жаңалықтар|syndicated content|press release|opinion|analysis|breaking-news"
)
_GENERIC = frozenset(_GENERIC_TEXT.split("|"))
_QUESTION = frozenset(["how", "what", "why", "when", "where", "who", "which"])
_NEWSY = frozenset(["news", "nachrichten", "новости", "жаңалықтар", "uncategorized", "wire"])
# Capitalised mid-sentence words that are titles of offices or calendar words, not names.
_NOT_NAMES_TEXT = """
republic ministry minister president department government committee council agency national
international state city region district head deputy chairman office news press service center centre
university day year monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december the this that these those there when where what
who why how he she it we they his her its our their mr mrs ms dr республики республика министерство
министр президент правительство комитет der die das ein eine und mit für von im am
rep sen gov st mt prof gen col lt sgt
"""
_CONNECTORS = frozenset(["of", "de", "von", "van", "der", "al", "bin"])
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
# Russian adjective endings (full forms), Kazakh adjective suffixes, English and German ones:
# an adjective alone ("аккумуляторные", "экологиялық", "national", "digitale") is no tag.
_ADJECTIVE_WORDS_TEXT = """
foreign local new former national public private first last major official global regional domestic social
kazakh uzbek kyrgyz tajik turkmen russian american chinese german european british french turkic asian
"""
_ADJECTIVE_WORDS = frozenset(_ADJECTIVE_WORDS_TEXT.split())
_ADJECTIVE = re.compile(
    r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ым|им|ых|их|ую|юю|ской|ского"
    r"|лық|лік|дық|дік|тық|тік|ғы|гі|қы|кі"
    r"|al|ive|ous|ful|less|able|ible|ical|ic|ian|ese|ish"
    r"|isch|ische|ischen|ischer|isches|lich|liche|lichen|licher|liches|ige|igen|iger|iges"
    r"|ale|alen|aler|ales|ive|iven|iver|ives)$"
)
# Kazakh case suffixes: what is left is the nominative (Қарағандыда → Қарағанды). Not
# -тан/-тен: they would cut every "-стан" (Пәкістан) short.
_KAZAKH_CASES = re.compile(
    r"(?<=[а-яәғқңөұүһі]{4})(?:ның|нің|дың|дің|тың|тің|ға|ге|қа|ке|да|де|та|те|дан|ден|нан|нен|мен|бен|пен)$"
)
# Russian case endings folded when matching a name's inflected forms (Пакистана, Пакистаном).
_CASE_ENDINGS_TEXT = """
а я у ю е ы и ь ом ем ой ей ам ям ах ях ами ями ов ев ии ию ия ие ью
"""
_CASE_ENDINGS = sorted(_CASE_ENDINGS_TEXT.split(), key=len, reverse=True)
_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІÄÖÜ"
_LOWER = "a-zа-яёәғқңөұүһіäöüß"
# A run of capitalised words (with "of", "de", "von" inside), e.g. "Tahir Hussain", "Bank of England".
# The look-behind (a word or punctuation, then a space: not a sentence start) is checked
# after the capital, so the regex engine can skip straight to capitals.
_NAME_RUN = re.compile(
    rf"[{_UPPER}](?<=[\w,;:»”\"'(]\s.)[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)*"
    rf"(?:[-\s](?:(?:of|de|von|van|der|al|bin)\s)?[{_UPPER}][{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)*)*"
)
_PREFIX = re.compile(r"^(?:subject|tag|category|topic|path|type|source|length)\s*:\s*", re.IGNORECASE)


class Tagger:
    """Tag normalisation for one taxonomy: synonyms folded, the taxonomy's own words refused."""

    def __init__(
        self,
        themes: Sequence[Theme] = (),
        synonyms: Mapping[str, tuple[Mapping[str, str], tuple[str, ...]]] = SYNONYMS,
    ) -> None:
        self._concepts: dict[str, Mapping[str, str]] = {}
        for forms, variants in synonyms.values():
            for variant in (*variants, *forms.values()):
                self._concepts[_key(variant)] = forms
        # A theme in any of its names is already the article's folder: never also a tag.
        self.banned = frozenset(
            _key(word) for t in themes for word in (t.slug, t.label, t.slug.replace("-", " "), *t.sections)
        )

    def normalise(self, tag: str, language: str) -> str:
        """Return a tag in its one form for a language, or "" when it is no tag worth showing."""
        key = _tag_key(tag)
        if not key:
            return ""
        forms = self._concepts.get(key) or self._concepts.get(key.replace(".", ""))
        if forms is not None:
            key = _key(forms.get(language, forms["en"]))
        if key in self.banned or key in _GENERIC or len(key) < 2:
            return ""
        if forms is None and _is_qualifier(key):
            return ""
        return key

    def tags(
        self,
        title: str,
        body: str,
        language: str,
        source_tags: Iterable[str],
        terms: Sequence[str],
        limit: int = MAX_TAGS,
        source: str = "",
    ) -> tuple[str, ...]:
        """Return one to `limit` tags: source tags, theme terms, recurring names, else a title word."""
        picked = _Picked(self, language, source, limit)
        given = [part for tag in source_tags for part in tag.split(",")]  # "US,VW,SKODA" is three tags
        # The source's tags lead, but SEO keyword lists ("ipl live score") may not crowd out
        # the names and topics this article shares with others.
        for tag in given:
            if len(picked.tags) < SOURCE_SLOTS:
                picked.add(tag)
        # Keyword terms in Latin script are words ("trade", "bundestag"); Cyrillic ones are
        # inflected forms ("выборов") that would not recur as the same tag.
        for term in [t for t in terms if re.fullmatch(r"[a-zäöüß][a-zäöüß -]+", t)][:2]:
            picked.add(term)
        for found in self._names(title, body, language):
            picked.add(found, name=True)
        for tag in given:
            picked.add(tag)
        if not picked.tags:
            picked.add_title_word(title)
        return tuple(picked.tags)

    def _names(self, title: str, body: str, language: str = "") -> list[str]:
        """Return proper names of the title and first paragraphs, most frequent first."""
        counts, forms = _count_names(_name_paragraphs(title, body), language)
        title_keys = {k for k in counts if re.search(rf"(?<!\w){re.escape(k)}", _fold(title, language))}
        known = {k for k in counts if _key(k) in self._concepts}
        out = []
        for key in _rank_names(counts, title_keys):
            if language == "de" and _german_noun(key, counts[key], key in known):
                continue
            # A capital that opens a headline proves nothing alone; a multiword name, a
            # recurring or known one, or a capital in the middle of a headline does.
            if (
                counts[key] >= 2
                or " " in key
                or key in known
                or (key in title_keys and _title_name(key, title, body, language))
            ):
                out.append(_name_form(key, forms[key], language))
        return out


class _Picked:
    """The tags chosen so far for one article, none the same as another once folded."""

    def __init__(self, tagger: Tagger, language: str, source: str, limit: int) -> None:
        self.tags: list[str] = []
        self._folded: set[str] = set()
        self._tagger = tagger
        self._language = language
        self._limit = limit
        # The outlet's own name ("dailymail", "gizmodo") tags every article it publishes.
        self._outlet = {_key(part) for part in re.split(r"[.\s]", source) if len(part) > 3}

    def add(self, tag: str, *, name: bool = False) -> None:
        """Add a tag in its normal form unless it is no tag, already there, or one too many."""
        norm = self._tagger.normalise(tag, self._language)
        key = _fold(norm.replace("-", " "), self._language)
        if not norm or key in self._folded or norm in self._outlet or len(self.tags) >= self._limit:
            return
        # "trump" adds nothing next to "donald trump" (nor the other way round).
        if name and any(_nested(key, k) for k in self._folded):
            return
        self.tags.append(norm)
        self._folded.add(key)

    def add_title_word(self, title: str) -> None:
        """Add the title's longest plain word that makes a tag: the last resort."""
        plain = [w for w in words(title) if len(w) >= 5 and not w.isdigit()]
        for word in sorted(plain, key=len, reverse=True):
            self.add(_KAZAKH_CASES.sub("", word) if self._language == "kk" else word)
            if self.tags:
                break


def _tag_key(tag: str) -> str:
    """Return a tag's key without labels and quotes, or "" when it is shaped like no tag."""
    text = _PREFIX.sub("", " ".join(tag.split())).strip(" #\"'«»“”.,;:!?()[]")
    key = _key(text)
    if not key or len(key) > 40 or len(key.split()) > 4 or any(ch in key for ch in "@_/|\\:&") or key.isdigit():
        return ""
    if key.split()[0] in _QUESTION or any(w in _NEWSY for w in key.split()):
        return ""  # SEO phrases ("how to retire early") and outlet labels ("dallas news")
    return key


def _is_qualifier(key: str) -> bool:
    """Return whether a tag is an adjective alone or ends in one ("central asian" lacks its noun)."""
    if " " not in key and (key in _ADJECTIVE_WORDS or _ADJECTIVE.search(key)):
        return True
    return key.split()[-1] in _ADJECTIVE_WORDS


def _nested(key: str, other: str) -> bool:
    """Return whether one name's words are all among the other's ("trump", "donald trump")."""
    return set(key.split()) <= set(other.split()) or set(other.split()) <= set(key.split())


def _name_paragraphs(title: str, body: str) -> list[str]:
    """Return the title and first paragraphs that can tell a name from a capitalised word."""
    # In a Title Case headline every word is capitalised: only the body can tell names.
    # Headings and link lists are Title Case too.
    paras = [p for p in itertools.islice(iter_paragraphs(body), 6) if len(p.split()) > 12 or not _is_title_case(p)]
    if not _is_title_case(title):
        paras.insert(0, f", {title}")  # the comma lets a name open the title
    return paras


def _count_names(paras: Iterable[str], language: str) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Return how often each folded name occurs, and the forms it occurs in."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for para in paras:
        for match in _NAME_RUN.finditer(para):
            name = _name_of(match.group(0).split())
            key = _fold(name, language)
            if key and len(name) >= 3:
                counts[key] += 1
                forms.setdefault(key, Counter())[name] += 1
    return counts, forms


def _name_of(parts: list[str]) -> str:
    """Return a run of capitalised words without its leading office words, "" if all are."""
    if all(p.casefold() in _NOT_NAMES for p in parts):
        return ""
    # "Ministry of Energy" is a name; "President Tokayev" is "Tokayev".
    while len(parts) > 1 and parts[0].casefold() in _NOT_NAMES and parts[1] not in _CONNECTORS:
        parts.pop(0)
    return " ".join(parts)


def _rank_names(counts: Counter[str], title_keys: set[str]) -> list[str]:
    """Return names in the title or recurring first, then longer, more frequent ones."""
    return sorted(counts, key=lambda k: (-(k in title_keys) - (counts[k] >= 2), -len(k.split()), -counts[k], k))


def _german_noun(key: str, count: int, known: bool) -> bool:
    """Return whether a German capitalised run may be a plain noun, not surely a name."""
    # German capitalises every noun: only a recurring multiword run is surely a name.
    return not known and (count < 2 or " " not in key)


def _name_form(key: str, forms: Counter[str], language: str) -> str:
    """Return the uninflected form where the text has it (Пакистан, not Пакистана)."""
    plain = [f for f in forms if _key(f) == key]
    name = plain[0] if plain else forms.most_common(1)[0][0]
    return " ".join(_KAZAKH_CASES.sub("", w) for w in name.split()) if language == "kk" else name


def _is_title_case(title: str) -> bool:
    """Return whether most longer words after the first are capitalised ("Tiz The Law Draws")."""
    rest = [w for w in title.split()[1:] if len(w) >= 4 and w[0].isalpha()]
    return len(rest) >= 2 and sum(w[0].isupper() for w in rest) * 2 > len(rest)


_COMMON_FORM = re.compile(r"(?:ers|ists|ing|ed|ions?|ies|ment|ness|ts)$")


def _title_name(key: str, title: str, body: str, language: str) -> bool:
    """Return whether a capitalised word of a sentence-case title is a name: never lower case in
    the body and, when it opens the title, either in the body too or a Latin word not shaped
    like a common one ("Shymkent", not "Scientists")."""
    found = re.findall(rf"(?<!\w){re.escape(key)}(?!\w)", body, re.IGNORECASE)
    if any(f[0].islower() for f in found):
        return False
    first = title.split()[0] if title.split() else ""
    if _fold(first, language) != key:
        return True
    return bool(found) or (key.isascii() and not _COMMON_FORM.search(key))


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("’", "'").split()).removesuffix("'s")


def _fold(name: str, language: str = "") -> str:
    """Return a name's key with case endings and English plurals folded (Пакистана → пакистан)."""
    out = []
    for word in _key(name).split():
        if word.isascii():
            if len(word) >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
                word = word[:-1]
        elif language == "kk":
            word = _KAZAKH_CASES.sub("", word)
        else:
            for ending in _CASE_ENDINGS:
                if word.endswith(ending) and len(word) - len(ending) >= 4:
                    word = word[: -len(ending)]
                    break
        out.append(word)
    return " ".join(out)
