"""Score articles for ordering the front page and the daily digests.

Input: Articles and the Config. Output: the same Articles with `score` set. Pure.

    score = 100 × featured
          +  10 × (sources − 1)          sources = 1 + len(also_reported_by)
          +       source_priority        curation.source_priority[source], default 0
          +   3 × recency                (date − oldest) / (newest − oldest) in the set; 1 if one day
          +   2 × min(words / 400, 1)    substance: body length
          +   1 × has summary

Featured beats everything; one more reporting source outweighs recency and substance
together (≤ 6), so a widely reported story ranks above a lone one of the same day unless
the site gives a source a large priority. Scores are rounded to 3 decimals.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from generator.config import Config
from generator.models import Article

logger = logging.getLogger(__name__)

FEATURED_WEIGHT = 100.0
SOURCE_WEIGHT = 10.0
RECENCY_WEIGHT = 3.0
LENGTH_WEIGHT = 2.0
LENGTH_FULL = 400  # words at which a body counts as fully substantial
SUMMARY_WEIGHT = 1.0


def score_article(article: Article, config: Config, oldest_ordinal: int, span_days: int) -> float:
    """Return one article's score given the date range of the set it is ranked in."""
    priority = dict(config.curation.source_priority).get(article.source, 0.0)
    recency = (article.date.toordinal() - oldest_ordinal) / span_days if span_days else 1.0
    length = min(len(article.body.split()) / LENGTH_FULL, 1.0)
    score = (
        FEATURED_WEIGHT * article.featured
        + SOURCE_WEIGHT * len(article.also_reported_by)
        + priority
        + RECENCY_WEIGHT * recency
        + LENGTH_WEIGHT * length
        + SUMMARY_WEIGHT * bool(article.summary)
    )
    return round(score, 3)


def score_articles(articles: Sequence[Article], config: Config) -> tuple[Article, ...]:
    """Return the articles with `score` computed relative to each other."""
    if not articles:
        return ()
    ordinals = [a.date.toordinal() for a in articles]
    oldest, span = min(ordinals), max(ordinals) - min(ordinals)
    return tuple(replace(a, score=score_article(a, config, oldest, span)) for a in articles)


def rank_key(article: Article) -> tuple[int, float, str]:
    """Return the sort key for digests: newest day first, then highest score, then id."""
    return (-article.date.toordinal(), -article.score, article.id)
