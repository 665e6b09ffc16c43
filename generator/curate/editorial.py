"""Apply the site's editorial rules: drafts, hidden and pinned ids, exclusions, overrides.

Input: Articles and the Config's `curation:` section. Output: the Articles to publish (or
the reason one is excluded). Pure. Rules run at every ingest (exclusions drop candidates)
and again at every build (on what content/ holds, so a rule added later still applies).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from generator.bodytext import to_plain
from generator.config import Config, Curation
from generator.models import Article, url_host

logger = logging.getLogger(__name__)


def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return one regex for the excluded keywords (a trailing `-` makes a prefix)."""
    alternatives = []
    for keyword in keywords:
        keyword = " ".join(keyword.casefold().split())
        if not keyword or keyword == "-":
            continue
        if keyword.endswith("-"):
            alternatives.append(re.escape(keyword[:-1]) + r"\w*")
        else:
            alternatives.append(re.escape(keyword))
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


class Exclusions:
    """The `curation:` rules that exclude articles, compiled once for a run of checks."""

    def __init__(self, curation: Curation) -> None:
        self.sources = curation.exclude_sources
        self._pattern = _keyword_pattern(curation.exclude_keywords)

    def reason(self, article: Article, body_text: str | None = None) -> str:
        """Return why the rules exclude an article (`curation.exclude_sources: tass.ru`), or "".

        `body_text` is the body as plain text, if known (a candidate's body is); by default
        it is taken from the Markdown body of a content file.
        """
        source = article.source.casefold()
        host = url_host(article.source_url)
        for entry in self.sources:
            name = entry.casefold().strip()
            if name and (name in (source, host) or host.endswith("." + name)):
                return f"curation.exclude_sources: {entry}"
        if self._pattern:
            body = to_plain(article.body) if body_text is None else body_text
            text = " ".join(f"{article.title}\n{article.summary}\n{body}".casefold().split())
            match = self._pattern.search(text)
            if match:
                return f"curation.exclude_keywords: {match.group()}"
        return ""


def theme_override(article_id: str, theme: str, config: Config) -> tuple[str, str] | None:
    """Return (theme, reason) when `curation.themes` lists the id with another known theme, else None."""
    chosen = dict(config.curation.themes).get(article_id)
    if chosen and chosen != theme and chosen in config.theme_slugs:
        return chosen, f"curation.themes override (was {theme or 'unset'})"
    return None


def override_theme(article: Article, config: Config) -> Article:
    """Return the article with `curation.themes` applied to its id, if listed."""
    override = theme_override(article.id, article.theme, config)
    if override is None:
        return article
    return replace(article, theme=override[0], theme_reason=override[1])


def publishable(articles: Sequence[Article], config: Config) -> list[Article]:
    """Return the articles that may appear on the site, with pins and overrides applied."""
    curation = config.curation
    hidden, pinned = set(curation.hide), set(curation.pin)
    exclusions = Exclusions(curation)
    out = []
    for article in articles:
        if article.draft or article.id in hidden:
            continue
        reason = exclusions.reason(article)
        if reason:
            logger.debug("%s hidden by %s", article.src_path or article.id, reason)
            continue
        if article.id in pinned and not article.featured:
            article = replace(article, featured=True)
        out.append(override_theme(article, config))
    return out
