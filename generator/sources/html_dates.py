"""Find the candidate publication dates of a single-article HTML page and choose one.

Input: the page text, its tree (scripts removed), its `PageMeta` and title element. Output:
`DateCandidate`s (metadata, the URL, <time> elements, the byline near the title, htmldate's
full search) and the one chosen by a weighted vote. htmldate lives here only. No I/O.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit

import htmldate

from generator.sources.dates import FUTURE_DAYS, MIN_YEAR, find_dates, plausible_date
from generator.sources.html_page import SHORT_TEXT, DateCandidate, Document, Element, PageMeta, element_text
from generator.sources.html_tree import ancestors, attr, has_own_text, iter_tags
from generator.sources.values import parse_timestamp

logger = logging.getLogger(__name__)

#: How much one candidate of each source counts in the vote. The publisher's metadata and the
#: date shown with the article (a <time>, the byline next to the title) count the same;
#: htmldate's guess is a supporting vote. (A modification date and a date in the URL are not
#: voted on: see `choose_date`.)
SOURCE_WEIGHT = {
    "meta": 3.0,
    "json_ld": 3.0,
    "microdata": 3.0,
    "time_element": 3.0,
    "visible": 3.0,
    "url": 3.0,
    "htmldate": 2.0,
    "meta_modified": 0.5,
    "json_ld_modified": 0.5,
}
#: Which candidate names a chosen date: the publisher's own statement (with its time) first.
DATE_PRIORITY = tuple(SOURCE_WEIGHT)
_METADATA = ("meta", "json_ld", "microdata")
_SHOWN = ("time_element", "visible")
_FAMILY = {
    **dict.fromkeys(_METADATA, "metadata"),
    **dict.fromkeys(_SHOWN, "shown"),
    "meta_modified": "modified",
    "json_ld_modified": "modified",
}

_VISIBLE_WINDOW = 8  # text elements after the title searched for a byline
_BEFORE_WINDOW = 4  # and before it (a dateline above the headline)
_BYLINE_TEXT = 2 * SHORT_TEXT  # "By A. Author, Senior Correspondent | 4 February 2026, 10:32"
# Blocks that hold other stories' dates (related lists, sidebars, comments, pagination). Unlike
# body extraction, share bars and tag rows count as the article's: bylines often sit in them.
_FOREIGN_TAGS = {"aside", "nav", "footer"}
_FOREIGN_NAME = re.compile(
    r"(?:^|[-_])(?:related|sidebar|side|widget|widgets|popular|most-read|mostread|trending|teaser|teasers|"
    r"recommended|recommendations|more|comments?|pagination|pager|prev|previous|next|ticker|footer|nav|"
    r"menu|latest|archive|breaking|slider|carousel|outbrain|taboola)(?:$|[-_])"
)
_DATE_NAME = re.compile(r"date|time|byline|dateline|meta|publish|posted|datum|fecha|data|article-info|info", re.I)
_CAPTION_NAME = re.compile(r"caption|credit|photo|image|gallery|figure", re.I)
_MODIFIED_NAME = re.compile(r"modif|updated|update|dt-updated", re.I)
# "Updated 5 March" in a byline is the page's latest change, not its publication.
_UPDATED_LABEL = re.compile(
    r"(?:updated?|modified|last edited|aktualisiert|geändert|mis à jour|actualizado|actualizada|aggiornato|"
    r"atualizado|bijgewerkt|обновлено|изменено|жаңартылды|更新|수정)\W{0,3}(?:on|am|le|el|il|em|op)?\W{0,3}$",
    re.IGNORECASE,
)
# /2019/01/23/, /2019-01-23-, /20190123/ in a URL path (htmldate's rule, day required).
_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})([/_-]?)(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)",
)


def find_date_candidates(text: str, doc: Document, meta: PageMeta, title_el: Element | None) -> list[DateCandidate]:
    """Return every date the page gives for its article, from each place it can say so."""
    candidates = list(meta.dates)
    anchor = title_el if title_el is not None else _title_heading(doc, meta)
    found = [_url_date(meta.canonical), *_time_element_dates(doc, anchor), _visible_date(doc, anchor)]
    candidates.extend(c for c in found if c is not None)
    stated = {
        c.date for c in _reconcile(candidates) if c.source in (*_METADATA, *_SHOWN, "url") and plausible_date(c.date)
    }
    if len(stated) != 1:
        # htmldate's full search (slow on some pages) is asked only when the page states no
        # date of its own, or several.
        second = _htmldate_date(text, meta.canonical)
        if second is not None:
            candidates.append(second)
    return candidates


def _title_heading(doc: Document, meta: PageMeta) -> Element | None:
    """Return the heading that repeats the page's title when it has no usable h1 (an h2 title)."""
    titles = [t.casefold() for t in (meta.title, meta.head_title) if t]
    if not titles:
        return None
    for heading in iter_tags(doc, "h1", "h2", "h3"):
        text = element_text(heading).casefold()
        if text and len(text) >= 10 and any(text in t or t in text for t in titles) and not is_foreign(heading):
            return heading
    return None


def is_foreign(el: Element) -> bool:
    """Return True when an element sits in a block about other content (related, sidebar, comments)."""
    for node in (el, *ancestors(el)):
        if node.name in _FOREIGN_TAGS:
            return True
        names = [*attr(node, "class").lower().split(), attr(node, "id").lower()]
        if any(_FOREIGN_NAME.search(n) for n in names if n):
            return True
    return False


def _url_date(url: str | None) -> DateCandidate | None:
    """Return the day-exact date in the canonical URL's path, if any."""
    if not url:
        return None
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        date = dt.date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return None
    return DateCandidate(date, None, "url")


def _article_scope(doc: Document, anchor: Element | None) -> Element:
    """Return the article or main element holding the title, else the whole page."""
    if anchor is not None:
        for anc in ancestors(anchor):
            if anc.name in ("article", "main"):
                return anc
    return doc


def _time_element_dates(doc: Document, anchor: Element | None) -> list[DateCandidate]:
    """Return the first datePublished microdata date and the first <time> date of the article."""
    out: list[DateCandidate] = []
    kinds: set[str] = set()
    for el in iter_tags(_article_scope(doc, anchor)):
        prop = attr(el, "itemprop").lower()
        if el.name != "time" and prop not in ("datepublished", "datecreated"):
            continue
        # <meta itemprop> was read with the page's metadata; later <time>s date comments or updates.
        marker = " ".join((prop, attr(el, "class")))
        if el.name == "meta" or is_foreign(el) or _MODIFIED_NAME.search(marker):
            continue
        kind = "microdata" if prop in ("datepublished", "datecreated") else "time_element"
        if kind in kinds:
            continue
        candidate = _time_value(el, kind)
        if candidate is not None:
            kinds.add(kind)
            out.append(candidate)
    return out


def _time_value(el: Element, source: str) -> DateCandidate | None:
    """Return an element's date: the one it shows when that differs from its machine-readable one."""
    stamp = attr(el, "datetime") or attr(el, "content")
    date, published = parse_timestamp(stamp) if stamp.strip() else (None, None)
    shown = element_text(el)
    # "Publié le 29 juin 2019" over datetime="2019-07-03...": the reader's date, and the one a
    # CMS does not overwrite on re-import.
    seen = next((m for m in find_dates(shown[:_BYLINE_TEXT]) if m.has_year and plausible_date(m.date)), None)
    if seen and (date is None or abs((seen.date - date).days) > 1):
        return DateCandidate(seen.date, None, source)
    if date and plausible_date(date):
        return DateCandidate(date, published, source)
    return None


def _visible_date(doc: Document, anchor: Element | None) -> DateCandidate | None:
    """Return the date of the byline or dateline next to the title, else of a date-named element."""
    # Elements that open with text of their own, in page order: the lines a reader sees.
    leaves = [el for el in iter_tags(doc) if el is anchor or has_own_text(el)]
    at = next((i for i, el in enumerate(leaves) if el is anchor), None) if anchor is not None else None
    near: list[Element] = []
    if at is not None:
        after = leaves[at + 1 : at + 1 + _VISIBLE_WINDOW]
        near = after + list(reversed(leaves[max(0, at - _BEFORE_WINDOW) : at]))
        # A byline is marked as one more often than it is the very next line (a photo caption is).
        near.sort(key=lambda el: not _is_date_named(el))
    # Then short elements of the article whose class or id names a date or byline.
    scope = _article_scope(doc, anchor)
    named = [el for el in iter_tags(scope) if has_own_text(el) and _is_date_named(el)]
    for el in near + named[:20]:
        found = _byline_date(el) if not _in_site_header(el, anchor) else None
        if found is not None:
            return found
    return None


def _in_site_header(el: Element, anchor: Element | None) -> bool:
    """Return True inside a page header that does not hold the title (its date is today's, not the article's)."""
    for node in (el, *ancestors(el)):
        if node.name == "header" or attr(node, "role").lower() == "banner":
            return anchor is None or not any(a is node for a in ancestors(anchor))
    return False


def _is_date_named(el: Element) -> bool:
    return bool(_DATE_NAME.search(" ".join((attr(el, "class"), attr(el, "id"), attr(el, "itemprop")))))


def _byline_date(el: Element) -> DateCandidate | None:
    """Return the publication date written in a short element, skipping one labelled as an update."""
    text = element_text(el)
    if len(text) > _BYLINE_TEXT or is_foreign(el) or _in_caption(el):
        return None
    for match in find_dates(text):
        if not match.has_year or not plausible_date(match.date) or _UPDATED_LABEL.search(text[: match.start]):
            continue
        published = None
        if match.time is not None:
            published = dt.datetime.combine(match.date, match.time)  # naive: the page's local time
        return DateCandidate(match.date, published if published and published.tzinfo else None, "visible")
    return None


def _in_caption(el: Element) -> bool:
    """Return True inside a figure or photo caption, whose dates are the picture's."""
    for node in (el, *ancestors(el)):
        if node.name in ("figure", "figcaption") or _CAPTION_NAME.search(attr(node, "class")):
            return True
    return False


def _htmldate_date(text: str, url: str | None) -> DateCandidate | None:
    """Return htmldate's full-search guess at the original publication date."""
    today = dt.date.today()
    latest = dt.date.fromordinal(today.toordinal() + FUTURE_DAYS)
    try:
        found = htmldate.find_date(
            text,
            extensive_search=True,
            original_date=True,
            url=url,
            outputformat="%Y-%m-%d",
            min_date=dt.datetime(MIN_YEAR, 1, 1),
            max_date=dt.datetime(latest.year, latest.month, latest.day),
        )
    except Exception as exc:  # a third-party failure costs one vote, not the page
        logger.debug("htmldate failed (%s: %s)", type(exc).__name__, exc)
        return None
    date, _ = parse_timestamp(found or "")
    return DateCandidate(date, None, "htmldate") if date else None


def _reconcile(candidates: list[DateCandidate]) -> list[DateCandidate]:
    """Return candidates with one-day disagreements settled the way publishers' clocks cause them."""
    metadata = {c.date for c in candidates if c.source in _METADATA}
    candidates = [_unswapped(c, metadata) if c.source in _SHOWN else c for c in candidates]
    shown = {c.date for c in candidates if c.source in _SHOWN}
    stated = {c.date for c in candidates if c.source in _SHOWN + _METADATA}
    return [_settled(c, shown, stated) for c in candidates]


def _settled(candidate: DateCandidate, shown: set[dt.date], stated: set[dt.date]) -> DateCandidate:
    """Return a candidate moved onto the shown or stated date its clock put it a day off."""
    offset = candidate.published.utcoffset() if candidate.published else None
    if offset is not None and not offset and candidate.date not in shown:
        # A UTC timestamp's calendar date can be the day before or after the local one printed.
        return _moved(candidate, shown)
    if candidate.source == "url" and candidate.date not in stated:
        # A URL's date is minted with the draft, often the evening before, in the server's zone.
        return _moved(candidate, stated)
    return candidate


def _moved(candidate: DateCandidate, dates: set[dt.date]) -> DateCandidate:
    """Return a candidate on the one date of `dates` a day from its own; unchanged if none or several."""
    near = [d for d in dates if abs((d - candidate.date).days) == 1]
    if len(near) != 1:
        return candidate
    return DateCandidate(near[0], candidate.published, candidate.source, candidate.weight)


def _unswapped(candidate: DateCandidate, metadata: set[dt.date]) -> DateCandidate:
    """Return a shown date read day-first as the metadata's date when it is month-first ("06/01/2020")."""
    date = candidate.date
    if date.day <= 12 and date.day != date.month and date not in metadata:
        swapped = dt.date(date.year, date.day, date.month)
        if swapped in metadata:
            return DateCandidate(swapped, candidate.published, candidate.source, candidate.weight)
    return candidate


def choose_date(candidates: list[DateCandidate]) -> DateCandidate | None:
    """Return the chosen publication date: the URL's, else the one with the most weighted votes."""
    # A placeholder ("0001-01-01") or a far-future date is no publication date: it gets no vote.
    ranked = _reconcile([c for c in candidates if plausible_date(c.date)])
    # A modification date says when the page last changed, nothing about when it was first
    # published: it decides only when it is all there is.
    ranked = [c for c in ranked if _FAMILY.get(c.source) != "modified"] or ranked
    if not ranked:
        return None
    url = next((c for c in ranked if c.source == "url"), None)
    if url is not None:
        # A date in the article's URL is fixed at first publication; metadata and bylines are
        # rewritten when an article is updated or re-imported (htmldate trusts it first too).
        return _representative(ranked, url.date)
    votes = _votes(ranked)
    shown = {c.date for c in ranked if c.source in _SHOWN}
    # On a tie the date printed with the article wins: it is what its readers see.
    date = max(votes, key=lambda d: (votes[d], d in shown, -min(_priority(c.source) for c in ranked if c.date == d)))
    return _representative(ranked, date)


def _votes(ranked: list[DateCandidate]) -> dict[dt.date, float]:
    """Return each date's weighted votes, one per family of sources."""
    # Sources of one family repeat one CMS field (meta and JSON-LD; a byline and its <time>):
    # a family votes once per date, with its strongest member.
    best: dict[tuple[dt.date, str], float] = {}
    echoed = {c.date for c in ranked if c.source in _METADATA}
    for c in ranked:
        if c.source == "htmldate" and c.date in echoed:
            continue  # htmldate reads the same metadata first: agreeing with it is no second opinion
        key = (c.date, _FAMILY.get(c.source, c.source))
        best[key] = max(best.get(key, 0.0), _weight(c))
    votes: dict[dt.date, float] = {}
    for (date, _), weight in best.items():
        votes[date] = votes.get(date, 0.0) + weight
    return votes


def _representative(candidates: list[DateCandidate], date: dt.date) -> DateCandidate:
    """Return the candidate that best describes a chosen date: the most trusted, with its time when known."""
    same = [c for c in candidates if c.date == date]
    return min(same, key=lambda c: (_priority(c.source), c.published is None))


def _weight(candidate: DateCandidate) -> float:
    return candidate.weight or SOURCE_WEIGHT.get(candidate.source, 1.0)


def _priority(source: str) -> int:
    return DATE_PRIORITY.index(source) if source in DATE_PRIORITY else len(DATE_PRIORITY)


def describe(candidates: list[DateCandidate]) -> str:
    """Return a one-line summary of date candidates for the debug log."""
    return "; ".join(f"{c.source}={c.date.isoformat()}" + (f"x{c.weight:g}" if c.weight else "") for c in candidates)
