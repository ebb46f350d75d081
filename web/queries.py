"""The openings query, shared by the HTML page, the JSON API and the feeds.

``open_conditions`` turns an OpeningsQuery into SQL conditions (optionally leaving one facet out,
which is how facet counts stay "disjunctive": a facet's own selection does not shrink its
counts). ``find_openings`` returns one page plus facet counts. SQL stays portable between SQLite
and PostgreSQL; the JSON list columns (areas, locations) are unnested with json_each or
json_array_elements_text.
"""

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, true
from sqlalchemy.orm import defer
from sqlmodel import Session, col

from store.clock import utcnow
from store.models import Organisation, Posting
from web.columns import COLUMN_FACETS, JSON_FACETS, json_values
from web.facetcache import Counted, FacetCache
from web.facets import count_facets
from web.filters import OpeningsQuery
from web.schemas import OpeningsResult, PostingSummary, summary_of
from web.search import (
    SearchQuery,
    few_hits,
    parse_search,
    search_hits,
    search_ids,
    search_probe,
)

SNIPPET_CHARS = 240
# Columns a list never shows; loading them for 25 (or 1,500) postings is wasted reading.
HEAVY_COLUMNS: tuple[Any, ...] = (
    Posting.description_html,
    Posting.description_text,
    Posting.tag_evidence,
    Posting.extras,
)
FIT_LIMIT = 1000  # best-fit sorting ranks this many matches at most
# Walk newest-first only when at least 1% of open postings match and a page fills within
# 20,000 rows; otherwise filter first and sort (see _ordered_scan).
ORDERED_SCAN_MIN_SHARE = 0.01
ORDERED_SCAN_MAX_ROWS = 20_000


def _window(field: Any, days: str, today: date) -> ColumnElement[bool]:
    if days == "none":
        return col(field).is_(None)
    return and_(col(field) >= today, col(field) <= today + timedelta(days=int(days)))


def open_conditions(
    query: OpeningsQuery,
    *,
    dialect: str,
    now: datetime,
    search: SearchQuery | None = None,
    skip: str | None = None,
    search_first: bool = True,
    walk: bool = False,
) -> list[ColumnElement[bool]]:
    """SQL conditions for the open postings ``query`` selects, leaving out facet ``skip``.

    ``search_first=False`` hides the id from SQLite's planner (``id + 0``), so it filters by the
    facet index and probes the search hits instead of fetching every hit's wide row first: much
    faster when the search term is common. ``walk=True`` hides the tag columns too, so SQLite
    walks the newest-first index and stops after a page (see ``_ordered_scan``).
    """
    hide = walk and dialect == "sqlite"
    conditions: list[ColumnElement[bool]] = [col(Posting.closed_at).is_(None)]
    for name, column in COLUMN_FACETS.items():
        if name != skip and query.values(name):
            key = col(column) + "" if hide else col(column)
            conditions.append(key.in_(query.values(name)))
    for name, column in JSON_FACETS.items():
        if name != skip and query.values(name):
            elem = json_values(dialect, column)
            conditions.append(
                exists(select(true()).select_from(elem).where(elem.c.value.in_(query.values(name))))
            )
    if skip != "org_type" and query.values("org_type"):
        orgs = select(col(Organisation.id)).where(
            col(Organisation.org_type).in_(query.values("org_type"))
        )
        conditions.append(col(Posting.organisation_id).in_(orgs))
    if skip != "deadline" and query.deadline:
        conditions.append(_window(Posting.deadline, query.deadline, now.date()))
    if skip != "posted" and query.posted:
        conditions.append(col(Posting.posted_at) >= now - timedelta(days=int(query.posted)))
    if search is not None and search.searchable and hide:
        conditions.append(search_probe(search))
    elif search is not None and search.searchable:
        ids = search_ids(dialect, search)
        hidden = hide or not search_first
        key = col(Posting.id) + 0 if hidden and dialect == "sqlite" else col(Posting.id)
        conditions.append(key.in_(ids))
    return conditions


def _listing() -> Select[Any]:
    snippet = func.substr(Posting.description_text, 1, SNIPPET_CHARS).label("snippet")
    skipped = (*HEAVY_COLUMNS, Posting.tag_probabilities)
    return select(Posting, snippet).options(*(defer(c) for c in skipped))


def _ordered(
    statement: Select[Any],
    query: OpeningsQuery,
    search: SearchQuery,
    dialect: str,
    *,
    all_have_deadlines: bool = False,
) -> Select[Any]:
    newest = col(Posting.posted_at).desc()
    if dialect == "postgresql":
        newest = newest.nulls_last()
    if query.sort == "closing" and all_have_deadlines:
        # Plain deadline order can walk ix_posting_open_deadline and stop at the limit.
        return statement.order_by(col(Posting.deadline), newest)
    if query.sort == "closing":
        return statement.order_by(col(Posting.deadline).is_(None), col(Posting.deadline), newest)
    if query.sort == "relevance" and search.searchable:
        hits = search_hits(dialect, search)
        return statement.join(hits, hits.c.posting_id == Posting.id).order_by(hits.c.rank, newest)
    return statement.order_by(newest, col(Posting.id).desc())


def _rows_to_summaries(
    rows: Sequence[Any], scores: dict[int, float] | None = None
) -> list[PostingSummary]:
    out = []
    for posting, snippet in rows:
        score = scores.get(posting.id) if scores else None
        out.append(summary_of(posting, snippet=_clip(snippet or ""), score=score))
    return out


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) < SNIPPET_CHARS - 10:
        return text
    return text[: text.rfind(" ", 0, SNIPPET_CHARS - 20)].rstrip(",.;:") + " …"


def _ordered_scan(dialect: str, query: OpeningsQuery, counted: Counted) -> bool:
    """Whether SQLite should walk open postings newest first and stop after one page.

    Good when the query keeps a fair share of postings (a page fills after a short walk); bad
    when it keeps few (the walk would read most rows), where filtering first and sorting wins.
    """
    if dialect != "sqlite" or query.sort != "newest" or not counted.total:
        return False
    share = counted.total / max(counted.open_total, 1)
    rows_to_walk = (query.page * query.per_page) / share
    return share >= ORDERED_SCAN_MIN_SHARE and rows_to_walk <= ORDERED_SCAN_MAX_ROWS


def find_openings(
    session: Session,
    query: OpeningsQuery,
    *,
    now: datetime | None = None,
    cache: FacetCache | None = None,
    fit_scores: dict[int, float] | None = None,
    with_facets: bool = True,
) -> OpeningsResult:
    """One page of open postings for ``query``, with total and facet counts."""
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    search = parse_search(query.q)
    messages = [*search.notes] + ([search.message] if search.message else [])
    counted = count_facets(
        session,
        query,
        search=search,
        now=now,
        cache=cache,
        conditions_for=lambda skip, first: open_conditions(
            query, dialect=dialect, now=now, search=search, skip=skip, search_first=first
        ),
        with_facets=with_facets,
    )
    ordered_scan = _ordered_scan(dialect, query, counted)
    conditions = open_conditions(
        query,
        dialect=dialect,
        now=now,
        search=search,
        search_first=counted.search_first,
        walk=ordered_scan,
    )
    statement = _listing().where(*conditions)
    if query.sort == "fit" and fit_scores is not None:
        items = _fit_page(session, statement, query, fit_scores)
        total = _fit_total(session, conditions, fit_scores)
    else:
        if query.sort == "fit":
            messages.append("Best fit needs you signed in with a saved profile; showing newest.")
        if query.sort == "relevance" and not search.searchable:
            messages.append("Best match needs a search; showing newest.")
        statement = _ordered(statement, query, search, dialect)
        offset = (query.page - 1) * query.per_page
        rows = session.exec(statement.limit(query.per_page).offset(offset)).all()  # type: ignore[call-overload]
        items = _rows_to_summaries(rows)
        total = counted.total
    return OpeningsResult(
        total=total,
        page=query.page,
        per_page=query.per_page,
        pages=max(1, math.ceil(total / query.per_page)),
        sort=query.sort,
        query=_query_dict(query),
        messages=messages,
        items=items,
        facets=counted.facets,
    )


def _fit_total(
    session: Session, conditions: list[ColumnElement[bool]], scores: dict[int, float]
) -> int:
    ids = list(scores)[:FIT_LIMIT]
    statement = (
        select(func.count()).select_from(Posting).where(*conditions, col(Posting.id).in_(ids))
    )
    return int(session.scalar(statement) or 0)


def _fit_page(
    session: Session, statement: Select[Any], query: OpeningsQuery, scores: dict[int, float]
) -> list[PostingSummary]:
    ids = list(scores)[:FIT_LIMIT]
    rows = session.exec(statement.where(col(Posting.id).in_(ids))).all()  # type: ignore[call-overload]
    ranked = sorted(rows, key=lambda row: (-scores.get(row[0].id, 0.0), row[0].id))
    start = (query.page - 1) * query.per_page
    return _rows_to_summaries(ranked[start : start + query.per_page], scores)


def _query_dict(query: OpeningsQuery) -> dict[str, Any]:
    out: dict[str, Any] = {name: list(values) for name, values in query.facets.items()}
    out.update(q=query.q, deadline=query.deadline, posted=query.posted, sort=query.sort)
    return out


def all_matching(
    session: Session,
    query: OpeningsQuery,
    *,
    limit: int,
    now: datetime | None = None,
    with_deadline: bool = False,
    light: bool = False,
) -> list[Posting]:
    """Postings for ``query`` in its sort order, up to ``limit`` (feeds, deadlines, map).

    ``light`` leaves out the descriptions and evidence (pages that list many postings).
    """
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    search = parse_search(query.q)
    first = few_hits(session, search)
    conditions = open_conditions(query, dialect=dialect, now=now, search=search, search_first=first)
    if with_deadline:
        conditions.append(col(Posting.deadline) >= now.date())
    statement = select(Posting).where(*conditions)
    if light:
        statement = statement.options(*(defer(c) for c in HEAVY_COLUMNS))
    statement = _ordered(statement, query, search, dialect, all_have_deadlines=with_deadline)
    return list(session.exec(statement.limit(limit)).scalars())  # type: ignore[call-overload]
