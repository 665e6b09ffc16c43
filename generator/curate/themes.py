"""Choose one theme per article from the configured taxonomy, and say why.

Input: an article's title, body, source sections, feed categories and source URL, and the
Config's themes. Output: a `ThemeChoice` (slug, score, the reason an editor reads in
`theme_reason`, matched terms for tags). Pure: the text is tokenized once; each distinct
word is looked up once in tables built once per taxonomy.

Evidence, strongest first: what the publisher said — a source section (+8) or a URL path
segment (+8) named in a theme's `sections` or `paths`, a feed category or source tag (+4)
— then keywords: per zone — title ×3, lede (first 60 words) ×2, rest of the body ×1 (up to
word 800) — each matched keyword adds weight × (1 + ln count), so repeats count
sublinearly and a long body does not drown its headline. The best total wins; ties go to
the theme listed first; a best total below 2 (say, one body word and nothing else) gives
the fallback theme. The reason names the evidence in that order.
"""

from __future__ import annotations

import logging
import math
import re
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from generator.config import Config, Theme
from generator.curate.tags import MAX_TAGS, Tagger
from generator.curate.text import words
from generator.models import Article, url_host

logger = logging.getLogger(__name__)

TITLE_WEIGHT = 3.0
LEDE_WEIGHT = 2.0
BODY_WEIGHT = 1.0
#: A publisher's own filing outweighs a couple of keywords, not a headline full of them.
SECTION_WEIGHT = 8.0
PATH_WEIGHT = 8.0
#: Feed categories and source tags mix sections with topics ("Coronavirus"): weaker.
CATEGORY_WEIGHT = 4.0
MIN_SCORE = 2.0
LEDE_WORDS = 60
BODY_WORDS = 800
#: Terms shown per zone in `theme_reason`.
REASON_TERMS = 4


@dataclass(frozen=True)
class ThemeChoice:
    """The theme picked for one article, its score and the evidence behind it."""

    theme: str
    score: float
    reason: str
    #: matched words of the chosen theme, strongest first (used for tags).
    terms: tuple[str, ...] = ()
    #: the taxonomy's tag rules, so `make_tags` needs no config of its own.
    tagger: Tagger | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class _Keyword:
    theme: int  # index into the taxonomy
    text: str  # as configured, e.g. "конституц-" or "central bank"


class Classifier:
    """A keyword classifier over one taxonomy; build it once, call `classify` per article."""

    def __init__(self, themes: Sequence[Theme], fallback: str, min_score: float = MIN_SCORE) -> None:
        # The fallback never competes: it is what "nothing matched" means.
        self.themes = tuple(t for t in themes if t.slug != fallback)
        self.fallback = fallback
        self.min_score = min_score
        self.tagger = Tagger(themes)
        self._exact: dict[str, list[_Keyword]] = {}
        self._prefix: dict[str, list[_Keyword]] = {}
        self._suffix: dict[str, list[_Keyword]] = {}
        self._infix: dict[str, list[_Keyword]] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], _Keyword]]] = {}
        self._sections: dict[str, list[int]] = {}
        self._cache: dict[str, tuple[_Keyword, ...]] = {}
        self._matching: set[str] = set()  # the cached words that have hits
        for index, theme in enumerate(self.themes):
            # Every language's stems apply to every article: language tags can be wrong
            # (German pages tagged `en`) and Kazakh text quotes Russian words.
            for _lang, stems in theme.keywords:
                for stem in stems:
                    self._add_keyword(_Keyword(index, stem))
            # Section names and path segments share one table: a section "Sport" and a
            # path `/sport/` are the same word, wherever the taxonomy lists it.
            for label in (*theme.sections, *theme.paths):
                themes_of = self._sections.setdefault(_section_key(label), [])
                if index not in themes_of:
                    themes_of.append(index)
        self._min_prefix = min((len(p) for p in self._prefix), default=1)
        self._suffix_lengths = sorted({len(p) for p in self._suffix}, reverse=True)
        self._infix_lengths = sorted({len(p) for p in self._infix}, reverse=True)

    @classmethod
    def for_config(cls, config: Config) -> Classifier:
        """Return the classifier for a config's taxonomy (make one per run: it learns each word once)."""
        return cls(config.themes, config.fallback_theme, MIN_SCORE)

    def _add_keyword(self, keyword: _Keyword) -> None:
        parts = tuple(keyword.text.split())
        if not parts:
            return
        if len(parts) > 1:
            # Phrases are found by their first word, which must match exactly.
            self._phrases.setdefault(parts[0], []).append((parts[1:], keyword))
        elif parts[0].startswith("-") and parts[0].endswith("-") and len(parts[0]) > 2:
            self._infix.setdefault(parts[0][1:-1], []).append(keyword)
        elif parts[0].startswith("-") and len(parts[0]) > 1:
            self._suffix.setdefault(parts[0][1:], []).append(keyword)
        elif parts[0].endswith("-") and len(parts[0]) > 1:
            self._prefix.setdefault(parts[0][:-1], []).append(keyword)
        else:
            self._exact.setdefault(parts[0], []).append(keyword)

    def _lookup(self, word: str) -> tuple[_Keyword, ...]:
        """Return the keywords a word matches, at most one (the longest) per theme."""
        hits = self._cache.get(word)
        if hits is not None:
            return hits
        found: dict[int, _Keyword] = {}
        for keyword in self._exact.get(word, ()):
            found[keyword.theme] = keyword
        for end in range(len(word), self._min_prefix - 1, -1):
            for keyword in self._prefix.get(word[:end], ()):
                found.setdefault(keyword.theme, keyword)
        for length in self._suffix_lengths:
            if length <= len(word):
                for keyword in self._suffix.get(word[-length:], ()):
                    found.setdefault(keyword.theme, keyword)
        for length in self._infix_lengths:
            for start in range(len(word) - length + 1):
                for keyword in self._infix.get(word[start : start + length], ()):
                    found.setdefault(keyword.theme, keyword)
        hits = tuple(found[k] for k in sorted(found))
        self._cache[word] = hits
        if hits:
            self._matching.add(word)
        return hits

    def _match(self, tokens: list[str]) -> list[tuple[_Keyword, str, int]]:
        """Return (keyword, matched text, count) for the hits in a token sequence.

        Phrases come first, in order of position, then single words in order of first
        appearance; a word that is part of a matched phrase does not count again alone.
        """
        out: list[tuple[_Keyword, str, int]] = []
        # Set operations in C find the few words that matter; nothing walks every token
        # in Python except the (rare) phrase check.
        distinct = set(tokens)
        in_phrases: dict[str, int] = {}
        phrases = self._phrases
        if not phrases.keys().isdisjoint(distinct):
            skip_until = 0
            for i in [i for i, token in enumerate(tokens) if token in phrases]:
                if i < skip_until:
                    continue
                for rest, keyword in phrases[tokens[i]]:
                    if _phrase_matches(tokens, i + 1, rest):
                        span = tokens[i : i + 1 + len(rest)]
                        out.append((keyword, " ".join(span), 1))
                        for word in span:
                            in_phrases[word] = in_phrases.get(word, 0) + 1
                        skip_until = i + len(span)
                        break
        cache = self._cache
        for token in distinct.difference(cache):  # after the first articles, nearly always none
            self._lookup(token)
        hits = distinct & self._matching
        if hits:
            # Counted in one pass in C, in order of first appearance.
            for token, count in Counter(filter(hits.__contains__, tokens)).items():
                if in_phrases:
                    count -= in_phrases.get(token, 0)
                if count > 0:
                    for keyword in cache[token]:
                        out.append((keyword, token, count))
        return out

    def evidence(self, sections: Sequence[str] = (), url: str = "", categories: Sequence[str] = ()) -> list[_Hint]:
        """Return what the publisher's own labels say: (kind, label as given, theme index)."""
        hints: list[_Hint] = []
        for kind, labels in (("section", sections), ("category", categories)):
            for label in labels:
                for key in _label_keys(label):
                    found = self._sections.get(key)
                    if found:
                        hints.extend(_Hint(kind, label, index) for index in found)
                        break
        for segment in _url_segments(url):
            for key in _segment_keys(segment):
                found = self._sections.get(key)
                if found:
                    hints.extend(_Hint("url path", f"/{segment}/", index) for index in found)
                    break
        return hints

    def classify_article(self, article: Article) -> ThemeChoice:
        """Return the theme choice for a candidate (plain body) from all its evidence."""
        return self.classify(article.title, article.body, article.sections, article.source_url, article.tags)

    def classify(
        self, title: str, body: str, sections: Sequence[str] = (), url: str = "", categories: Sequence[str] = ()
    ) -> ThemeChoice:
        """Return the theme for a title, plain body, source sections, source URL and feed categories."""
        # Words past BODY_WORDS never count: do not tokenize them (~12 characters per word is ample).
        body_words = words(body[: BODY_WORDS * 12])
        zones = (
            ("title", TITLE_WEIGHT, words(title)),
            ("lede", LEDE_WEIGHT, body_words[:LEDE_WORDS]),
            ("body", BODY_WEIGHT, body_words[LEDE_WORDS:BODY_WORDS]),
        )
        scores, evidence, term_weight = self._score_zones(zones)
        hinted = self._score_hints(scores, sections, url, categories)
        best = max(range(len(self.themes)), key=lambda i: (scores[i], -i), default=None)
        if best is None or scores[best] < self.min_score:
            top = f" (best: {self.themes[best].slug} {scores[best]:.1f})" if best is not None and scores[best] else ""
            return ThemeChoice(self.fallback, 0.0, f"no theme reached {self.min_score:g}{top}", tagger=self.tagger)
        # Honest about the publisher's labels the keywords outweighed.
        overruled = [
            f"{kind} {', '.join(labels)} ({self.themes[i].slug})"
            for i in range(len(self.themes))
            if i != best
            for kind, labels in hinted[i].items()
        ]
        reason = _reason(evidence[best], hinted[best])
        if overruled:
            reason += "; outweighed: " + "; ".join(overruled)
        return ThemeChoice(
            theme=self.themes[best].slug,
            score=round(scores[best], 2),
            reason=reason,
            terms=tuple(t for t, _ in sorted(term_weight[best].items(), key=lambda kv: (-kv[1], kv[0]))),
            tagger=self.tagger,
        )

    def _score_zones(
        self, zones: Sequence[tuple[str, float, list[str]]]
    ) -> tuple[list[float], list[dict[str, dict[str, int]]], list[dict[str, float]]]:
        """Return each theme's keyword score, its evidence (zone → matched words) and its terms' weights."""
        scores = [0.0] * len(self.themes)
        # theme index → zone → matched words (with counts) in order of first appearance
        evidence: list[dict[str, dict[str, int]]] = [{} for _ in self.themes]
        term_weight: list[dict[str, float]] = [{} for _ in self.themes]
        for zone, weight, tokens in zones:
            counts: dict[tuple[int, str], int] = {}
            for keyword, matched, n in self._match(tokens):
                theme = keyword.theme
                counts[(theme, keyword.text)] = counts.get((theme, keyword.text), 0) + n
                zone_evidence = evidence[theme].get(zone)
                if zone_evidence is None:
                    zone_evidence = evidence[theme][zone] = {}
                zone_evidence[matched] = zone_evidence.get(matched, 0) + n
                term_weight[theme][matched] = term_weight[theme].get(matched, 0.0) + weight * n
            for (theme, _text), count in counts.items():
                # Sublinear in repeats: the tenth "consulate" says less than the first.
                scores[theme] += weight * (1.0 + math.log(count))
        return scores, evidence, term_weight

    def _score_hints(
        self, scores: list[float], sections: Sequence[str], url: str, categories: Sequence[str]
    ) -> list[dict[str, list[str]]]:
        """Add the publisher's hints to scores; return each theme's hint labels by kind."""
        hinted: list[dict[str, list[str]]] = [{} for _ in self.themes]
        for hint in self.evidence(sections, url, categories):
            given = hinted[hint.theme].setdefault(hint.kind, [])
            if hint.label not in given:
                # Each kind counts once per theme: five tags that all say "sport" are one fact.
                if not given:
                    scores[hint.theme] += _HINT_WEIGHTS[hint.kind]
                given.append(hint.label)
        return hinted


def _phrase_matches(tokens: Sequence[str], start: int, rest: tuple[str, ...]) -> bool:
    if start + len(rest) > len(tokens):
        return False
    for offset, part in enumerate(rest):
        token = tokens[start + offset]
        if part.endswith("-") and len(part) > 1:
            if not token.startswith(part[:-1]):
                return False
        elif token != part:
            return False
    return True


def _section_key(section: str) -> str:
    return " ".join(section.casefold().split())


@dataclass(frozen=True)
class _Hint:
    kind: str  # "section", "url path" or "category"
    label: str  # as the source gave it
    theme: int


_HINT_WEIGHTS = {"section": SECTION_WEIGHT, "url path": PATH_WEIGHT, "category": CATEGORY_WEIGHT}
# "Science & Health", "Economy and Business", "Nation/World": each part is a section.
_LABEL_SPLIT = re.compile(r"\s*(?:[&/,|;:·•>»]|\s(?:and|und|и|және)\s)\s*")
# Words that make "Business News" or "Новости спорта" no more specific than the rest.
_GENERIC_TEXT = "news latest breaking top stories новости nachrichten aktuell жаңалықтар"
_GENERIC = frozenset(_GENERIC_TEXT.split())


def _label_keys(label: str) -> list[str]:
    """Return the lookup keys of a section or category: whole, then its parts."""
    key = _section_key(label)
    keys = [key]
    for part in _LABEL_SPLIT.split(key):
        kept = " ".join(w for w in part.split() if w not in _GENERIC)
        if kept and kept not in keys:
            keys.append(kept)
    return keys


def _url_segments(url: str) -> list[str]:
    """Return the folder-like segments of a URL: a section subdomain and the path's folders."""
    if not url.startswith(("http://", "https://")):
        return []
    parts = urllib.parse.urlsplit(url)
    segments: list[str] = []
    labels = (parts.hostname or "").split(".")
    if len(labels) >= 3 and labels[0] not in ("www", "m", "amp", "mobile", "news"):
        segments.append(labels[0])  # sport.example.com
    path = [urllib.parse.unquote(p).casefold() for p in parts.path.split("/") if p]
    # The last segment is the article's own slug unless it is one plain word (`/sport/`).
    if path and not path[-1].isalpha():
        path.pop()
    segments.extend(p for p in path if not p.isdigit())
    return segments


def _segment_keys(segment: str) -> list[str]:
    """Return a path segment, then its words for a short compound (`economy-business`)."""
    keys = [segment]
    words_ = [w for w in re.split(r"[-_+.]", segment) if w]
    if 1 < len(words_) <= 3:
        keys.extend(w for w in words_ if len(w) > 2 and not w.isdigit())
    return keys


def _reason(evidence: dict[str, dict[str, int]], hints: dict[str, list[str]]) -> str:
    """Return `section: Politik; url path: /politik/; title: a, b; body: c` for the winner."""
    # The publisher's labels first: when there are any, they are what decided.
    parts = [f"{kind}: {', '.join(hints[kind])}" for kind in ("section", "url path", "category") if kind in hints]
    title = evidence.get("title", {})
    body: dict[str, int] = {}
    # The lede and the rest of the body read as one zone to an editor.
    for zone in ("lede", "body"):
        for term, count in evidence.get(zone, {}).items():
            body[term] = body.get(term, 0) + count
    if title:
        parts.append("title: " + ", ".join(list(title)[:REASON_TERMS]))
    if body:
        top = sorted(body.items(), key=lambda kv: -kv[1])[:REASON_TERMS]
        parts.append("body: " + ", ".join(term for term, _ in top))
    return "; ".join(parts)


def classify_article(article: Article, config: Config) -> ThemeChoice:
    """Return the theme choice for one candidate under a config's taxonomy.

    It builds a classifier for this one call: to classify many, make one
    `Classifier.for_config` and call its `classify_article`.
    """
    return Classifier.for_config(config).classify_article(article)


def make_tags(article: Article, choice: ThemeChoice, limit: int = MAX_TAGS) -> tuple[str, ...]:
    """Return one to `limit` tags for an article: the source's, the theme's terms, then names."""
    tagger = choice.tagger or Tagger()
    outlet = f"{article.source} {url_host(article.source_url)}"
    return tagger.tags(article.title, article.body, article.language, article.tags, choice.terms, limit, outlet)
