"""Infer a page dump's layout: which lines are headlines, headings and dates of what.

Input: the classified lines of one page (`text_lines.classify_lines`). Output: the content
lines in order and a `Layout` naming the headline lines (with their dates), the section
headings and the page's fallback date. Pure, no I/O; decisions use shape and neighbours only.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.sources.dates import DateMatch
from generator.sources.text_lines import BLANK, BOILER, DATE, MORE, RELATED, SOURCE, TEXT, Line

logger = logging.getLogger(__name__)

_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”»’)\]]*$")
_ENDS_PERIOD = re.compile(r"[.…][\"'”»’)\]]*$")
_ENDS_CLAUSE = re.compile(r"[.,;:][\"'”»’)\]]*$")
_FIRST_LETTER = re.compile(r"[^\W\d_]")
_LIST_ITEM = re.compile(r"^(?:[-–—•*·▪►]\s|\d{1,2}[.)]\s)")
# Longest line that can still be a headline without a date on it.
_TITLE_MAX = 220


@dataclass(frozen=True)
class Anchor:
    """A headline line: where an article starts, with its date when the layout gives one."""

    date: DateMatch | None
    source: str  # how the date was found: inline_title_suffix, date_line_before_title, ...


@dataclass
class Layout:
    """What the structure analysis decided about one page (indexes into the content lines)."""

    anchors: dict[int, Anchor] = field(default_factory=dict)
    headings: set[int] = field(default_factory=set)
    skipped: set[int] = field(default_factory=set)
    trailing_dates: dict[int, DateMatch] = field(default_factory=dict)
    page_date: DateMatch | None = None
    mode: str = "undated"

    def describe(self) -> str:
        """Return a one-line summary for debug logs."""
        return f"mode={self.mode} anchors={len(self.anchors)} headings={len(self.headings)}"


def body_like(line: Line) -> bool:
    """Return True when a line reads as running text rather than a headline."""
    if line.kind != TEXT or line.title_date is not None:
        return False
    n = len(line.text)
    if n > _TITLE_MAX:
        return True
    words = line.words
    if n >= 140 and words >= 18:
        return True
    # Headlines end with "?" or "!" often enough; with a full stop, almost never.
    return _ENDS_PERIOD.search(line.text) is not None and words >= 6


def sentence_like(line: Line) -> bool:
    """Return True for running text, however short: a body line or a closed sentence."""
    return body_like(line) or (
        line.kind == TEXT and line.title_date is None and line.words >= 3 and line.text.endswith(".")
    )


def title_like(line: Line) -> bool:
    """Return True when a line could be a headline: short text that is not a sentence."""
    return line.kind == TEXT and not sentence_like(line) and _FIRST_LETTER.search(line.text) is not None


def heading_like(line: Line) -> bool:
    """Return True for a section heading shape: one to four words, no closing punctuation."""
    return (
        title_like(line)
        and line.title_date is None
        and line.words <= 4
        and len(line.text) <= 40
        and not _ENDS_CLAUSE.search(line.text)
        and not line.text.endswith(("!", "?"))
    )


def _headline_shape(line: Line) -> bool:
    """Return True when an undated line looks like a headline (not a caption or sub-clause)."""
    if not title_like(line) or line.words < 2 or line.text.endswith((".", ":", ";", ",")):
        return False
    if _LIST_ITEM.match(line.text):
        return False  # "- first point", "2) second point": a list inside a story
    first = _FIRST_LETTER.search(line.text)
    return first is not None and not first.group().islower()


_EXTRA_DIGITS = re.compile(r"\d")


def _strip_dates(line: Line) -> str:
    """Return a date line's text without its dates."""
    text = line.text
    for match in reversed(line.dates):
        text = text[: match.start] + text[match.end :]
    return text


def _title_case(line: Line) -> bool:
    """Return True when most longer words of a line start with a capital letter."""
    words = [w for w in line.text.split() if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _pick(line: Line) -> DateMatch | None:
    """Return the date a date line stands for: the one with a time of day, else the first.

    None for a date line whose year is unknown ("4 февраля" on a page without any year).
    """
    for match in line.dates:
        if match.time is not None:
            return match
    return line.dates[0] if line.dates else None


def _content(lines: list[Line]) -> tuple[list[Line], set[int]]:
    """Return the content lines (boilerplate and "Read also:" lists dropped) and block ends.

    A block end is the index of the last content line above a "More" link: teaser
    listings close every story with one.
    """
    kept = [ln for ln in lines if ln.kind not in (BLANK, BOILER)]
    seq: list[Line] = []
    block_ends: set[int] = set()
    skipping = False
    for i, line in enumerate(kept):
        if line.kind == MORE:
            if seq:
                block_ends.add(len(seq) - 1)
            continue
        if line.kind == RELATED:
            skipping = True
            continue
        if skipping:
            nxt = kept[i + 1] if i + 1 < len(kept) else None
            # The list of other pages ends where running text (or a dated headline) resumes.
            if body_like(line) or line.title_date is not None or (nxt is not None and body_like(nxt)):
                skipping = False
            else:
                continue
        seq.append(line)
    return seq, block_ends


def _as_text(line: Line) -> Line:
    """Return a line as plain text, forgetting a date found on it."""
    if line.title_date is None:
        return line
    return Line(line.number, line.text, line.kind, line.dates, line.source_url)


def _placeholders_as_dates(seq: list[Line]) -> list[Line]:
    """Return seq with `- DATE` slots read as date lines unless headlines carry dates here."""
    dated = sum(1 for ln in seq if ln.title_date is not None and ln.title_text)
    if dated:
        return seq
    out = []
    for ln in seq:
        if ln.title_date is not None and not ln.title_text:
            ln = Line(ln.number, ln.text, DATE, dates=(ln.title_date,), source_url=ln.source_url)
        out.append(ln)
    return out


def _undated_title(line: Line | None) -> bool:
    """Return True for a headline-shaped line without a date of its own."""
    return line is not None and title_like(line) and line.title_date is None


def _date_votes(seq: list[Line]) -> tuple[list[int], list[int]]:
    """Return the date lines read as "after a headline" and those read as "between stories"."""
    after_title, between = [], []
    for k, line in enumerate(seq):
        if line.kind != DATE:
            continue
        prev = seq[k - 1] if k > 0 else None
        nxt = seq[k + 1] if k + 1 < len(seq) else None
        prev_title = _undated_title(prev)
        nxt_title = _undated_title(nxt)
        # "Headline / DATE / text" votes for dates under headlines; "text / DATE / Headline"
        # for dates between stories (which side they belong to is decided later).
        if prev_title and (nxt is None or sentence_like(nxt) or nxt.kind == SOURCE):
            after_title.append(k)
        elif not prev_title and nxt_title:
            between.append(k)
    return after_title, between


def _first_index(seq: list[Line], pred: Callable[[Line], bool]) -> int:
    """Return the index of the first line for which pred holds, or len(seq)."""
    for k, line in enumerate(seq):
        if pred(line):
            return k
    return len(seq)


def _title_below(seq: list[Line], k: int) -> int:
    """Return the headline under date line k: past headings ("DATE / Politics / Headline")."""
    j = k + 1
    while j + 1 < len(seq) and heading_like(seq[j]) and title_like(seq[j + 1]) and seq[j + 1].title_date is None:
        j += 1
    return j


def _header_index(seq: list[Line]) -> int | None:
    """Return the index of a page header date line: a date line above all running text."""
    first_body = _first_index(seq, body_like)
    for k in range(first_body):
        if seq[k].kind == DATE:
            return k
        if seq[k].title_date is not None:
            return None
    return None


def _anchor_more_blocks(seq: list[Line], block_ends: set[int], layout: Layout) -> None:
    """Give each "More"-closed block without a headline one: the line above its first sentence."""
    start = 0
    for end in sorted(block_ends):
        block = range(start, end + 1)
        start = end + 1
        if any(i in layout.anchors for i in block) or len(block) < 2:
            continue
        first_sentence = next((i for i in block if sentence_like(seq[i])), None)
        shaped = [i for i in block if _headline_shape(seq[i]) and (first_sentence is None or i < first_sentence)]
        if not shaped:
            continue
        # Above a sentence, the headline is the line right before it (earlier ones are
        # headings); with no sentence (short teasers), it is the line above the teaser.
        if first_sentence is not None or len(shaped) == 1:
            layout.anchors[shaped[-1]] = Anchor(None, "")
        else:
            layout.anchors[shaped[-2]] = Anchor(None, "")


def _mark_headings(seq: list[Line], layout: Layout) -> None:
    """Mark runs of heading-shaped lines that stand right above a headline as headings."""
    k = 0
    n = len(seq)
    while k < n:
        if k in layout.anchors or not heading_like(seq[k]):
            k += 1
            continue
        j = k
        while j < n and j not in layout.anchors and heading_like(seq[j]):
            j += 1
        end = j
        while end < n and seq[end].kind == DATE and end in layout.skipped:
            end += 1  # "News / 04.02.2026 / Headline": the heading sits above the story's date
        if end < n and end in layout.anchors:
            layout.headings.update(range(k, j))
        elif j == n and j - k >= 2:
            layout.skipped.update(range(k, j))  # a menu below the last story: page footer
        k = j + 1


def _date_by_date_lines(seq: list[Line], layout: Layout, header: int | None) -> None:
    """Date the headlines by the page's date lines, once their direction is decided."""
    date_lines = [k for k, ln in enumerate(seq) if ln.kind == DATE]
    after_title, between = _date_votes(seq)
    if len(after_title) > len(between):
        _date_titles_above(seq, layout, date_lines)
    elif not between or len(date_lines) < 2:
        return  # too few date lines between stories to tell what they belong to
    elif _dates_close_articles(seq, date_lines):
        _date_articles_above(seq, layout, date_lines)
    else:
        _date_titles_below(seq, layout, date_lines, header)


def _date_titles_above(seq: list[Line], layout: Layout, date_lines: list[int]) -> None:
    """Anchor the headline right above each date line, dated by it ("Headline / DATE / text")."""
    layout.mode = "date_after_title"
    for k in date_lines:
        if k > 0 and title_like(seq[k - 1]) and (k - 1) not in layout.anchors:
            layout.anchors[k - 1] = Anchor(_pick(seq[k]), "date_line_after_title")
            layout.skipped.add(k)


def _dates_close_articles(seq: list[Line], date_lines: list[int]) -> bool:
    """Return True when the date lines between stories close the story above them."""
    # A date line above all text, or a last story with no date line below it, says
    # "before"; a page that ends on a date line or opens with a story says "after".
    first_body = _first_index(seq, body_like)
    last_body = max((k for k, ln in enumerate(seq) if body_like(ln)), default=-1)
    before = int(date_lines[0] < first_body) + int(date_lines[-1] < last_body)
    after = int(date_lines[-1] > last_body) + int(date_lines[0] > first_body)
    return before < after


def _date_articles_above(seq: list[Line], layout: Layout, date_lines: list[int]) -> None:
    """Keep each date line's date for the story above it ("text / DATE / Headline")."""
    layout.mode = "date_after_article"
    for k in date_lines:
        picked = _pick(seq[k])
        if picked is not None:
            layout.trailing_dates[k] = picked


def _date_titles_below(seq: list[Line], layout: Layout, date_lines: list[int], header: int | None) -> None:
    """Anchor the headline under each date line, dated by it ("DATE / Headline / text")."""
    layout.mode = "date_before_title"
    for k in date_lines:
        if k + 1 >= len(seq) or not title_like(seq[k + 1]) or (k + 1) in layout.anchors:
            continue
        source = "page_header_timestamp" if k == header and _is_chrome(seq[k]) else "date_line_before_title"
        layout.anchors[_title_below(seq, k)] = Anchor(_pick(seq[k]), source)
        layout.skipped.add(k)


def _is_chrome(header: Line) -> bool:
    """Return True for a page header date line that packs more than one date or a counter."""
    # Such a header is page chrome whose timestamp belongs to the lead story; a plain date
    # line is the story's own.
    return len(header.dates) > 1 or _EXTRA_DIGITS.search(_strip_dates(header)) is not None


def _anchor_blank_blocks(seq: list[Line], gaps: set[int], layout: Layout) -> None:
    """Anchor the first line of each blank-separated block ("headline / teaser / blank")."""
    starts = [0, *sorted(g for g in gaps if 0 < g < len(seq)), len(seq)]
    blocks = [range(a, b) for a, b in itertools.pairwise(starts) if b - a >= 2]
    heads = [b.start for b in blocks if all(seq[i].kind == TEXT for i in b) and _headline_shape(seq[b.start])]
    # Only a page made of such blocks is a listing; one odd block is a story's paragraph.
    if len(heads) >= 2 and 2 * len(heads) >= len(blocks):
        for k in heads:
            layout.anchors[k] = Anchor(None, "")


def _anchor_undated(seq: list[Line], layout: Layout, block_ends: set[int], gaps: set[int]) -> None:
    """Find the headlines of a page whose layout dates none: short lines opening a text run."""
    # In order, and with the anchors found so far: a sub-heading is told from a listing's
    # next headline by comparing it with the page's first headline.
    for k in range(len(seq) - 1):
        if k not in layout.anchors and _headline_shape(seq[k]) and _opens_story(seq, k, layout, block_ends):
            layout.anchors[k] = Anchor(None, "")
    _anchor_more_blocks(seq, block_ends, layout)
    if not layout.anchors:
        _anchor_blank_blocks(seq, gaps, layout)


def _opens_story(seq: list[Line], k: int, layout: Layout, block_ends: set[int]) -> bool:
    """Return True when headline-shaped line k (not the last) heads the text below it."""
    line, nxt = seq[k], seq[k + 1]
    after_break = k > 0 and (seq[k - 1].kind == DATE or (k - 1) in block_ends)
    if after_break and nxt.kind == TEXT and not _headline_shape(nxt):
        return True  # a story after a closing date line or "More"
    if layout.anchors and heading_like(line) and not after_break:
        # A few words between paragraphs: a sub-heading of the story, unless it is set in
        # Title Case like the page's first headline (a listing's next story).
        first = seq[min(layout.anchors)]
        if not (_title_case(line) and _title_case(first)):
            return False
    return _opens_text(line, nxt)


def _opens_text(line: Line, nxt: Line) -> bool:
    """Return True when the line below a headline-shaped one is text that it heads."""
    # A sentence longer than the line above it, however short, is text rather than a headline.
    return body_like(nxt) or (
        nxt.kind == TEXT and bool(_ENDS_SENTENCE.search(nxt.text)) and len(nxt.text) > len(line.text)
    )


def _anchor_dated_titles(seq: list[Line], layout: Layout) -> None:
    """Anchor the headlines that carry their own date (seq may lose a false one in place)."""
    dated = [k for k, ln in enumerate(seq) if ln.kind == TEXT and ln.title_date is not None]
    if len(dated) == 1 and dated[0] > 0 and body_like(_as_text(seq[dated[0] - 1])):
        # One sentence that happens to end on a date, inside running text, is not a headline.
        seq[dated[0]] = _as_text(seq[dated[0]])
        return
    for k in dated:
        match = seq[k].title_date
        if match is not None:
            where = "inline_title_suffix" if match.start > 0 else "inline_title_prefix"
            layout.anchors[k] = Anchor(match, where)


def _date_page(seq: list[Line], layout: Layout, header: int | None) -> None:
    """Take the page's fallback date from its header date line, if it has one."""
    if header is None:
        return
    if header not in layout.skipped | set(layout.trailing_dates):
        layout.page_date = _pick(seq[header])
        layout.skipped.add(header)
    else:
        # The header's first date is the page's (crawl) date; its timestamp dated the lead story.
        layout.page_date = seq[header].dates[0] if seq[header].dates else None


def _blank_gaps(lines: list[Line], seq: list[Line]) -> set[int]:
    """Return the indexes of the content lines that follow one or more blank lines."""
    blanks = {ln.number for ln in lines if ln.kind == BLANK}
    return {k for k in range(1, len(seq)) if any(n in blanks for n in range(seq[k - 1].number + 1, seq[k].number))}


def find_layout(lines: list[Line]) -> tuple[list[Line], Layout]:
    """Return the content lines of a page and the layout that explains them."""
    content, block_ends = _content(lines)
    seq = _placeholders_as_dates(content)
    layout = Layout()
    # Headlines carrying their own date are the surest anchors; date lines come next.
    _anchor_dated_titles(seq, layout)
    header = _header_index(seq)
    _date_by_date_lines(seq, layout, header)
    _date_page(seq, layout, header)
    # Sub-headings inside a dated story are body text: only a page that dates no headline
    # is split at undated headline-shaped lines.
    if not any(a.date is not None for a in layout.anchors.values()):
        _anchor_undated(seq, layout, block_ends, _blank_gaps(lines, seq))
    _mark_headings(seq, layout)
    return seq, layout
