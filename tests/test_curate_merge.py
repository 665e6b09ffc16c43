"""Cross-source merging: syndicated copies and repeats merge, look-alikes stay apart."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

from generator.config import Config
from generator.curate import curate
from generator.curate.merge import Shingler, find_matches
from generator.models import Article, Reporter


def entries(article: Article) -> tuple[str, ...]:
    """Return an article's also_reported_by as its URLs (an entry without one: its outlet)."""
    return tuple(r.url or r.source for r in article.also_reported_by)


def listed(*entries: str) -> tuple[Reporter, ...]:
    """Return also_reported_by entries for URLs or names (as an older content file lists them)."""
    return tuple(Reporter(e.split("/")[2], e) if e.startswith("https://") else Reporter(e) for e in entries)


DAY = dt.date(2025, 12, 18)

FLIGHT_GEORGIA = [
    "Kazakhstan's Ministry of Transport is continuing efforts to expand the geography of flights and "
    "increase the number of international services.",
    "From December 20, the Georgian low-cost carrier will operate a new direct flight between Almaty and "
    "Tbilisi twice a week on Wednesdays and Saturdays, using an Airbus A320 with 180 seats.",
    "The flight time will be about three hours and forty minutes. Tickets are already on sale on the "
    "airline's website, with one-way fares starting at 35,000 tenge including hand luggage.",
    "The ministry expects passenger traffic between the two countries to grow by a quarter next year, "
    "driven by tourism and business travel, and plans talks on a second route from Astana to Batumi.",
]
FLIGHT_UZBEKISTAN = [
    "Kazakhstan's Ministry of Transport is continuing efforts to expand the geography of flights and "
    "increase the number of international services.",
    "A national carrier will launch daily flights from Shymkent to Samarkand from January 15, the first "
    "regular air link between the two cities since the route was suspended in 2019.",
    "Flights will be operated by Embraer 190 aircraft. The schedule was agreed with Uzbek aviation "
    "authorities after consultations in Tashkent last month, and fares will be announced next week.",
    "Officials say the route is aimed mainly at pilgrims and students, as well as traders from southern "
    "regions who currently travel to Samarkand by bus through the Zhibek Zholy checkpoint.",
]


def cand(
    id: str,
    title: str,
    paragraphs: list[str],
    *,
    source: str = "kazinform",
    url: str = "",
    date: dt.date = DAY,
    **kw: object,
) -> Article:
    """Return a candidate article as ingest makes it."""
    return Article(
        id=id,
        title=title,
        date=date,
        theme="",
        body="\n\n".join(paragraphs),
        source=source,
        source_url=url,
        origin=f"{source}.txt:1",
        **kw,  # type: ignore[arg-type]
    )


ORIGINAL = cand(
    "orig",
    "New direct flight launched between Kazakhstan and Georgia",
    FLIGHT_GEORGIA,
    url="https://kazinform.kz/news/flight-georgia",
)


def test_syndicated_copy_with_new_headline_attribution_and_dropped_paragraph_merges(site_config: Config) -> None:
    copy_body = [
        FLIGHT_GEORGIA[0].removesuffix(".") + ", Qazinform News Agency reports.",
        FLIGHT_GEORGIA[1],
        FLIGHT_GEORGIA[2],
        "Source: Qazinform",
    ]
    copy = cand(
        "copy",
        "Almaty–Tbilisi air link opens",
        copy_body,
        source="astana-times",
        url="https://astanatimes.com/2025/12/air-link/",
    )
    result = curate([copy, ORIGINAL], [], site_config)
    assert result.duplicates == 1
    (kept,) = result.new
    assert kept.id == "orig"  # the richest copy: longest body
    assert entries(kept) == ("https://astanatimes.com/2025/12/air-link/",)
    assert kept.theme == "economy"


def test_exact_repeat_with_the_same_url_merges(site_config: Config) -> None:
    repeat = replace(ORIGINAL, source="archive-jsonl", origin="archive.jsonl:7")
    result = curate([ORIGINAL, repeat], [], site_config)
    assert result.duplicates == 1
    (kept,) = result.new
    # Same URL: the other source is recorded by name, never the kept article's own URL.
    assert {kept.source, *entries(kept)} == {"kazinform", "archive-jsonl"}
    assert len(kept.also_reported_by) == 1


def test_lookalike_headlines_with_different_bodies_stay_apart(site_config: Config) -> None:
    other = cand(
        "uzb",
        "New direct flight launched between Kazakhstan and Uzbekistan",
        FLIGHT_UZBEKISTAN,
        url="https://kazinform.kz/news/flight-uzbekistan",
    )
    result = curate([ORIGINAL, other], [], site_config)
    assert result.duplicates == 0
    assert sorted(a.id for a in result.new) == ["orig", "uzb"]
    assert all(entries(a) == () for a in result.new)


def test_copies_outside_the_merge_window_stay_apart(site_config: Config) -> None:
    late = cand("late", "Flight news", FLIGHT_GEORGIA, source="other", date=DAY + dt.timedelta(days=10))
    assert curate([ORIGINAL, late], [], site_config).duplicates == 0
    near = replace(late, date=DAY + dt.timedelta(days=3))
    assert curate([ORIGINAL, near], [], site_config).duplicates == 1


def test_title_only_items_merge_only_on_identical_title_and_date(site_config: Config) -> None:
    a = cand("t1", "Reading Makatayev in the Army: a poetry challenge", [], source="gov")
    b = cand("t2", "READING MAKATAYEV IN THE ARMY – a poetry challenge!", [], source="mod")
    c = cand("t3", "Reading Makatayev in the Navy: a poetry challenge", [], source="mod")
    d = replace(b, id="t4", date=DAY + dt.timedelta(days=1))
    result = curate([a, b, c, d], [], site_config)
    assert result.duplicates == 1
    assert sorted(x.id for x in result.new) == ["t1", "t3", "t4"]
    assert entries(next(x for x in result.new if x.id == "t1")) == ("mod",)


def test_copy_of_an_existing_story_updates_only_also_reported_by(site_config: Config) -> None:
    # A person edited the stored article: title, theme and featured must survive.
    stored = replace(
        ORIGINAL,
        title="Edited by hand",
        theme="society",
        featured=True,
        summary="My summary.",
        also_reported_by=listed("https://example.org/first"),
        src_path="2025/12/18/society/new-direct-flight.md",
        slug="new-direct-flight",
    )
    copy = cand("copy", "Georgia flights", FLIGHT_GEORGIA[:3], source="trend", url="https://trend.az/flight")
    result = curate([copy], [stored], site_config)
    assert result.new == ()
    (updated,) = result.updated
    assert replace(updated, also_reported_by=()) == replace(stored, also_reported_by=())
    assert entries(updated) == ("https://example.org/first", "https://trend.az/flight")
    assert result.duplicates == 1

    # Once recorded, the same copy again changes nothing.
    again = curate([copy], [updated], site_config)
    assert (again.new, again.updated, again.duplicates, again.unchanged) == ((), (), 0, 1)


def test_reingesting_the_same_input_is_idempotent(site_config: Config) -> None:
    copy = cand("copy", "Almaty–Tbilisi air link opens", FLIGHT_GEORGIA[:3], source="trend", url="https://trend.az/x")
    other = cand("uzb", "Uzbekistan flights", FLIGHT_UZBEKISTAN)
    candidates = [ORIGINAL, copy, other]
    first = curate(candidates, [], site_config)
    assert len(first.new) == 2
    stored = [replace(a, src_path=f"{a.date:%Y/%m/%d}/{a.theme}/{a.id}.md") for a in first.new]
    second = curate(candidates, stored, site_config)
    assert second.new == ()
    assert second.updated == ()
    assert second.duplicates == 0
    assert second.unchanged == len(candidates)


def test_result_does_not_depend_on_candidate_order(site_config: Config) -> None:
    copy = cand("copy", "Almaty–Tbilisi air link opens", FLIGHT_GEORGIA[:3], source="trend", url="https://trend.az/x")
    twin = cand("twin", "Air link to Tbilisi", FLIGHT_GEORGIA, source="zakon", url="https://zakon.kz/y")
    other = cand("uzb", "Uzbekistan flights", FLIGHT_UZBEKISTAN)
    title_only = cand("t1", "Poetry challenge launched in the Armed Forces", [])
    candidates = [ORIGINAL, copy, twin, other, title_only, replace(title_only, id="t2", source="mod")]
    expected = curate(candidates, [], site_config)
    # ORIGINAL and twin have equally long bodies: the tie goes to the URL, then the smaller id.
    kept = next(a for a in expected.new if a.also_reported_by and a.id in {"orig", "twin"})
    assert kept.id == "orig"
    assert entries(kept) == ("https://trend.az/x", "https://zakon.kz/y")
    rng = random.Random(4)
    for _ in range(5):
        shuffled = candidates[:]
        rng.shuffle(shuffled)
        assert curate(shuffled, [], site_config) == expected


def test_seed_article_absorbs_a_feed_copy_and_a_jsonl_repeat(shared_dir: Path, site_config: Config) -> None:
    raw = (shared_dir / "fixtures" / "raw" / "000_1a08782589c742eb.txt").read_text(encoding="utf-8").splitlines()
    url = "https://www.gov.kz/memleket/entities/mti/press/news/details/1155035?lang=kk"
    body = raw[9].split("Source :")[0]  # line 10: the body of the Pakistan business forum story
    seed = cand("seed", raw[8][:-11], [body], source="enbekshi", url=url, date=dt.date(2026, 2, 4))
    # The feed republishes the first half under its own headline, with a dateline and credit.
    sentences = body.replace(".", ". ").split(". ")
    feed_body = "ASTANA. KAZINFORM – " + ". ".join(sentences[: len(sentences) // 2]) + ". Kazinform reports."
    feed = cand(
        "feed",
        "Kazakhstan, Pakistan sign 32 deals",
        [feed_body],
        source="inform.kz",
        url="https://www.inform.kz/en/32-deals",
        date=dt.date(2026, 2, 5),
    )
    repeat = replace(
        seed, id="seed", source="archive", origin="archive.jsonl:1", body="Thirty-two commercial documents were signed."
    )
    stored = replace(seed, theme="economy", src_path="2026/02/04/economy/thirty-two.md")
    result = curate([feed, repeat], [stored], site_config)
    # The repeat has the stored id (same URL): it adds only its source's name; the feed copy its URL.
    assert result.new == ()
    assert (result.duplicates, result.unchanged) == (2, 0)
    (updated,) = result.updated
    assert replace(updated, also_reported_by=()) == replace(stored, also_reported_by=())
    assert entries(updated) == ("archive", "https://www.inform.kz/en/32-deals")
    # The same input again changes nothing.
    again = curate([feed, repeat, seed], [updated], site_config)
    assert (again.new, again.updated, again.duplicates, again.unchanged) == ((), (), 0, 3)


# --- no chains, no merging of one source's distinct items -------------------------------------


def _paragraph(n: int) -> str:
    """Return a 20-word paragraph that shares no word run with any other paragraph number (n < 900)."""
    return " ".join(f"p{n + 100}w{k}" for k in range(20)) + "."  # all of one length


def _bulletin(n: int, source: str = "lotto.example", *, extra: str = "") -> Article:
    """Return numbered bulletin n of a template: its own URL, number and title, nearly the same text."""
    body = (
        f"Bulletin No. {n} of the national lottery. The results of draw number {n} held on Thursday have been "
        f"confirmed by the draw committee. The winning numbers are {n % 7} {n % 11} {n % 13} {n % 17} {n % 19}. "
        "Prize winners should contact the lottery office with their ticket and an identity document within "
        "thirty days of the draw. The lottery thanks all participants and reminds them to play responsibly." + extra
    )
    host = source if "." in source else f"{source}.example"
    return cand(
        f"{source}-{n}",
        f"Lottery bulletin No. {n}: results of draw {n}",
        [body],
        source=source,
        url=f"https://{host}/bulletins/{n}",
        date=DAY + dt.timedelta(days=n % 3),
    )


def test_templated_items_of_one_source_all_survive(site_config: Config) -> None:
    bulletins = [_bulletin(n) for n in range(150)]
    result = curate(bulletins, [], site_config)
    assert (len(result.new), result.duplicates) == (150, 0)
    assert all(entries(a) == () for a in result.new)


def test_one_sources_boilerplate_description_never_merges_its_items(site_config: Config) -> None:
    # Feeds often give every item the same description: the URL and the title tell them apart.
    boilerplate = [
        "The ministry published a new notice on its website today; read the full text of the notice on the "
        "official portal of the ministry for the details and the documents attached to it."
    ]
    notices = [
        cand(f"n{n}", f"Notice on tender {n} for school repairs", boilerplate, source="gov", url=f"https://gov.kz/{n}")
        for n in range(40)
    ]
    result = curate(notices, [], site_config)
    assert (len(result.new), result.duplicates) == (40, 0)
    # Nor as a copy of one already in content/ (same source, another URL and title).
    stored = replace(notices[0], theme="society", src_path="2025/12/18/society/n0.md")
    again = curate(notices[1:], [stored], site_config)
    assert (len(again.new), again.updated, again.duplicates) == (39, (), 0)
    # Unless the stored file lists its URL as a copy: that record stands.
    listed_copy = replace(stored, also_reported_by=listed("https://gov.kz/1"))
    on_record = curate(notices[1:2], [listed_copy], site_config)
    assert (on_record.new, on_record.updated, on_record.unchanged) == ((), (), 1)


def test_each_templated_item_absorbs_only_its_own_copy(site_config: Config) -> None:
    # Another source republishes every bulletin (a longer copy, under its own titles and URLs):
    # each merges with its own copy, never with another number's, and none is lost.
    lotto = [_bulletin(n) for n in range(60)]
    archive = [replace(_bulletin(n, "archive", extra=" Archived copy."), title=f"Draw {n} results") for n in range(60)]
    result = curate([*lotto, *archive], [], site_config)
    assert (len(result.new), result.duplicates) == (60, 60)
    for article in result.new:
        number = article.source_url.rsplit("/", 1)[1]
        assert article.source == "archive"  # the richer copy is kept
        assert entries(article) == (f"https://lotto.example/bulletins/{number}",)
    # A shorter copy of one bulletin joins that one, not the first richer look-alike.
    wire = replace(_bulletin(7, "wire"), title="Draw 7 numbers out", body=lotto[7].body.split(" The lottery")[0])
    result = curate([*lotto, wire], [], site_config)
    assert (len(result.new), result.duplicates) == (60, 1)
    (kept,) = (a for a in result.new if a.also_reported_by)
    assert (kept.id, entries(kept)) == ("lotto.example-7", ("https://wire.example/bulletins/7",))
    # The same with the lotto bulletins already in content/: each archive copy joins its own.
    stored = [replace(a, theme="society", src_path=f"2025/12/18/society/{a.id}.md") for a in lotto]
    again = curate(archive, stored, site_config)
    assert (again.new, again.duplicates) == ((), 60)
    for article in again.updated:
        number = article.source_url.rsplit("/", 1)[1]
        assert entries(article) == (f"https://archive.example/bulletins/{number}",)


def test_a_chain_of_lookalikes_never_merges_its_ends(site_config: Config) -> None:
    # A ≈ B (6 of 8 paragraphs shared) and B ≈ C, but A and C share only 4: no A+C merge.
    a = cand("a", "Chain story A", [_paragraph(n) for n in range(8)] + ["Extra."], source="s1", url="https://s1/a")
    b = cand("b", "Chain story B", [_paragraph(n) for n in range(2, 10)], source="s2", url="https://s2/b")
    c = cand("c", "Chain story C", [_paragraph(n) for n in range(4, 12)], source="s3", url="https://s3/c")
    result = curate([c, b, a], [], site_config)
    assert result.duplicates == 1
    by_id = {x.id: x for x in result.new}
    assert sorted(by_id) == ["a", "c"]
    assert entries(by_id["a"]) == ("https://s2/b",)
    assert entries(by_id["c"]) == ()


def test_every_copy_matches_the_article_it_merges_into(site_config: Config) -> None:
    # Forty sources, each sharing most paragraphs with the next: union-find made one story
    # of all forty; now every copy must match its kept article itself.
    chain = [
        cand(
            f"c{n:02d}",
            f"Chain story {n}",
            [_paragraph(k) for k in range(n, n + 8)],
            source=f"s{n}",
            url=f"https://s{n}/x",
        )
        for n in range(40)
    ]
    result = curate(chain, [], site_config)
    prints = [Shingler().fingerprint(c.body) for c in chain]
    matches = find_matches(chain, len(chain), site_config.curation.merge_window_days, prints)
    linked = {(m.left, m.right) for m in matches}
    index = {a.id: i for i, a in enumerate(chain)}
    url_index = {a.source_url: i for i, a in enumerate(chain)}
    assert len(result.new) >= 40 // 3  # a kept article absorbs at most its two neighbours
    for kept in result.new:
        for url in entries(kept):
            pair = sorted((index[kept.id], url_index[url]))
            assert (pair[0], pair[1]) in linked
    rng = random.Random(7)
    for _ in range(3):
        shuffled = chain[:]
        rng.shuffle(shuffled)
        assert curate(shuffled, [], site_config) == result


def test_a_cross_source_syndicated_copy_still_merges_beside_templated_items(site_config: Config) -> None:
    copy = cand("copy", "Georgia flights", FLIGHT_GEORGIA[:3], source="trend", url="https://trend.az/flight")
    result = curate([ORIGINAL, copy, *(_bulletin(n) for n in range(30))], [], site_config)
    assert (len(result.new), result.duplicates) == (31, 1)
    kept = next(a for a in result.new if a.id == "orig")
    assert entries(kept) == ("https://trend.az/flight",)


def test_fingerprints_agree_across_shinglers_and_pickled_curators(site_config: Config) -> None:
    import pickle

    from generator.curate import Curator

    body = " ".join(FLIGHT_GEORGIA)
    first, second = Shingler(), Shingler()
    assert first.fingerprint(body) == second.fingerprint(body) == first.fingerprint(body)
    assert second.fingerprint("Too short to compare.") == frozenset()
    curator = Curator(site_config)
    candidate = Article(date=DAY, theme="", id="a1", slug="a1", title="Flights", body=body, source="gov.kz")
    prepared = curator.prepare(candidate)
    copy = pickle.loads(pickle.dumps(curator))
    assert copy.config == site_config and copy is not curator
    assert copy.prepare(candidate) == prepared
