"""Find copies of one story among new candidates and the articles already in content/.

Input: candidate Articles, existing Articles and the merge window in days. Output: `Match`
edges (pairs that are the same story), and `assign_copies`, which groups candidates along
them without chaining. Pure.

Two articles are one story when they share the canonical URL (or one lists the other's
URL in `also_reported_by`), when both have the same normalised title and date, or — for
bodies of at least `MIN_WORDS` words, dated within the window — when their 4-word shingle
sets overlap: Jaccard ≥ 0.5, or containment (shared / smaller set) ≥ 0.7 with the smaller
at least a quarter of the larger, so a copy with a new headline, an added attribution line
or a dropped paragraph still matches. Text never joins two `distinct` items: one source's
items under different URLs and titles are different stories whatever their text (numbered
bulletins from one template; feeds repeating one description). Candidate pairs come from
an inverted index of the shingles that occur in more than one body (shingles in over 200
bodies are boilerplate and ignored); every candidate pair is then verified exactly, so the
result is deterministic. Shingle ids come from blake2b word hashes, stable across runs and
processes, so an article's fingerprint can be taken in a worker process (by a `Shingler`,
which remembers each word's hash for one run). Linear in the total text.

Similarity is not transitive (A≈B and B≈C say nothing of A and C), so `assign_copies`
builds stars, not connected components: every copy matches the article it merges into.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from generator.bodytext import to_plain
from generator.curate.text import fast_words
from generator.models import Article, canonical_url, normalize_title

logger = logging.getLogger(__name__)

SHINGLE = 4
MIN_WORDS = 15
JACCARD = 0.5
CONTAINMENT = 0.7
MIN_SIZE_RATIO = 0.25
#: A shingle shared by more articles than this is boilerplate, not evidence.
MAX_POSTING = 200
#: Up to this many, a shingle's articles are paired all with all; past it, one source's
#: `distinct` items (a template's) are not paired at all (see `_posting_pairs`).
SMALL_POSTING = 32
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
    """A stable 64-bit id (blake2b) per word, the same in every run and process; each word hashed once."""

    def __missing__(self, token: str) -> int:
        token_id = self[token] = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")
        return token_id


def shingles(ids: Sequence[int]) -> frozenset[int]:
    """Return the hashed word 4-grams of a token-id sequence."""
    # hash() of a tuple of ints is not salted per process, unlike hash() of a str.
    return frozenset(map(hash, zip(*(ids[i:] for i in range(SHINGLE)), strict=False)))


#: The fingerprint of a body too short to compare by its text.
NO_FINGERPRINT: frozenset[int] = frozenset()


class Shingler:
    """Take the fingerprints of one run's bodies, hashing each distinct word once.

    A word's id does not depend on the Shingler (blake2b of the word), so fingerprints
    taken by different Shinglers, in different processes, compare; the ids only save
    hashing a word again. Make one per run (or per worker's share of one).
    """

    def __init__(self) -> None:
        self._ids = _TokenIds()

    def fingerprint(self, text: str) -> frozenset[int]:
        """Return the shingle ids that compare a plain body (empty below MIN_WORDS words)."""
        words = fast_words(text)
        if len(words) < MIN_WORDS:
            return NO_FINGERPRINT
        return shingles(list(map(self._ids.__getitem__, words)))


def find_matches(
    articles: Sequence[Article],
    first_existing: int,
    window_days: int,
    fingerprints: Sequence[frozenset[int]],
    repeats: Repeats | None = None,
    shingler: Shingler | None = None,
) -> list[Match]:
    """Return same-story pairs among articles; indexes ≥ first_existing are existing content.

    `fingerprints[i]` is the `Shingler.fingerprint` of new candidate i (of its plain body);
    existing articles are fingerprinted from their Markdown where needed, by `shingler`
    (the run's, or a new one). `repeats`, where given,
    already holds the fingerprint of every new candidate (and maybe others). Two existing
    articles are never compared with each other: only new candidates merge.
    """
    found: dict[tuple[int, int], Match] = {}

    def add(a: int, b: int, similarity: float, reason: str) -> None:
        if a == b or (a >= first_existing and b >= first_existing):
            return
        key = (min(a, b), max(a, b))
        if key not in found or found[key].similarity < similarity:
            found[key] = Match(key[0], key[1], similarity, reason)

    prints = _Prints(articles, fingerprints, shingler or Shingler())
    _match_keys(articles, prints, add)
    _match_text(articles, prints, first_existing, window_days, add, repeats)
    return sorted(found.values(), key=lambda m: (m.left, m.right))


def story_key(article: Article) -> tuple[str, str, str]:
    """Return (casefolded source, normalised title, canonical URL) — what tells one source's items apart."""
    url = canonical_url(article.source_url) if article.source_url else ""
    return article.source.casefold().strip(), normalize_title(article.title), url


class _StoryKeys(dict[int, tuple[str, str, str]]):
    """The `story_key` of articles[index], taken on first use: most articles never need one."""

    def __init__(self, articles: Sequence[Article]) -> None:
        super().__init__()
        self.articles = articles

    def __missing__(self, index: int) -> tuple[str, str, str]:
        key = self[index] = story_key(self.articles[index])
        return key


def distinct(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
    """Return True for the story keys of two different stories of one source, whatever their text.

    One source publishes one story once: under another URL (or none) and another title it
    is another story (bulletin No. 12 and No. 13), however alike the bodies. An unknown
    source (``""``) proves nothing.
    """
    return bool(a[0]) and a[0] == b[0] and a[1] != b[1] and (not a[2] or a[2] != b[2])


class _Prints(dict[int, frozenset[int]]):
    """The fingerprint of articles[index]: a new candidate's as given, an existing one's taken on first use."""

    def __init__(self, articles: Sequence[Article], fingerprints: Sequence[frozenset[int]], shingler: Shingler) -> None:
        super().__init__(enumerate(fingerprints))
        self.articles = articles
        self.shingler = shingler

    def __missing__(self, index: int) -> frozenset[int]:
        known = self[index] = self.shingler.fingerprint(to_plain(self.articles[index].body))
        return known


def _match_keys(articles: Sequence[Article], prints: _Prints, add: _Adder) -> None:
    """Pair articles sharing a canonical URL, or the same title on the same date."""
    by_url: dict[str, list[int]] = defaultdict(list)
    by_title: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for index, article in enumerate(articles):
        urls = {canonical_url(article.source_url)} if article.source_url else set()
        urls.update(canonical_url(r.url) for r in article.also_reported_by if r.url)
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
            if not prints[a] or not prints[b]:
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
    prints: _Prints,
    first_existing: int,
    window_days: int,
    add: _Adder,
    repeats: Repeats | None,
) -> None:
    """Pair articles whose bodies are near-duplicates within the date window."""
    sets = _comparable(articles, prints, first_existing, window_days)
    if not sets:
        return
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
    postings: dict[int, list[int]] = defaultdict(list)
    for index, shingle_set in sets.items():
        for shingle in shingle_set & repeats.shared:
            postings[shingle].append(index)
    day = {index: articles[index].date.toordinal() for index in sets}
    keys = _StoryKeys(articles)
    for a, b in _candidate_pairs(postings.values(), day, keys, first_existing, window_days):
        if distinct(keys[a], keys[b]):
            continue
        similarity = _similarity(sets[a], sets[b])
        if similarity:
            add(a, b, similarity, "text")


def _comparable(
    articles: Sequence[Article], prints: _Prints, first_existing: int, window_days: int
) -> dict[int, frozenset[int]]:
    """Return the non-empty fingerprints of the new candidates and of the existing articles near them in time."""
    # Day numbers, not dates: a window around date.min or date.max must not overflow.
    new_days = [a.date.toordinal() for a in articles[:first_existing]]
    if not new_days:
        return {}
    # Existing articles far from every new one can never match: skip their bodies.
    low, high = min(new_days) - window_days, max(new_days) + window_days
    sets: dict[int, frozenset[int]] = {}
    for index, article in enumerate(articles):
        if index >= first_existing and not (low <= article.date.toordinal() <= high):
            continue
        shingle_set = prints[index]
        if shingle_set:
            sets[index] = shingle_set
    return sets


def _candidate_pairs(
    postings: Iterable[list[int]], day: dict[int, int], keys: _StoryKeys, first_existing: int, window_days: int
) -> set[tuple[int, int]]:
    """Return the (smaller, larger) pairs sharing a shingle that may be one story.

    Only pairs within the window can match, two existing articles never merge, and two
    `distinct` items of one source never do: the others are skipped while pairing, not
    after building every pair of every posting list. A pair has a new candidate when its
    smaller index is one.
    """
    pairs: set[tuple[int, int]] = set()
    for docs in postings:
        if len(docs) == 2:  # most shared shingles
            a, b = sorted(docs)
            if a < first_existing and abs(day[a] - day[b]) <= window_days:
                pairs.add((a, b))
        elif len(docs) <= SMALL_POSTING:
            by_day = sorted(docs, key=day.__getitem__)
            pairs.update(p for p in _window_pairs(by_day, day, window_days) if p[0] < first_existing)
        elif len(docs) <= MAX_POSTING:
            pairs.update(p for p in _posting_pairs(docs, day, keys, window_days) if p[0] < first_existing)
    return pairs


def _window_pairs(by_day: Sequence[int], day: dict[int, int], window_days: int) -> Iterator[tuple[int, int]]:
    """Yield the pairs of day-sorted articles dated at most `window_days` apart."""
    for position, a in enumerate(by_day):
        last = day[a] + window_days
        for b in by_day[position + 1 :]:
            if day[b] > last:
                break
            yield (a, b) if a < b else (b, a)


def _posting_pairs(
    docs: Sequence[int], day: dict[int, int], keys: _StoryKeys, window_days: int
) -> Iterator[tuple[int, int]]:
    """Yield the (smaller, larger) pairs of a long posting list that are in the window and not `distinct`.

    A template's shingles fill posting lists with one source's items, hundreds of which
    are pairwise distinct: the largest source's items are paired among themselves only
    under one title (under one URL they match by URL already) and with the rest by day
    range (bisect), so such a list costs about its length, not its square.
    """
    by_source: dict[str, list[int]] = defaultdict(list)
    for index in docs:
        by_source[keys[index][0]].append(index)
    named = [members for source, members in by_source.items() if source]
    largest = max(named, key=len) if named else []
    own = set(largest)
    by_title: dict[str, list[int]] = defaultdict(list)
    for index in largest:
        by_title[keys[index][1]].append(index)
    for same in by_title.values():
        if len(same) > 1:
            yield from _window_pairs(sorted(same, key=day.__getitem__), day, window_days)
    rest = sorted((i for i in docs if i not in own), key=day.__getitem__)
    for a, b in _window_pairs(rest, day, window_days):
        if not distinct(keys[a], keys[b]):
            yield a, b
    if rest and largest:
        largest.sort(key=day.__getitem__)
        days = [day[i] for i in largest]
        for a in rest:
            low = bisect.bisect_left(days, day[a] - window_days)
            high = bisect.bisect_right(days, day[a] + window_days)
            for b in largest[low:high]:
                yield (a, b) if a < b else (b, a)


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


class _Members:
    """The story keys of one group's members, to admit no member `distinct` from another."""

    def __init__(self, key: tuple[str, str, str]) -> None:
        self.sources: Counter[str] = Counter()
        self.titles: Counter[tuple[str, str]] = Counter()
        self.urls: Counter[tuple[str, str]] = Counter()
        self.both: Counter[tuple[str, str, str]] = Counter()
        self.add(key)

    def admits(self, key: tuple[str, str, str]) -> bool:
        """Return True when the key is no other story of a member's source."""
        source, title, url = key
        if not source or not self.sources[source]:
            return True
        # The members it is not distinct from share its title or its URL: they must be all.
        shared = self.titles[source, title] + (self.urls[source, url] - self.both[key] if url else 0)
        return shared == self.sources[source]

    def add(self, key: tuple[str, str, str]) -> None:
        """Count a member's key."""
        source, title, url = key
        if source:
            self.sources[source] += 1
            self.titles[source, title] += 1
            if url:
                self.urls[source, url] += 1
                self.both[key] += 1


def _split_matches(
    articles: Sequence[Article], first_existing: int, matches: Sequence[Match], keep_first: Callable[[int], Any]
) -> tuple[list[tuple[float, str, Any, int, int, bool]], dict[int, list[tuple[float, int]]]]:
    """Return the offers to join stored stories (best first once sorted) and each new candidate's neighbours."""
    offers: list[tuple[float, str, Any, int, int, bool]] = []
    neighbours: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for match in matches:
        if match.right >= first_existing:
            stored_id = articles[match.right].id
            # A URL the stored file lists is a copy on record, whoever published it.
            recorded = match.reason == "url"
            offers.append((-match.similarity, stored_id, keep_first(match.left), match.left, match.right, recorded))
        else:
            neighbours[match.left].append((match.similarity, match.right))
            neighbours[match.right].append((match.similarity, match.left))
    return offers, neighbours


def assign_copies(
    articles: Sequence[Article], first_existing: int, matches: Sequence[Match], keep_first: Callable[[int], Any]
) -> list[int]:
    """Return, per new candidate, the index of the article it merges into (its own when it is kept).

    Indexes ≥ first_existing are existing content; `keep_first(index)` orders candidates,
    the one to keep first (the richest) lowest, with no ties. A copy of a stored story joins
    the one it matches best (a person's file wins over a new candidate). Every other
    candidate, richest first, joins the kept candidate it matches best — its own bulletin,
    not the first look-alike of the template — or else is kept itself. Copies never take
    copies (nothing chains), no group holds two `distinct` items, and each match is looked
    at once or twice: near-linear, and independent of input order once `keep_first` is.
    """
    home = [-1] * first_existing
    groups: dict[int, _Members] = {}
    keys = _StoryKeys(articles)

    def join(target: int, index: int, recorded: bool = False) -> bool:
        members = groups.get(target)
        if members is None:  # built only for a group that gets a copy: most stay alone
            members = groups[target] = _Members(keys[target])
        key = keys[index]
        if not recorded and not members.admits(key):
            return False
        members.add(key)
        home[index] = target
        return True

    offers, neighbours = _split_matches(articles, first_existing, matches, keep_first)
    for *_, index, target, recorded in sorted(offers):
        if home[index] < 0:
            join(target, index, recorded)
    # A candidate without a match is kept as it is: only the matched ones need ranking.
    order = {index: keep_first(index) for index in neighbours if home[index] < 0}
    for index in sorted(order, key=order.__getitem__):
        # Every richer candidate is placed already, and only those are kept (home is itself).
        kept = sorted(
            (-similarity, order[other], other) for similarity, other in neighbours[index] if home[other] == other
        )
        if not any(join(other, index) for *_, other in kept):
            home[index] = index
    return [index if target < 0 else target for index, target in enumerate(home)]
