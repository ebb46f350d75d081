"""The openings query, shared by the HTML page, the JSON API, the feeds and the role map.

Which postings match, in what order, and the facet counts all come from the in-memory
``web.openindex.OpenIndex`` (see ``web.facets``); the database answers the full-text search and
then loads only the postings on the page, by id.
"""

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import defer
from sqlmodel import Session, col

from store.clock import utcnow
from store.models import Posting
from web.facets import combined, facet_counts, selections, unknown_values
from web.filters import OpeningsQuery
from web.openindex import BoolArray, IntArray, OpenIndex, ordered_rows, ranked_rows
from web.schemas import OpeningsResult, summary_of
from web.search import SearchQuery, parse_search

SNIPPET_CHARS = 240
# Columns a list never shows; loading them for 25 (or 1,500) postings is wasted reading.
HEAVY_COLUMNS: tuple[Any, ...] = (
    Posting.description_html,
    Posting.description_text,
    Posting.tag_evidence,
    Posting.extras,
)
FIT_LIMIT = 1000  # best-fit sorting ranks this many matches at most


# What a list shows of each posting (web.schemas.summary_of reads these by name).
SUMMARY_COLUMNS: tuple[Any, ...] = (
    Posting.id,
    Posting.title,
    Posting.organisation_name,
    Posting.url,
    Posting.locations,
    Posting.remote,
    Posting.employment_type,
    Posting.kind,
    Posting.track,
    Posting.style,
    Posting.level,
    Posting.areas,
    Posting.posted_at,
    Posting.deadline,
    Posting.salary_min,
    Posting.salary_max,
    Posting.salary_currency,
    Posting.salary_period,
    Posting.visa_sponsorship,
    Posting.closed_at,
    func.substr(Posting.description_text, 1, SNIPPET_CHARS).label("snippet"),
)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) < SNIPPET_CHARS - 10:
        return text
    return text[: text.rfind(" ", 0, SNIPPET_CHARS - 20)].rstrip(",.;:") + " …"


def _matching(
    session: Session, index: OpenIndex, query: OpeningsQuery, search: SearchQuery, now: datetime
) -> tuple[dict[str, BoolArray], BoolArray]:
    found = index.search_mask(session, search) if search.searchable else None
    masks = selections(index, query, now, found)
    return masks, combined(masks, len(index))


def _fit_ids(scores: dict[int, float]) -> list[int]:
    best = sorted(scores, key=lambda posting_id: (-scores[posting_id], posting_id))
    return best[:FIT_LIMIT]


def _in_order(
    session: Session,
    index: OpenIndex,
    query: OpeningsQuery,
    search: SearchQuery,
    keep: BoolArray,
    fit_scores: dict[int, float] | None = None,
) -> IntArray:
    """The rows ``keep`` selects, in the order ``query.sort`` asks for."""
    if query.sort == "fit" and fit_scores is not None:
        rows = index.rows_of(_fit_ids(fit_scores))
        return rows[keep[rows]]
    if query.sort == "relevance" and search.searchable:
        rows = ranked_rows(index, session, search)
        return rows[keep[rows]]
    order = index.closing if query.sort == "closing" else index.newest
    return ordered_rows(index, keep, order)


def _load(
    session: Session, statement: Select[Any], ids: Sequence[int], *, postings: bool = False
) -> list[Any]:
    """Rows of ``statement`` for ``ids`` in that order (Posting objects with ``postings``)."""
    if not ids:
        return []
    result = session.execute(statement.where(col(Posting.id).in_(ids)))
    found = result.scalars().all() if postings else result.all()
    position = {posting_id: i for i, posting_id in enumerate(ids)}
    return sorted(found, key=lambda row: position[row.id])


def find_openings(
    session: Session,
    index: OpenIndex,
    query: OpeningsQuery,
    *,
    now: datetime | None = None,
    fit_scores: dict[int, float] | None = None,
) -> OpeningsResult:
    """One page of open postings for ``query``, with total and facet counts."""
    now = now or utcnow()
    search = parse_search(query.q)
    messages = [*search.notes] + ([search.message] if search.message else [])
    messages.extend(unknown_values(query))
    if query.sort == "fit" and fit_scores is None:
        messages.append("Best fit needs you signed in with a saved profile; showing newest.")
    if query.sort == "relevance" and not search.searchable:
        messages.append("Best match needs a search; showing newest.")
    masks, keep = _matching(session, index, query, search, now)
    rows = _in_order(session, index, query, search, keep, fit_scores)
    start = (query.page - 1) * query.per_page
    ids = [int(i) for i in index.ids[rows[start : start + query.per_page]]]
    items = []
    for row in _load(session, select(*SUMMARY_COLUMNS), ids):
        score = fit_scores.get(row.id) if fit_scores else None
        items.append(summary_of(row, snippet=_clip(row.snippet or ""), score=score))
    total = len(rows)
    return OpeningsResult(
        total=total,
        page=query.page,
        per_page=query.per_page,
        pages=max(1, math.ceil(total / query.per_page)),
        sort=query.sort,
        query=_query_dict(query),
        messages=messages,
        items=items,
        facets=facet_counts(index, query, masks, now),
    )


def _query_dict(query: OpeningsQuery) -> dict[str, Any]:
    out: dict[str, Any] = {name: list(values) for name, values in query.facets.items()}
    out.update(q=query.q, deadline=query.deadline, posted=query.posted, sort=query.sort)
    return out


def all_matching(
    session: Session,
    index: OpenIndex,
    query: OpeningsQuery,
    *,
    limit: int,
    now: datetime | None = None,
    with_deadline: bool = False,
    light: bool = False,
) -> list[Posting]:
    """Postings for ``query`` in its sort order, up to ``limit`` (feeds, deadlines, map).

    ``with_deadline`` keeps postings with a deadline today or later; ``light`` leaves out the
    descriptions and evidence (pages that list many postings).
    """
    now = now or utcnow()
    search = parse_search(query.q)
    _, keep = _matching(session, index, query, search, now)
    if with_deadline:
        keep &= index.deadline >= now.date().toordinal()
    rows = _in_order(session, index, query, search, keep)[:limit]
    statement = select(Posting)
    if light:
        statement = statement.options(*(defer(c) for c in HEAVY_COLUMNS))
    ids = [int(i) for i in index.ids[rows]]
    return _load(session, statement, ids, postings=True)
