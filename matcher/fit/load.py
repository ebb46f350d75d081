"""Reading postings for matching, and keeping the built corpus while the data is unchanged.

Building a corpus (reading the rows, parsing places, fitting TF-IDF) costs far more than one
match, so it is cached per database and reused while the database's *fingerprint* is the same:
posting count and highest id, latest tagged_at and closed_at, the number closed, the count and
highest id of PostingChange rows (a crawl that edits a posting's content writes one), the label
count and the organisations' types. A new or edited posting, a re-tag, a correction, a closing
or a reopening changes one of these, so a stale corpus is never used, while a crawl that finds
nothing new does not force a rebuild. Each part is read from an index, so checking costs a few
milliseconds even at 100,000 postings. Edits made behind rolefit's back (raw SQL) are not seen
until one of these moves; ``matcher.fit.clear_cache()`` forgets everything.

The TF-IDF index (the slow part) depends only on the postings' text, so it is kept under the
content part of the fingerprint alone; when only tags, closings or corrections changed, the
facts are re-read without the descriptions and the index is reused.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from matcher.fit.corpus import Corpus, PostingFacts, build_corpus, requirements
from matcher.fit.textsim import TextIndex, build_text_index, document_text
from store.clock import as_utc, utcnow
from store.models import Label, Organisation, Posting, PostingChange

# Closed postings stay matchable (as excluded, "closed") for this long, so --show-excluded can
# explain why a role seen last week is gone; older ones are history and are not loaded.
RECENTLY_CLOSED_DAYS = 14
CACHE_SIZE = 2  # corpora kept per process (the live and the demo database, say)

_COLUMNS = (
    col(Posting.id),
    col(Posting.title),
    col(Posting.organisation_name),
    col(Organisation.org_type),
    col(Posting.url),
    col(Posting.locations),
    col(Posting.remote),
    col(Posting.deadline),
    col(Posting.closed_at),
    col(Posting.salary_min),
    col(Posting.salary_max),
    col(Posting.salary_currency),
    col(Posting.salary_period),
    col(Posting.visa_sponsorship),
    col(Posting.kind),
    col(Posting.kind_p),
    col(Posting.track),
    col(Posting.track_p),
    col(Posting.style),
    col(Posting.style_p),
    col(Posting.level),
    col(Posting.level_p),
    col(Posting.areas),
    col(Posting.tagged_at),
    col(Posting.description_text),
)


@dataclass
class TextPart:
    """What only changes with postings' content: the TF-IDF index and the text-derived facts.

    Columns follow ``ids`` (ascending posting ids). Kept across rebuilds of the other facts
    (tags, closings, corrections), which then cost a read of the narrow columns only.
    """

    index: TextIndex
    ids: npt.NDArray[np.int64]
    phd: npt.NDArray[np.int64]
    min_years: npt.NDArray[np.float64]
    key: str


@dataclass
class Loaded:
    """A corpus with its text index, built from one database state."""

    corpus: Corpus
    text: TextIndex
    fingerprint: str
    text_part: TextPart


@dataclass(frozen=True)
class Keys:
    """The full fingerprint, and the part of it that only moves when content does."""

    full: str
    content: str


def _hash(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:20]


def fingerprint(session: Session, today: date) -> str:
    """A short hash that changes whenever anything matching reads has changed."""
    return fingerprints(session, today).full


def fingerprints(session: Session, today: date) -> Keys:
    """The full and the content fingerprint of the database as it is now."""
    # One scalar subquery per aggregate: SQLite answers a lone max() from an index, but scans
    # the whole table when several aggregates share one SELECT.
    aggregates: list[ColumnElement[Any]] = [
        func.count(col(Posting.id)),
        func.max(col(Posting.id)),
        func.max(col(Posting.tagged_at)),
        func.max(col(Posting.closed_at)),
        func.count(col(Posting.closed_at)),
        # Content edits by a crawl leave a PostingChange row. last_seen_at is not used: every
        # crawl moves it, and rebuilding after crawls that changed nothing would waste time.
        func.count(col(PostingChange.id)),
        func.max(col(PostingChange.id)),
        func.count(col(Label.id)),
        func.max(col(Label.id)),
    ]
    posting = session.execute(select(*[select(agg).scalar_subquery() for agg in aggregates])).one()
    orgs = session.execute(
        select(col(Organisation.id), col(Organisation.name), col(Organisation.org_type)).order_by(
            col(Organisation.id)
        )
    ).all()
    full = _hash((tuple(posting), [tuple(o) for o in orgs], today.isoformat()))
    # Posting count and highest id, PostingChange count and highest id: new or edited text.
    content = _hash((posting[0], posting[1], posting[5], posting[6]))
    return Keys(full=full, content=content)


def _facts(row: Any, phd: int, years: float | None) -> PostingFacts:
    return PostingFacts(
        id=row.id,
        title=row.title,
        organisation=row.organisation_name or "",
        org_type=row.org_type,
        url=row.url or "",
        locations=tuple(str(loc) for loc in (row.locations or [])),
        remote=row.remote or "unknown",
        deadline=row.deadline,
        closed=row.closed_at is not None,
        salary_min=row.salary_min,
        salary_max=row.salary_max,
        salary_currency=row.salary_currency,
        salary_period=row.salary_period,
        visa=row.visa_sponsorship or "unknown",
        kind=row.kind,
        kind_p=row.kind_p,
        track=row.track,
        track_p=row.track_p,
        style=row.style,
        style_p=row.style_p,
        level=row.level,
        level_p=row.level_p,
        areas=tuple(row.areas or ()),
        tagged=row.tagged_at is not None or row.kind is not None,
        phd=phd,
        min_years=years,
    )


def _wanted() -> ColumnElement[bool]:
    cutoff = as_utc(utcnow()) - timedelta(days=RECENTLY_CLOSED_DAYS)
    return or_(col(Posting.closed_at).is_(None), col(Posting.closed_at) >= cutoff)


def _statement(columns: tuple[Any, ...]) -> Any:
    return (
        select(*columns)
        .outerjoin(Organisation, col(Posting.organisation_id) == col(Organisation.id))
        .where(_wanted())
        .order_by(col(Posting.id))
        .execution_options(yield_per=2000)
    )


def load(session: Session, today: date, keys: Keys) -> Loaded:
    """Read open (and recently closed) postings and build the corpus and text index."""
    expected = session.execute(select(func.count(col(Posting.id))).where(_wanted())).scalar_one()
    facts: list[PostingFacts] = []

    def documents() -> Iterator[str]:
        # One pass: facts are collected while the vectoriser consumes the text, so the
        # descriptions are never all held in memory at once.
        for row in session.execute(_statement(_COLUMNS)):
            phd, years = requirements(row.description_text or "")
            facts.append(_facts(row, phd, years))
            yield document_text(row.title, row.description_text or "")

    text = build_text_index(documents(), expected=expected)
    corpus = build_corpus(facts)
    part = TextPart(text, corpus.ids, corpus.phd, corpus.min_years, keys.content)
    return Loaded(corpus=corpus, text=text, fingerprint=keys.full, text_part=part)


def load_facts(session: Session, keys: Keys, part: TextPart) -> Loaded | None:
    """Rebuild the facts only, reusing ``part``; None if a posting is missing from it."""
    rows = session.execute(_statement(_COLUMNS[:-1])).all()  # all but description_text
    ids = np.array([row.id for row in rows], dtype=np.int64)
    columns = np.searchsorted(part.ids, ids)
    if len(ids) and (columns.max() >= len(part.ids) or (part.ids[columns] != ids).any()):
        return None  # a posting (re)appeared that the text index has never seen
    facts = [
        _facts(
            row, int(part.phd[c]), None if np.isnan(part.min_years[c]) else float(part.min_years[c])
        )
        for row, c in zip(rows, columns, strict=True)
    ]
    corpus = build_corpus(facts, text_col=columns.astype(np.int64))
    return Loaded(corpus=corpus, text=part.index, fingerprint=keys.full, text_part=part)


class CorpusCache:
    """Built corpora per database URL, reused while the fingerprint is unchanged (thread-safe)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[str, Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, today: date) -> Loaded:
        """The corpus for the session's database as it is now, built if needed."""
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        where = engine.url.render_as_string(hide_password=True)
        keys = fingerprints(session, today)
        with self._lock:
            cached = self._items.get(where)
            if cached is not None and cached.fingerprint == keys.full:
                self._items.move_to_end(where)
                return cached
            loaded = None
            if cached is not None and cached.text_part.key == keys.content:
                loaded = load_facts(session, keys, cached.text_part)
            if loaded is None:
                loaded = load(session, today, keys)
            self._items[where] = loaded
            self._items.move_to_end(where)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            return loaded

    def clear(self) -> None:
        """Forget every corpus (tests, or after bulk edits made outside rolefit)."""
        with self._lock:
            self._items.clear()
