"""Curate candidate articles: drop excluded ones, merge copies of a story, theme them.

Input: candidate Articles from ingest (no theme yet; their bodies plain text, see
`generator.bodytext`), the Articles already in content/ (Markdown bodies), and the Config.
Output: a `CurateResult` — new articles to write, existing ones whose
`also_reported_by` grew, counts and problems. Pure and deterministic: the result does not
depend on the order of the candidates. A `Curator` is one run's curation: it holds what is
learnt once per run (the theme classifier, the compiled exclusions, word hashes).
`apply_editorial` is the build-time half (ranking and the editorial rules).
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from generator.config import Config
from generator.curate.editorial import Exclusions, publishable, theme_override
from generator.curate.merge import Repeats, Shingler, assign_copies, find_matches
from generator.curate.rank import rank_key, score_articles
from generator.curate.summary import make_summary
from generator.curate.themes import Classifier, make_tags
from generator.models import (
    Article,
    CurateResult,
    Mapper,
    Problem,
    Reporter,
    Severity,
    canonical_url,
    short_title,
    url_host,
)

__all__ = ["Curator", "Prepared", "Repeats", "apply_editorial", "curate"]

logger = logging.getLogger(__name__)


def _input_key(article: Article) -> tuple[str, ...]:
    """Return a total order on candidates that does not depend on how they arrived."""
    return (
        article.id,
        article.date.isoformat(),
        article.source,
        article.source_url,
        article.title,
        article.origin,
        article.body,
    )


def _richness_key(article: Article) -> tuple[int, bool, str, str, str]:
    """Return the key whose minimum is the richest copy: longest body, has a URL, then id."""
    return (-len(article.body), not article.source_url, article.id, article.source, article.origin)


def _where(origin: str) -> tuple[str, int]:
    """Return (path, line) from an origin such as `raw/x.txt:17`."""
    path, sep, line = origin.rpartition(":")
    if sep and line.isdigit():
        return path, int(line)
    return origin, 0


def _reporter(copy: Article, kept: Article) -> Reporter | None:
    """Return what `also_reported_by` records for a merged copy: its outlet and URL, or None.

    A copy under the kept article's own URL (a repeat) or without a URL is recorded by its
    outlet's name, unless that is the kept article's own outlet. An outlet without a name
    is named by its URL's host.
    """
    url = copy.source_url
    same_url = bool(url and kept.source_url and canonical_url(url) == canonical_url(kept.source_url))
    source = copy.source.strip()
    if same_url or not url:
        if not source or source.casefold() == kept.source.strip().casefold():
            return None
        return Reporter(source)
    return Reporter(source or url_host(url) or url, url)


def _add_reports(kept: Article, copies: Sequence[Article]) -> tuple[Reporter, ...]:
    """Return kept's `also_reported_by` with the copies' outlets appended (each copy once)."""
    known = {r.key for r in kept.also_reported_by}
    # An outlet listed by name only is the same copy as that outlet's copy with a URL: the
    # entry with the URL replaces it, so a story never lists one outlet twice.
    named_only = {r.source.casefold(): i for i, r in enumerate(kept.also_reported_by) if not r.url}
    listed = list(kept.also_reported_by)
    fresh: dict[tuple[str, str], Reporter] = {}
    for copy in copies:
        reporter = _reporter(copy, kept)
        if reporter is None:
            continue
        key = reporter.key
        if key in known or key in fresh:
            continue
        if reporter.url and reporter.source.casefold() in named_only:
            listed[named_only.pop(reporter.source.casefold())] = reporter
            known.add(key)
            continue
        if not reporter.url and any(r.source.casefold() == reporter.source.casefold() for r in listed):
            continue
        fresh[key] = reporter
    # A person's existing list keeps its order; new entries follow, sorted.
    return (*listed, *sorted(fresh.values(), key=lambda r: (r.source.casefold(), canonical_url(r.url))))


@dataclass(frozen=True)
class Prepared:
    """A candidate and its body's fingerprint (empty for a body too short to compare).

    Fingerprinting needs no other candidate: a large ingest does it in its worker
    processes while parsing.
    """

    candidate: Article
    fingerprint: frozenset[int]


class Curator:
    """One run's curation under a config: prepare candidates, then curate them against content/.

    It keeps what the run learns once: the theme classifier (with its word cache), the
    compiled exclusion rules and the merge's word hashes. A copy sent to a worker process
    carries only the config and learns its own (pickling the caches would cost more than
    rebuilding them).
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.exclusions = Exclusions(config.curation)
        self.shingler = Shingler()
        self._classifier: Classifier | None = None

    def __reduce__(self) -> tuple[type[Curator], tuple[Config]]:
        return Curator, (self.config,)

    @property
    def classifier(self) -> Classifier:
        """Return the run's theme classifier (built on first use: preparing needs none)."""
        if self._classifier is None:
            self._classifier = Classifier.for_config(self.config)
        return self._classifier

    def prepare(self, candidate: Article) -> Prepared:
        """Return a candidate with its fingerprint taken."""
        return Prepared(candidate, self.shingler.fingerprint(candidate.body))

    def curate(self, candidates: Sequence[Article], existing: Sequence[Article]) -> CurateResult:
        """Return what to write for the candidates, given what content/ already holds."""
        return self.curate_prepared([self.prepare(c) for c in candidates], existing)

    def curate_prepared(
        self,
        prepared: Sequence[Prepared],
        existing: Sequence[Article],
        repeats: Repeats | None = None,
        mapper: Mapper = map,
    ) -> CurateResult:
        """Return what to write for prepared candidates, given what content/ already holds.

        `repeats`, where given, holds the fingerprints of all the prepared candidates (ingest
        adds them while parsing). Each new story is finished (theme, tags, summary) with
        `mapper`, which a caller may make a process pool's.
        """
        existing = sorted(existing, key=lambda a: a.id)
        pending, updates, problems = self._triage(prepared, {a.id: i for i, a in enumerate(existing)})
        stories = _group_stories(pending, existing, self.config, repeats, updates, self.shingler)
        duplicates = sum(len(copies) for _, copies in stories)
        # Only the decisions come back from the workers, not the articles they were sent.
        finishes = mapper(functools.partial(_finish, curator=self), stories)
        new = [finish.apply(kept) for (kept, _), finish in zip(stories, finishes, strict=True)]
        updated, added, unchanged = _grow_existing(existing, updates)
        # Ranking is the build's (apply_editorial), on what content/ holds then.
        new.sort(key=lambda a: (a.date, a.id))
        logger.debug(
            "curated %d candidates: %d new, %d updated, %d duplicates, %d unchanged",
            len(prepared),
            len(new),
            len(updated),
            duplicates + added,
            unchanged,
        )
        return CurateResult(
            new=tuple(new),
            updated=tuple(updated),
            duplicates=duplicates + added,
            unchanged=unchanged,
            problems=tuple(problems),
        )

    def _triage(
        self, prepared: Sequence[Prepared], existing_index: dict[str, int]
    ) -> tuple[list[Prepared], dict[int, list[Article]], list[Problem]]:
        """Sort candidates into excluded (a warning each), repeats of existing articles and new ones."""
        pending: list[Prepared] = []
        # existing index → candidates that are copies of it (they may extend its also_reported_by)
        updates: dict[int, list[Article]] = defaultdict(list)
        problems: list[Problem] = []
        for item in sorted(prepared, key=lambda p: _input_key(p.candidate)):
            candidate = item.candidate
            reason = self.exclusions.reason(candidate, candidate.body)
            if reason:
                path, line = _where(candidate.origin)
                message = f'"{short_title(candidate.title)}" excluded by {reason}'
                problems.append(
                    Problem(path, line, message, "edit curation in digest.yaml to publish it", Severity.WARNING)
                )
            elif candidate.id in existing_index:
                # Already in content/ (same URL, or same source, date and title): the file, maybe
                # edited, wins. Only another source's repeat is recorded in its also_reported_by.
                updates[existing_index[candidate.id]].append(candidate)
            else:
                pending.append(item)
        return pending, updates, problems


@dataclass(frozen=True)
class Finish:
    """What finishing a story decides for its kept candidate (all that crosses back from a worker)."""

    theme: str
    theme_reason: str
    tags: tuple[str, ...]
    summary: str
    also_reported_by: tuple[Reporter, ...]

    def apply(self, article: Article) -> Article:
        """Return the kept candidate finished."""
        return replace(
            article,
            theme=self.theme,
            theme_reason=self.theme_reason,
            tags=self.tags,
            summary=self.summary,
            also_reported_by=self.also_reported_by,
        )


def _finish(story: tuple[Article, tuple[Article, ...]], curator: Curator) -> Finish:
    """Return theme, reason, tags, summary and also_reported_by for a story's kept candidate."""
    article, copies = story
    sections = tuple(dict.fromkeys(s for a in (article, *copies) for s in a.sections))
    source_tags = tuple(dict.fromkeys(t for a in (article, *copies) for t in a.tags))
    choice = curator.classifier.classify(article.title, article.body, sections, article.source_url, source_tags)
    # make_tags reads the source tags of the whole group; the article is copied (a
    # dataclasses.replace costs as much as the rest) only when the copies add some.
    tagged = article if source_tags == article.tags else replace(article, tags=source_tags)
    theme, reason = theme_override(article.id, choice.theme, curator.config) or (choice.theme, choice.reason)
    return Finish(
        theme,
        reason,
        make_tags(tagged, choice),
        make_summary(article.body, article.summary),
        _add_reports(article, copies),
    )


def curate(candidates: Sequence[Article], existing: Sequence[Article], config: Config) -> CurateResult:
    """Return what to write for the candidates, given what content/ already holds (a run of its own)."""
    return Curator(config).curate(candidates, existing)


def _group_stories(
    pending: Sequence[Prepared],
    existing: Sequence[Article],
    config: Config,
    repeats: Repeats | None,
    updates: dict[int, list[Article]],
    shingler: Shingler,
) -> list[tuple[Article, tuple[Article, ...]]]:
    """Return each new story as (kept candidate, its copies); add copies of existing ones to updates."""
    articles = [*(p.candidate for p in pending), *existing]
    matches = find_matches(
        articles,
        len(pending),
        config.curation.merge_window_days,
        [p.fingerprint for p in pending],
        repeats,
        shingler,
    )
    # Richest first: the copy kept of a story is the one with the most text. (pending is in
    # input-independent order, so its index breaks the last ties.)
    home = assign_copies(articles, len(pending), matches, lambda i: (_richness_key(pending[i].candidate), i))
    members: dict[int, list[int]] = defaultdict(list)
    for index, into in enumerate(home):
        if into >= len(pending):
            # A copy of a story already in content/: that file only gains also_reported_by.
            updates[into - len(pending)].append(pending[index].candidate)
        else:
            members[into].append(index)
    return [
        (pending[kept].candidate, tuple(pending[i].candidate for i in members[kept] if i != kept))
        for kept in sorted(members)
    ]


def _grow_existing(existing: Sequence[Article], updates: dict[int, list[Article]]) -> tuple[list[Article], int, int]:
    """Return the existing articles whose also_reported_by grew, the entries added and the copies already listed."""
    updated: list[Article] = []
    added_total = unchanged = 0
    for index in sorted(updates):
        target = existing[index]
        grown = _add_reports(target, updates[index])
        added = len(grown) - len(target.also_reported_by)
        added_total += added
        # A copy whose URL or source the file already lists changes nothing: it is unchanged.
        unchanged += len(updates[index]) - added
        if added:
            updated.append(replace(target, also_reported_by=grown))
    return updated, added_total, unchanged


def apply_editorial(articles: Sequence[Article], config: Config) -> tuple[Article, ...]:
    """Return the publishable articles, scored, newest day first then by score then id."""
    return tuple(sorted(score_articles(publishable(articles, config), config), key=rank_key))
