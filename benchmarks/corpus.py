"""A seeded synthetic news corpus, written as a digest content tree and as a Hugo site.

Usage (library): `articles = make_corpus(n)`, then `write_digest(articles, root)` and
`write_hugo(articles, root)`. Each article has ~730 words of Markdown (paragraphs with links
and bold text, a quote, a list), one of 8 themes, 1-4 of 150 tags (Zipf-like) and a date in
a span of 500 days. The same seed gives the same corpus, byte for byte. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from pathlib import Path

THEMES = ("politics", "economy", "diplomacy", "society", "culture", "security", "technology", "environment")
SOURCES = ("gov.kz", "inform.kz", "astanatimes.com", "kazpravda.kz", "egemen.kz", "kapital.kz", "tengrinews.kz")
NEWEST = dt.date(2026, 2, 4)
DAYS = 500
TAGS = 150
WORDS_PER_ARTICLE = 730
_SYLLABLES = [
    *("ka", "ra", "ta", "na", "ma", "sa", "la", "da", "ba", "ga", "ko", "ro", "to", "no", "mo", "so", "lo", "do"),
    *("bo", "go", "ki", "ri", "ti", "ni", "mi", "si", "li", "di", "bi", "gi", "an", "ar", "at", "al", "en", "er"),
    *("et", "el", "in", "ir", "it", "il", "on", "or", "ot", "ol", "un", "ur", "ut", "ul", "stan", "ment", "tion"),
    *("port", "ver", "gram"),
]


@dataclass(frozen=True)
class Article:
    """One synthetic article: everything both writers need."""

    number: int
    title: str
    slug: str
    date: dt.date
    theme: str
    tags: tuple[str, ...]
    language: str
    source: str
    summary: str
    featured: bool
    body: str  # Markdown


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))))
    ordered = sorted(words)
    rng.shuffle(ordered)  # frequency rank must not follow the alphabet
    return ordered


class _Writer:
    """Draws words Zipf-like from a fixed vocabulary, so the text indexes like real prose."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = _vocabulary(rng, 4000)
        self.cum = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(self.words))))
        self.tags = _vocabulary(random.Random(rng.random()), TAGS)
        self.tag_cum = list(itertools.accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(TAGS)))

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentence(self, n: int) -> str:
        words = self.words_(n)
        roll = self.rng.random()
        if roll < 0.25:
            i = self.rng.randrange(n)
            words[i] = f"[{words[i]}](https://example.org/{words[i]}/{self.rng.randrange(10**6)})"
        elif roll < 0.45:
            i = self.rng.randrange(n)
            words[i] = f"**{words[i]}**"
        return " ".join(words).capitalize() + "."

    def paragraph(self, budget: int) -> tuple[str, int]:
        rng = self.rng
        kind = rng.random()
        if kind < 0.1:  # a quote
            n = rng.randint(15, 30)
            return "> " + self.sentence(n), n
        if kind < 0.2:  # a list
            items = [self.sentence(rng.randint(5, 10)) for _ in range(rng.randint(3, 5))]
            return "\n".join(f"- {item}" for item in items), sum(len(i.split()) for i in items)
        parts, used = [], 0
        while used < min(budget, rng.randint(50, 110)):
            n = rng.randint(8, 24)
            parts.append(self.sentence(n))
            used += n
        return " ".join(parts), used

    def body(self, words: int) -> str:
        paragraphs, used = [], 0
        while used < words:
            text, n = self.paragraph(words - used)
            paragraphs.append(text)
            used += n
        return "\n\n".join(paragraphs)


def make_corpus(n: int, *, seed: int = 1, start: int = 0, newest: dt.date = NEWEST, days: int = DAYS) -> list[Article]:
    """Return n articles numbered from start, dated over `days` days up to `newest`."""
    rng = random.Random(f"{seed}:{start}:{n}:{newest}:{days}")
    writer = _Writer(random.Random(seed))  # the vocabulary and tags depend on the seed only
    writer.rng = rng
    out = []
    for i in range(start, start + n):
        day = newest - dt.timedelta(days=rng.randrange(days))
        title_words = writer.words_(rng.randint(6, 11))
        title = " ".join(title_words).capitalize() + f" {i}"
        tags = tuple(sorted(set(rng.choices(writer.tags, cum_weights=writer.tag_cum, k=rng.randint(1, 4)))))
        body = writer.body(WORDS_PER_ARTICLE)
        out.append(
            Article(
                number=i,
                title=title,
                slug=f"{'-'.join(title_words[:6])}-{i}",
                date=day,
                theme=THEMES[rng.randrange(len(THEMES))],
                tags=tags,
                language="ru" if i % 17 == 0 else "en",
                source=rng.choice(SOURCES),
                summary=" ".join(writer.words_(rng.randint(14, 24))).capitalize() + ".",
                featured=i % 97 == 0,
                body=body,
            )
        )
    return out


def digest_path(article: Article) -> str:
    """Return the article's content file, relative to content/."""
    return f"{article.date:%Y/%m/%d}/{article.theme}/{article.slug}.md"


def write_digest(articles: list[Article], content_dir: Path) -> list[Path]:
    """Write articles as digest content files (the front matter DESIGN.md specifies); return the paths."""
    paths = []
    for a in articles:
        path = content_dir / digest_path(a)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\nid: bench{a.number:07d}\ntitle: {a.title}\ndate: {a.date.isoformat()}\ntheme: {a.theme}\n"
            f"tags: [{', '.join(a.tags)}]\nlanguage: {a.language}\nsource: {a.source}\n"
            f"source_url: https://{a.source}/news/{a.number}\nsummary: {a.summary}\n"
            f"also_reported_by: []\norigin: raw/bench/{a.number}.txt:1\n"
            f"featured: {'true' if a.featured else 'false'}\ndraft: false\n---\n{a.body}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


HUGO_CONFIG = """\
baseURL = "https://example.github.io/digest/"
title = "News Digest"
enableRobotsTXT = true
disableKinds = []
summaryLength = 40

[pagination]
  pagerSize = 20

[taxonomies]
  tag = "tags"
  category = "categories"
  source = "sources"
  language = "langs"
  day = "days"

[outputs]
  home = ["html", "rss"]
  section = ["html", "rss"]
  taxonomy = ["html"]
  term = ["html"]

[related]
  includeNewer = true
  threshold = 20
  toLower = false
  [[related.indices]]
    name = "tags"
    weight = 100
  [[related.indices]]
    name = "categories"
    weight = 50
  [[related.indices]]
    name = "date"
    weight = 10
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="{{ site.Language.Lang }}">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{{ .Permalink }}">
<style>body{font-family:system-ui;max-width:44rem;margin:auto;padding:1rem}nav a{margin-right:.5rem}</style>
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav>{{ range site.Taxonomies.categories.Alphabetical }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a>{{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><a href="{{ "index.xml" | relURL }}">Feed</a></footer>
</body></html>
""",
    "single.html": """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ range .GetTerms "categories" }}· <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
{{ range .GetTerms "sources" }}· <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<p>{{ .Params.summary }}</p>
{{ .Content }}
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">#{{ .LinkTitle }}</a> {{ end }}</p>
<p><a href="{{ .Params.source_url }}">Source</a></p>
</article>
{{ with site.RegularPages.Related . | first 5 }}<h2>Related</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">Older</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">Newer</a>{{ end }}
{{ end }}
""",
    "list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time>{{ .Date.Format "2 January 2006" }}</time> · {{ .Params.source }}</p>
<p>{{ .Summary }}</p></article>
{{ end }}
{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
}


def hugo_path(article: Article) -> str:
    """Return the article's Hugo content file, relative to content/."""
    return f"posts/{article.date:%Y-%m-%d}-{article.slug}.md"


def write_hugo(articles: list[Article], site_dir: Path) -> list[Path]:
    """Write a minimal Hugo site (config, layouts, one post per article); return the post paths."""
    (site_dir / "layouts").mkdir(parents=True, exist_ok=True)
    (site_dir / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (site_dir / "layouts" / name).write_text(text, encoding="utf-8")
    # Home, theme and term listings use list.html; one layout keeps the comparison plain.
    (site_dir / "layouts" / "home.html").write_text(HUGO_LAYOUTS["list.html"], encoding="utf-8")
    (site_dir / "layouts" / "term.html").write_text(HUGO_LAYOUTS["list.html"], encoding="utf-8")
    paths = []
    posts = site_dir / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    for a in articles:
        path = site_dir / "content" / hugo_path(a)
        path.write_text(
            f'---\ntitle: "{a.title}"\ndate: {a.date.isoformat()}\ntags: [{", ".join(a.tags)}]\n'
            f"categories: [{a.theme}]\nsources: [{a.source}]\nlangs: [{a.language}]\n"
            f"days: [{a.date.isoformat()}]\nsummary: {a.summary}\n"
            f"source: {a.source}\nsource_url: https://{a.source}/news/{a.number}\n"
            f"featured: {'true' if a.featured else 'false'}\n---\n{a.body}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths
