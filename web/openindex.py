"""An in-memory index of open postings' facet columns: filters, counts and ordering in numpy.

The openings page filters about a dozen facets at once and shows "disjunctive" counts (each facet
counted as if its own selection were off). In SQL that is a dozen GROUP BYs over the matching
rows per request: fine for a few thousand postings, around 150 ms at 100,000. Held as small
integer arrays, the same work is a few boolean masks and ``np.bincount`` calls (about a
millisecond), and a page of results is a slice of a precomputed order.

The index is a snapshot. ``OpenIndexCache`` rebuilds it when the database fingerprint
(``matcher.fit.load.fingerprints``: postings added, closed, re-tagged or edited, labels,
organisations) has moved, checking at most every ``check_seconds``. Search words are still
looked up by the database's full-text index; the matching ids are kept per snapshot.
"""

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Text, cast, select
from sqlmodel import Session, col

from matcher.fit.load import fingerprints
from store.clock import as_utc
from store.models import Organisation, Posting
from web.search import SearchQuery, fts5_expression, search_hits, search_ids

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int32]

# URL parameter -> the Posting column it filters (one value per posting). org_type comes from
# the posting's organisation.
SINGLE = {
    "kind": Posting.kind,
    "track": Posting.track,
    "style": Posting.style,
    "level": Posting.level,
    "org": Posting.organisation_name,
    "remote": Posting.remote,
    "visa": Posting.visa_sponsorship,
}
LISTS = {"area": Posting.areas, "location": Posting.locations}
NO_DATE = -(2**62)  # before any real date, never in a window, and safe to negate
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
SEARCH_CACHE_SIZE = 64
REBUILD_SPACING = 10  # wait this many times the last build's duration before checking again
MAX_CHECK_WAIT = 30.0  # seconds: one slow build (a busy machine) must not stretch this further
MASK_CACHE_SIZE = 32  # per facet; a mask is one byte per open posting (100 kB at 100,000)


@dataclass(frozen=True)
class Coded:
    """A facet as integer codes: ``values[code]`` is the text; code 0 means no value.

    Single-valued facets have one code per posting. List facets (areas, locations) have one code
    per entry, a posting's entries being ``codes[starts[row]:starts[row + 1]]``.
    """

    values: tuple[str, ...]
    codes: CodeArray
    starts: IntArray | None = None
    entry_rows: IntArray | None = None  # list facets: the posting each entry belongs to
    # Masks already worked out, by selected values: the same few filters come up again and again.
    _masks: dict[tuple[str, ...], BoolArray] = field(default_factory=dict, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    def code_of(self, wanted: Iterable[str]) -> list[int]:
        """Codes of the ``wanted`` values that occur (unknown values match nothing)."""
        lookup = {v: i for i, v in enumerate(self.values)}
        return [lookup[v] for v in wanted if v in lookup and lookup[v] != 0]

    def mask(self, wanted: Sequence[str], size: int) -> BoolArray:
        """Postings having any of ``wanted`` (shared: never modify the array returned)."""
        key = tuple(sorted(wanted))
        with self._lock:
            found = self._masks.get(key)
        if found is None:
            found = self._work_out(key, size)
            with self._lock:
                self._masks[key] = found
                if len(self._masks) > MASK_CACHE_SIZE:
                    del self._masks[next(iter(self._masks))]  # the oldest
        return found

    def _work_out(self, wanted: Sequence[str], size: int) -> BoolArray:
        table = np.zeros(len(self.values), dtype=bool)
        table[self.code_of(wanted)] = True
        hit: BoolArray = table[self.codes]
        if self.entry_rows is None:
            return hit
        out = np.zeros(size, dtype=bool)
        out[self.entry_rows[hit]] = True
        return out

    def counts(self, rows: IntArray) -> dict[str, int]:
        """Postings per value among ``rows``."""
        entries = rows if self.starts is None else _entries(self.starts, rows)
        tally = np.bincount(self.codes[entries], minlength=len(self.values))
        return {self.values[i]: int(tally[i]) for i in np.flatnonzero(tally) if i != 0}


def _entries(starts: IntArray, rows: IntArray) -> IntArray:
    """Positions of every entry of ``rows`` (the ranges starts[r]:starts[r + 1], joined)."""
    begins = starts[rows]
    lengths = starts[rows + 1] - begins
    shift = begins - (np.cumsum(lengths) - lengths)  # entry position minus output position
    out: IntArray = np.repeat(shift, lengths) + np.arange(int(lengths.sum()))
    return out


@dataclass
class OpenIndex:
    """Open postings as arrays, one row per posting in id order."""

    key: str
    ids: IntArray
    facets: dict[str, Coded]
    posted: IntArray  # microseconds since 1970 (UTC), NO_DATE when unknown
    deadline: IntArray  # proleptic ordinal days, NO_DATE when none given
    newest: IntArray  # rows by posted_at descending (unknown last), then id descending
    newest_rank: IntArray  # each row's place in ``newest``
    closing: IntArray  # rows by deadline (none last), then newest
    _searches: OrderedDict[str, BoolArray] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, ids: Sequence[int] | IntArray) -> IntArray:
        """Rows of the given posting ids, in their order, skipping ids not in the index."""
        rows, found = self.positions(ids)
        kept: IntArray = rows[found]
        return kept

    def positions(self, ids: Sequence[int] | IntArray) -> tuple[IntArray, BoolArray]:
        """For each id, its row (meaningless where not found) and whether it is in the index."""
        wanted = np.asarray(ids, dtype=np.int64)
        rows = np.searchsorted(self.ids, wanted)
        rows = np.minimum(rows, max(len(self.ids) - 1, 0))
        found = self.ids[rows] == wanted if len(self.ids) else np.zeros(len(wanted), dtype=bool)
        return rows, found

    def search_mask(self, session: Session, search: SearchQuery) -> BoolArray:
        """Postings matching ``search`` (a database full-text lookup, kept per snapshot).

        Shared between requests: never modify the array returned.
        """
        key = fts5_expression(search)
        with self._lock:
            found = self._searches.get(key)
            if found is not None:
                self._searches.move_to_end(key)
                return found
        found = np.zeros(len(self.ids), dtype=bool)
        found[self.rows_of(_hit_ids(session, search))] = True
        with self._lock:
            self._searches[key] = found
            while len(self._searches) > SEARCH_CACHE_SIZE:
                self._searches.popitem(last=False)
        return found


def _hit_ids(session: Session, search: SearchQuery) -> IntArray:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # Straight from the driver: a common word can match half the postings, and building a
        # Row object per hit costs more than the full-text lookup itself.
        cursor = connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            "SELECT rowid FROM posting_fts WHERE posting_fts MATCH ?", (fts5_expression(search),)
        )
        return np.fromiter((row[0] for row in cursor), dtype=np.int64)
    ids = session.execute(search_ids(connection.dialect.name, search)).scalars()
    return np.fromiter(ids, dtype=np.int64)


def ranked_rows(index: OpenIndex, session: Session, search: SearchQuery) -> IntArray:
    """Rows matching ``search``, best match first, then newest (the relevance sort)."""
    hits = search_hits(session.get_bind().dialect.name, search)
    found = session.execute(select(hits.c.posting_id, hits.c.rank)).all()
    ids = np.fromiter((row[0] for row in found), dtype=np.int64, count=len(found))
    ranks = np.fromiter((row[1] for row in found), dtype=np.float64, count=len(found))
    rows, present = index.positions(ids)
    rows, ranks = rows[present], ranks[present]
    ordered: IntArray = rows[np.lexsort((index.newest_rank[rows], ranks))]
    return ordered


def _encode(values: Sequence[str | None]) -> Coded:
    vocabulary: dict[str, int] = {"": 0}
    codes = np.fromiter(
        (vocabulary.setdefault(v or "", len(vocabulary)) for v in values),
        dtype=np.int32,
        count=len(values),
    )
    return Coded(values=tuple(vocabulary), codes=codes)


def _encode_lists(raw: Sequence[str | None]) -> Coded:
    """Code JSON list columns read as text (the same few lists recur, so each is parsed once)."""
    parsed: dict[str | None, list[str]] = {}
    flat: list[str] = []
    lengths = np.zeros(len(raw), dtype=np.int64)
    for row, text in enumerate(raw):
        items = parsed.get(text)
        if items is None:
            loaded = json.loads(text) if text else []
            listed = loaded if isinstance(loaded, list) else []
            # A value listed twice is one value: a posting counts once per facet value.
            items = list(dict.fromkeys(v for v in listed if isinstance(v, str) and v))
            parsed[text] = items
        flat.extend(items)
        lengths[row] = len(items)
    starts = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    coded = _encode(flat)
    rows = np.repeat(np.arange(len(raw), dtype=np.int64), lengths)
    return Coded(values=coded.values, codes=coded.codes, starts=starts, entry_rows=rows)


def _micros(moment: datetime | None) -> int:
    # Exact integer arithmetic: a float timestamp could round a microsecond away.
    return (as_utc(moment) - EPOCH) // MICROSECOND if moment is not None else NO_DATE


def _days(day: date | None) -> int:
    return day.toordinal() if day is not None else NO_DATE


def build_index(session: Session, key: str = "") -> OpenIndex:
    """Read the open postings' facet columns into an OpenIndex."""
    columns: tuple[Any, ...] = (
        col(Posting.id),
        col(Posting.posted_at),
        col(Posting.deadline),
        col(Organisation.org_type),
        *SINGLE.values(),
        *(cast(column, Text) for column in LISTS.values()),
    )
    statement = (
        select(*columns)
        .outerjoin(Organisation, col(Posting.organisation_id) == col(Organisation.id))
        .where(col(Posting.closed_at).is_(None))
        .order_by(col(Posting.id))
    )
    rows = session.execute(statement).all()
    by_column = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    ids = np.asarray(by_column[0], dtype=np.int64)
    posted = np.fromiter((_micros(v) for v in by_column[1]), dtype=np.int64, count=len(ids))
    deadline = np.fromiter((_days(v) for v in by_column[2]), dtype=np.int64, count=len(ids))
    facets = {"org_type": _encode(by_column[3])}
    for offset, name in enumerate(SINGLE, start=4):
        facets[name] = _encode(by_column[offset])
    for offset, name in enumerate(LISTS, start=4 + len(SINGLE)):
        facets[name] = _encode_lists(by_column[offset])
    # np.lexsort sorts by its last key first; negating gives descending order.
    newest = np.lexsort((-ids, -posted))
    no_deadline = deadline == NO_DATE
    rank_newest = np.empty_like(newest)
    rank_newest[newest] = np.arange(len(newest))
    closing = np.lexsort((rank_newest, deadline, no_deadline))
    return OpenIndex(
        key=key,
        ids=ids,
        facets=facets,
        posted=posted,
        deadline=deadline,
        newest=newest,
        newest_rank=rank_newest,
        closing=closing,
    )


def deadline_window(deadlines: IntArray, window: str, today: date) -> BoolArray:
    """Which ``deadlines`` (OpenIndex.deadline values) fall within ``window`` days of today.

    ``window`` "none" picks postings without a deadline.
    """
    if window == "none":
        missing: BoolArray = deadlines == NO_DATE
        return missing
    start = today.toordinal()
    within: BoolArray = (deadlines >= start) & (deadlines <= start + int(window))
    return within


def posted_window(posted: IntArray, days: str, now: datetime) -> BoolArray:
    """Which ``posted`` times (OpenIndex.posted values) are within the last ``days`` days."""
    recent: BoolArray = posted >= _micros(now - timedelta(days=int(days)))
    return recent


def ordered_rows(index: OpenIndex, keep: BoolArray, order: IntArray) -> IntArray:
    """The rows ``keep`` selects, in ``order``."""
    return order[keep[order]]


class OpenIndexCache:
    """The current OpenIndex for one database, rebuilt when its fingerprint moves.

    The fingerprint costs a few milliseconds at 100,000 postings, so it is checked at most every
    ``check_seconds`` (0: on every request, as tests want). ``invalidate`` forces the next check,
    for writes made through this process (a tag correction should show at once). One request
    checks and rebuilds (about a second at 100,000 postings) while the others go on with the
    snapshot they have; only the very first build makes everyone wait.

    While a crawl runs the fingerprint moves with every source it stores. So that rebuilding
    cannot take more than a tenth of a core, the next check waits at least ten times as long
    as the last build took.
    """

    def __init__(self, check_seconds: float = 2.0) -> None:
        self.check_seconds = check_seconds
        self._index: OpenIndex | None = None
        self._checked = 0.0
        self._wait = check_seconds
        self._generation = 0  # moved by invalidate: a check begun before it does not count
        self._refreshing = False
        self._lock = threading.Lock()
        self._first_build = threading.Lock()

    def get(self, session: Session, today: date) -> OpenIndex:
        """The index, rebuilt first if the database has changed since it was built."""
        with self._lock:
            current = self._index
            generation = self._generation
            if current is not None:
                due = time.monotonic() - self._checked >= self._wait
                if self._refreshing or not due:
                    return current
                self._refreshing = True
        if current is None:
            with self._first_build:
                built = self._index
                if built is None:
                    key = fingerprints(session, today).full
                    built = self._rebuild(session, key, generation)
                return built
        try:
            key = fingerprints(session, today).full
            if current.key == key:
                return self._store(current, generation)
            return self._rebuild(session, key, generation)
        finally:
            with self._lock:
                self._refreshing = False

    def _rebuild(self, session: Session, key: str, generation: int) -> OpenIndex:
        started = time.monotonic()
        index = build_index(session, key)
        took = time.monotonic() - started
        with self._lock:
            if self.check_seconds > 0:
                spaced = min(REBUILD_SPACING * took, MAX_CHECK_WAIT)
                self._wait = max(self.check_seconds, spaced)
        return self._store(index, generation)

    def _store(self, index: OpenIndex, generation: int) -> OpenIndex:
        with self._lock:
            self._index = index
            # Checked as of when the check began; an invalidate since then still stands.
            self._checked = time.monotonic() if generation == self._generation else 0.0
        return index

    def invalidate(self) -> None:
        """Check the fingerprint on the next request."""
        with self._lock:
            self._generation += 1
            self._checked = 0.0
