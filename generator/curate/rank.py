"""Score articles for ordering the front page and the daily digests.

Input: Articles and the Config. Output: the same Articles with `score` set. Pure.

    score = 100 × featured
          +  10 × (sources − 1)          sources: distinct outlets, own + also_reported_by
          +       source_priority        max of curation.source_priority[outlet], default 0
          +   1 × time of day            published hour / 24 (0 without a time)
          +   2 × min(words / 400, 1)    substance: body length
          +   1 × has summary

A story merged from copies is one article, so it is ranked (and fed) once; its copies
count as outlets (two copies from one outlet count once), and its priority is its best
outlet's. Recency is the day first (`rank_key` sorts newest day first), then within a day
the `published` time where the source gave one (it moves a score by less than 1 ÷ 24 per
hour). Featured beats everything; one more reporting source outweighs time and substance
together (≤ 4), so a widely reported story ranks above a lone one of the same day unless
the site gives a source a large priority. Scores are rounded to 3 decimals.

A score depends on its article alone, never on the rest of the set: adding a day of news
leaves every older article's score, and so every page that shows it, unchanged (the build
cache re-renders only what changed).
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
TIME_WEIGHT = 1.0
LENGTH_WEIGHT = 2.0
LENGTH_FULL = 400  # words at which a body counts as fully substantial
SUMMARY_WEIGHT = 1.0


def score_article(article: Article, config: Config) -> float:
    """Return one article's score (see the module docstring)."""
    priorities = dict(config.curation.source_priority)
    priority = max((priorities.get(name, 0.0) for name in article.outlets), default=0.0)
    clock = article.published.time() if article.published else None
    time_of_day = (clock.hour * 60 + clock.minute) / 1440 if clock else 0.0
    length = min(len(article.body.split()) / LENGTH_FULL, 1.0)
    score = (
        FEATURED_WEIGHT * article.featured
        + SOURCE_WEIGHT * max(len(article.outlets) - 1, 0)
        + priority
        + TIME_WEIGHT * time_of_day
        + LENGTH_WEIGHT * length
        + SUMMARY_WEIGHT * bool(article.summary)
    )
    return round(score, 3)


def score_articles(articles: Sequence[Article], config: Config) -> tuple[Article, ...]:
    """Return the articles with `score` set."""
    return tuple(replace(a, score=score_article(a, config)) for a in articles)


def rank_key(article: Article) -> tuple[int, float, str]:
    """Return the sort key for digests: newest day first, then highest score, then id."""
    return (-article.date.toordinal(), -article.score, article.id)
