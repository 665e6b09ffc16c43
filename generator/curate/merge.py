"""Find copies of one story among new candidates and the articles already in content/.

Input: candidate Articles, existing Articles and the merge window in days. Output: `Match`
edges (pairs that are the same story) for the curation orchestrator to group. Pure.

Two articles are one story when they share the canonical URL (or one lists the other's
URL in `also_reported_by`), when both have the same normalised title and date, or — for
bodies of at least `MIN_WORDS` words, dated within the window — when their 4-word shingle
sets overlap: Jaccard ≥ 0.5, or containment (shared / smaller set) ≥ 0.7 with the smaller
at least a quarter of the larger, so a copy with a new headline, an added attribution line
or a dropped paragraph still matches. Candidate pairs come from an inverted index of the
shingles that occur in more than one body (shingles in over 200 bodies are boilerplate and
ignored); every candidate pair is then verified exactly, so the result is deterministic.
Shingle ids come from blake2b word hashes, stable across runs and processes, so an
article's `fingerprint` can be taken in a worker process. Linear in the total text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

from generator.curate.text import fast_words, plain_text
from generator.models import Article, canonical_url, normalize_title

logger = logging.getLogger(__name__)

SHINGLE = 4
MIN_WORDS = 15
JACCARD = 0.5
CONTAINMENT = 0.7
MIN_SIZE_RATIO = 0.25
#: A shingle shared by more articles than this is boilerplate, not evidence.
MAX_POSTING = 200
#: Titles shorter than this ("News", "Weather") never match on the title alone.
MIN_TITLE = 20


_Adder = Callable[[int, int, float, str], None]


@dataclass(frozen=True)
class Match:
    """Two articles (indexes into candidates + existing) judged to be one story."""

    left: int
    right: int
    similarity: float
    reason: str  # "url", "title", "text"


class _TokenIds(dict[str, int]):
    """A stable 64-bit id (blake2b) per word, the same in every run and process.

    A word is hashed once per process, on first use, inside a C-level lookup.
    """

    def __missing__(self, token: str) -> int:
        token_id = self[token] = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")
        return token_id


_TOKEN_IDS = _TokenIds()
#: Past this many words the cache is dropped (a long-running preview server ingests often).
_TOKEN_IDS_MAX = 2_000_000


def _token_ids(tokens: Sequence[str]) -> list[int]:
    """Return the stable id of each word."""
    if len(_TOKEN_IDS) > _TOKEN_IDS_MAX:
        _TOKEN_IDS.clear()
    return list(map(_TOKEN_IDS.__getitem__, tokens))


def shingles(ids: Sequence[int]) -> frozenset[int]:
    """Return the hashed word 4-grams of a token-id sequence."""
    # hash() of a tuple of ints is not salted per process, unlike hash() of a str.
    return frozenset(map(hash, zip(*(ids[i:] for i in range(SHINGLE)), strict=False)))


def body_words(article: Article) -> list[str]:
    """Return the words of an article's body, for comparison."""
    return fast_words(plain_text(article.body))


#: The fingerprint of a body too short to compare by its text.
NO_FINGERPRINT: frozenset[int] = frozenset()


def fingerprint(article: Article) -> frozenset[int]:
    """Return the shingle ids that compare an article's body (empty below MIN_WORDS words).

    Pure and per article, so worker processes can take it while parsing.
    """
    words = body_words(article)
    if len(words) < MIN_WORDS:
        return NO_FINGERPRINT
    return shingles(_token_ids(words))


def find_matches(
    articles: Sequence[Article],
    first_existing: int,
    window_days: int,
    fingerprints: Sequence[frozenset[int] | None] = (),
    repeats: Repeats | None = None,
) -> list[Match]:
    """Return same-story pairs among articles; indexes ≥ first_existing are existing content.

    `fingerprints[i]`, where given and not None, is `fingerprint(articles[i])` taken
    earlier; `repeats`, where given, already holds the fingerprint of every new candidate
    (and maybe others). Two existing articles are never compared with each other: only
    new candidates merge.
    """
    found: dict[tuple[int, int], Match] = {}

    def add(a: int, b: int, similarity: float, reason: str) -> None:
        if a == b or (a >= first_existing and b >= first_existing):
            return
        key = (min(a, b), max(a, b))
        if key not in found or found[key].similarity < similarity:
            found[key] = Match(key[0], key[1], similarity, reason)

    prints = list(fingerprints) + [None] * (len(articles) - len(fingerprints))
    _match_keys(articles, prints, add)
    _match_text(articles, prints, first_existing, window_days, add, repeats)
    return sorted(found.values(), key=lambda m: (m.left, m.right))


def _print(articles: Sequence[Article], prints: list[frozenset[int] | None], index: int) -> frozenset[int]:
    """Return the fingerprint of articles[index], taking (and keeping) it if not yet known."""
    known = prints[index]
    if known is None:
        known = prints[index] = fingerprint(articles[index])
    return known


def _match_keys(articles: Sequence[Article], prints: list[frozenset[int] | None], add: _Adder) -> None:
    """Pair articles sharing a canonical URL, or the same title on the same date."""
    by_url: dict[str, list[int]] = defaultdict(list)
    by_title: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        urls = {canonical_url(article.source_url)} if article.source_url else set()
        urls.update(canonical_url(u) for u in article.also_reported_by if u.startswith(("http://", "https://")))
        for url in urls:
            by_url[url].append(index)
        title = normalize_title(article.title)
        if len(title) >= MIN_TITLE:
            by_title[(title, article.date)].append(index)
    for group in by_url.values():
        for a, b in combinations(group, 2):
            add(a, b, 1.0, "url")
    for group in by_title.values():
        for a, b in combinations(group, 2):
            # Two full bodies are judged by their text: a shared headline is not enough.
            if not _print(articles, prints, a) or not _print(articles, prints, b):
                add(a, b, 1.0, "title")


class Repeats:
    """The shingles seen in two or more of the fingerprints added, found with set operations.

    Ingest adds each candidate's fingerprint as the workers send it, while the others are
    still being parsed, instead of all at once after.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self.shared: set[int] = set()

    def add(self, shingle_set: frozenset[int]) -> None:
        """Count one body's shingles."""
        self.shared |= shingle_set & self._seen
        self._seen |= shingle_set


def _match_text(
    articles: Sequence[Article],
    prints: list[frozenset[int] | None],
    first_existing: int,
    window_days: int,
    add: _Adder,
    repeats: Repeats | None,
) -> None:
    """Pair articles whose bodies are near-duplicates within the date window."""
    window = dt.timedelta(days=window_days)
    new_dates = [a.date for a in articles[:first_existing]]
    if not new_dates:
        return
    # Existing articles far from every new one can never match: skip their bodies.
    low, high = min(new_dates) - window, max(new_dates) + window
    sets: dict[int, frozenset[int]] = {}
    for index, article in enumerate(articles):
        if index >= first_existing and not (low <= article.date <= high):
            continue
        shingle_set = _print(articles, prints, index)
        if shingle_set:
            sets[index] = shingle_set
    # Shingles seen in two or more bodies (a superset does no harm: postings list only the
    # bodies compared here).
    if repeats is None:
        repeats = Repeats()
        for shingle_set in sets.values():
            repeats.add(shingle_set)
    else:
        for index in range(first_existing, len(articles)):
            if index in sets:
                repeats.add(sets[index])
    shared = repeats.shared
    postings: dict[int, list[int]] = defaultdict(list)
    for index, shingle_set in sets.items():
        for shingle in shingle_set & shared:
            postings[shingle].append(index)
    # Only pairs within the window can match, and two existing articles never merge: skip
    # the others while pairing (with day numbers sorted, each article meets only the ones
    # up to `window_days` after it), not after building every pair of every posting list.
    day = {index: articles[index].date.toordinal() for index in sets}
    pairs: set[tuple[int, int]] = set()
    for docs in postings.values():
        if len(docs) > MAX_POSTING:
            continue
        by_day = sorted(docs, key=day.__getitem__)
        for position, a in enumerate(by_day):
            last = day[a] + window_days
            for b in by_day[position + 1 :]:
                if day[b] > last:
                    break
                if a < first_existing or b < first_existing:
                    pairs.add((a, b) if a < b else (b, a))
    for a, b in pairs:
        similarity = _similarity(sets[a], sets[b])
        if similarity:
            add(a, b, similarity, "text")


def _similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Return the Jaccard or containment that makes a and b one story, or 0.0."""
    shared = len(a & b)
    small, large = sorted((len(a), len(b)))
    jaccard = shared / (small + large - shared)
    if jaccard >= JACCARD:
        return jaccard
    containment = shared / small
    if containment >= CONTAINMENT and small >= MIN_SIZE_RATIO * large:
        return containment
    return 0.0
