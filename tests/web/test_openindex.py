"""The in-memory openings index against the definitions, written out plainly over stored rows.

A random database (closed postings, missing tags and dates, shared deadlines and posting times)
and random queries: the index's totals, page order and disjunctive facet counts must equal a
direct reading of every posting. The full-text lookup is the database's own in both.
"""

import random
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

import web.openindex
from store.clock import utcnow
from store.db import session_scope
from store.models import Organisation, Posting, Source
from web.filters import DEADLINE_WINDOWS, POSTED_WINDOWS, OpeningsQuery
from web.openindex import OpenIndexCache, build_index
from web.queries import all_matching, find_openings
from web.search import parse_search, search_ids

KINDS = ["job", "fellowship", "internship", None]
TRACKS = ["technical", "governance", None]
STYLES = ["empirical", "theoretical", None]
LEVELS = ["lead", "contributor", None]
AREAS = ["evals", "interpretability", "governance", "theory"]
PLACES = ["London, UK", "Remote", "Berkeley, CA, USA", "Toronto, Canada"]
WORDS = ["evaluation", "oversight", "robustness", "policy", "kernels", "fellowship"]
ORGS = [("Larch Labs", "frontier-lab"), ("Quill Trust", "nonprofit"), ("Fen College", None)]
SINGLE = {
    "kind": "kind",
    "track": "track",
    "style": "style",
    "level": "level",
    "org": "organisation_name",
    "remote": "remote",
    "visa": "visa_sponsorship",
}


def _seed(engine: Engine, rng: random.Random, n: int) -> datetime:
    now = utcnow()
    with session_scope(engine) as session:
        _board(session)
        orgs = [Organisation(name=name, org_type=kind) for name, kind in ORGS]
        session.add_all(orgs)
        session.flush()
        for i in range(n):
            org = rng.choice([*orgs, None])
            session.add(
                Posting(
                    source_id="board",
                    external_id=str(i),
                    title=f"Role {i} {rng.choice(WORDS)}",
                    organisation_id=org.id if org else None,
                    organisation_name=org.name if org else "",
                    locations=rng.sample(PLACES, rng.randint(0, 2)),
                    remote=rng.choice(["remote", "hybrid", "onsite", "unknown"]),
                    visa_sponsorship=rng.choice(["yes", "no", "unknown"]),
                    # Few distinct times and deadlines, so ties must be broken the same way.
                    posted_at=rng.choice([None, now - timedelta(days=rng.choice([0, 3, 20, 60]))]),
                    deadline=rng.choice(
                        [None, now.date() + timedelta(days=rng.choice([0, 5, 40]))]
                    ),
                    description_text=" ".join(rng.sample(WORDS, 3)),
                    closed_at=now if rng.random() < 0.15 else None,
                    kind=rng.choice(KINDS),
                    track=rng.choice(TRACKS),
                    style=rng.choice(STYLES),
                    level=rng.choice(LEVELS),
                    areas=rng.sample(AREAS, rng.randint(0, 2)),
                )
            )
    return now


def _board(session: Session) -> None:
    session.add(Source(id="board", platform="greenhouse", endpoint="board", config={}))
    session.flush()  # before postings that refer to it


def _add_posting(engine: Engine, external_id: str, title: str) -> None:
    with session_scope(engine) as session:
        session.add(Posting(source_id="board", external_id=external_id, title=title))


def _query(rng: random.Random) -> OpeningsQuery:
    choices: dict[str, list[Any]] = {
        "kind": KINDS[:-1],
        "track": TRACKS[:-1],
        "style": STYLES[:-1],
        "level": LEVELS[:-1],
        "area": AREAS,
        "location": PLACES,
        "org": [name for name, _ in ORGS],
        "org_type": ["frontier-lab", "nonprofit"],
        "remote": ["remote", "hybrid", "onsite", "unknown"],
        "visa": ["yes", "no"],
    }
    facets = {
        name: tuple(rng.sample(values, rng.randint(1, 2)))
        for name, values in choices.items()
        if rng.random() < 0.25
    }
    return OpeningsQuery(
        q=rng.choice(["", "", "evaluation", "policy OR kernels", "oversight -robustness"]),
        facets=facets,
        deadline=rng.choice([None, None, *DEADLINE_WINDOWS]),
        posted=rng.choice([None, None, *POSTED_WINDOWS]),
        sort=rng.choice(["newest", "closing"]),
        per_page=7,
        page=rng.choice([1, 1, 2]),
    )


class Reference:
    """The openings query read straight from its definition, posting by posting."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.postings = [p for p in session.exec(select(Posting)).all() if p.closed_at is None]
        self.org_type = {o.id: o.org_type for o in session.exec(select(Organisation)).all()}

    def values(self, posting: Posting, name: str) -> list[str]:
        if name in SINGLE:
            value = getattr(posting, SINGLE[name])
            return [value] if value else []
        if name == "org_type":
            kind = self.org_type.get(posting.organisation_id)
            return [kind] if kind else []
        return list(posting.areas if name == "area" else posting.locations)

    def in_window(self, posting: Posting, name: str, key: str) -> bool:
        today = self.now.date()
        if name == "deadline":
            if key == "none":
                return posting.deadline is None
            return posting.deadline is not None and today <= posting.deadline <= today + timedelta(
                days=int(key)
            )
        return posting.posted_at is not None and posting.posted_at >= self.now - timedelta(
            days=int(key)
        )

    def keeps(self, posting: Posting, query: OpeningsQuery, hits: set[int], skip: str) -> bool:
        for name, wanted in query.facets.items():
            if name != skip and not set(wanted) & set(self.values(posting, name)):
                return False
        for name in ("deadline", "posted"):
            key = getattr(query, name)
            if key and name != skip and not self.in_window(posting, name, key):
                return False
        return not (query.q and posting.id not in hits)

    def answer(self, query: OpeningsQuery) -> tuple[int, list[int], dict[str, Counter[str]]]:
        search = parse_search(query.q)
        dialect = self.session.get_bind().dialect.name
        hits = (
            set(self.session.execute(search_ids(dialect, search)).scalars()) if query.q else set()
        )
        kept = [p for p in self.postings if self.keeps(p, query, hits, skip="")]
        newest = sorted(
            kept,
            key=lambda p: (
                p.posted_at is None,
                -(p.posted_at or self.now).timestamp(),
                -(p.id or 0),
            ),
        )
        if query.sort == "closing":
            rank = {p.id: i for i, p in enumerate(newest)}
            newest = sorted(
                newest, key=lambda p: (p.deadline is None, p.deadline or date.min, rank[p.id])
            )
        start = (query.page - 1) * query.per_page
        page = [p.id or 0 for p in newest[start : start + query.per_page]]
        counts: dict[str, Counter[str]] = {}
        for name in (*SINGLE, "org_type", "area", "location", "deadline", "posted"):
            around = [p for p in self.postings if self.keeps(p, query, hits, skip=name)]
            if name in ("deadline", "posted"):
                windows = DEADLINE_WINDOWS if name == "deadline" else POSTED_WINDOWS
                counts[name] = Counter(
                    {k: sum(self.in_window(p, name, k) for p in around) for k in windows}
                )
            else:
                counts[name] = Counter(v for p in around for v in self.values(p, name))
        return len(kept), page, counts


def _counts(result: Any) -> dict[str, Counter[str]]:
    return {f.name: Counter({v.value: v.count for v in f.values}) for f in result.facets}


@pytest.mark.parametrize("seed", [1, 2])
def test_index_agrees_with_the_definition(any_engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    now = _seed(any_engine, rng, 160)
    with Session(any_engine) as session:
        index = build_index(session)
        reference = Reference(session, now)
        assert len(index) == len(reference.postings)
        for _ in range(60):
            query = _query(rng)
            total, page, counts = reference.answer(query)
            result = find_openings(session, index, query, now=now)
            assert result.total == total, query
            assert [item.id for item in result.items] == page, query
            got = _counts(result)
            for name, expected in counts.items():
                # Zero counts are left out, except for a selected value (shown with 0).
                assert +got[name] == +expected, (name, query)
            listed = all_matching(session, index, replace(query, page=1), limit=5, now=now)
            assert [p.id for p in listed] == reference.answer(replace(query, page=1, per_page=5))[1]


def test_cache_rebuilds_when_postings_change(engine: Engine) -> None:
    rng = random.Random(3)
    _seed(engine, rng, 20)
    checking = OpenIndexCache(check_seconds=0)
    lazy = OpenIndexCache(check_seconds=3600)
    today = utcnow().date()
    with Session(engine) as session:
        before = len(checking.get(session, today))
        assert len(lazy.get(session, today)) == before
    _add_posting(engine, "new", "Fresh role")
    with Session(engine) as session:
        assert len(checking.get(session, today)) == before + 1
        assert len(lazy.get(session, today)) == before  # not checked yet
        lazy.invalidate()
        assert len(lazy.get(session, today)) == before + 1


def test_empty_database(engine: Engine) -> None:
    with Session(engine) as session:
        index = build_index(session)
        result = find_openings(
            session, index, OpeningsQuery(q="evaluation", facets={"kind": ("job",)})
        )
        assert result.total == 0 and result.items == []
        assert all_matching(session, index, OpeningsQuery(), limit=10) == []


def test_one_request_rebuilds_while_the_others_use_the_old_index(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(engine, random.Random(4), 20)
    cache = OpenIndexCache(check_seconds=0)
    today = utcnow().date()
    with Session(engine) as session:
        before = len(cache.get(session, today))
    _add_posting(engine, "new", "Fresh role")
    release = threading.Event()
    slow_build = web.openindex.build_index

    def held_build(session: Session, key: str = "") -> Any:
        assert release.wait(10)
        return slow_build(session, key)

    monkeypatch.setattr(web.openindex, "build_index", held_build)
    sizes: list[int] = []

    def rebuild() -> None:
        with Session(engine) as session:
            sizes.append(len(cache.get(session, today)))

    rebuilding = threading.Thread(target=rebuild)
    rebuilding.start()
    deadline = time.monotonic() + 10
    while not cache._refreshing and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.01)
    with Session(engine) as session:
        assert len(cache.get(session, today)) == before  # not kept waiting
    release.set()
    rebuilding.join(10)
    assert sizes == [before + 1]
    with Session(engine) as session:
        assert len(cache.get(session, today)) == before + 1


def test_slow_rebuilds_space_out_the_checks(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(engine, random.Random(5), 10)
    cache = OpenIndexCache(check_seconds=0.001)
    today = utcnow().date()
    clock = [1000.0]
    monkeypatch.setattr(web.openindex.time, "monotonic", lambda: clock[0])
    real_build = web.openindex.build_index

    def slow_build(session: Session, key: str = "") -> Any:
        clock[0] += 3.0  # a build that took three seconds
        return real_build(session, key)

    monkeypatch.setattr(web.openindex, "build_index", slow_build)
    with Session(engine) as session:
        before = len(cache.get(session, today))
    _add_posting(engine, "new", "Fresh role")
    with Session(engine) as session:
        clock[0] += 29.0  # under ten builds' time: no check yet
        assert len(cache.get(session, today)) == before
        clock[0] += 2.0
        assert len(cache.get(session, today)) == before + 1
        cache.invalidate()  # a write through this process still shows at once
        session.add(Posting(source_id="board", external_id="newer", title="Another role"))
        session.commit()
        assert len(cache.get(session, today)) == before + 2


def test_an_invalidate_during_a_check_is_not_lost(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(engine, random.Random(6), 10)
    cache = OpenIndexCache(check_seconds=3600)
    today = utcnow().date()
    with Session(engine) as session:
        before = len(cache.get(session, today))
    cache.invalidate()
    reading, release = threading.Event(), threading.Event()
    real = web.openindex.fingerprints

    def slow_fingerprints(session: Session, day: Any) -> Any:
        found = real(session, day)  # read before the write below commits
        reading.set()
        assert release.wait(10)
        return found

    monkeypatch.setattr(web.openindex, "fingerprints", slow_fingerprints)
    checking = threading.Thread(target=lambda: cache.get(Session(engine), today))
    checking.start()
    assert reading.wait(10)
    _add_posting(engine, "late", "Late role")  # a correction commits and invalidates meanwhile
    cache.invalidate()
    release.set()
    checking.join(10)
    monkeypatch.setattr(web.openindex, "fingerprints", real)
    with Session(engine) as session:
        assert len(cache.get(session, today)) == before + 1


def test_times_keep_their_microseconds(engine: Engine) -> None:
    now = utcnow()
    with session_scope(engine) as session:
        _board(session)
        for external_id, posted in (
            ("later", now - timedelta(hours=1)),  # lower id, posted 0.7 s after "earlier"
            ("earlier", now - timedelta(hours=1, microseconds=700_000)),
            ("edge", now - timedelta(days=1, microseconds=300_000)),  # just outside a day
        ):
            session.add(
                Posting(source_id="board", external_id=external_id, title=external_id,
                        posted_at=posted)
            )  # fmt: skip
    with Session(engine) as session:
        index = build_index(session)
        newest = find_openings(session, index, OpeningsQuery(), now=now)
        assert [i.title for i in newest.items] == ["later", "earlier", "edge"]
        today = find_openings(session, index, OpeningsQuery(posted="1"), now=now)
        assert [i.title for i in today.items] == ["later", "earlier"]


def test_best_match_ties_go_to_the_newest(engine: Engine) -> None:
    now = utcnow()
    with session_scope(engine) as session:
        _board(session)
        for n, days in enumerate((9, 1, 5)):  # identical text: identical rank
            session.add(
                Posting(source_id="board", external_id=str(n), title="Oversight researcher",
                        posted_at=now - timedelta(days=days))
            )  # fmt: skip
    with Session(engine) as session:
        result = find_openings(
            session, build_index(session), OpeningsQuery(q="oversight", sort="relevance")
        )
        assert [i.posted_at for i in result.items] == sorted(
            (i.posted_at for i in result.items), reverse=True
        )


def test_a_value_listed_twice_counts_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        _board(session)
        session.add(
            Posting(source_id="board", external_id="1", title="Role",
                    areas=["evals", "evals"], locations=["London, UK", "London, UK"])
        )  # fmt: skip
    with Session(engine) as session:
        result = find_openings(session, build_index(session), OpeningsQuery())
        counts = {(f.name, v.value): v.count for f in result.facets for v in f.values}
        assert counts[("area", "evals")] == 1 and counts[("location", "London, UK")] == 1
