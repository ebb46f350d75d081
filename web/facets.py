"""Facet counts for the openings list, with a short-lived cache.

Counts are disjunctive: the counts shown for a facet ignore that facet's own selection, so
choosing "job" still shows how many fellowships there are. Facets without a selection share one
grouped query; the others get one GROUP BY each. ``web.facetcache.FacetCache`` keeps the result
for a minute per distinct query, because the same listing is requested over and over while
postings change only when a crawl runs.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select, true, union_all
from sqlmodel import Session, col

from matcher.taxonomy import AREAS, SINGLE_FIELDS
from store.models import Organisation, Posting
from web.columns import COLUMN_FACETS, JSON_FACETS, json_values
from web.facetcache import Counted, FacetCache
from web.filters import DEADLINE_WINDOWS, POSTED_WINDOWS, OpeningsQuery
from web.schemas import Facet, FacetValue
from web.search import SearchQuery, few_hits

# (facet to leave out, start from the search hits?) -> SQL conditions
Conditions = Callable[[str | None, bool], list[ColumnElement[bool]]]

FACET_LABELS = {
    "kind": "Kind",
    "track": "Track",
    "style": "Style",
    "level": "Level",
    "area": "Research area",
    "org_type": "Organisation type",
    "org": "Organisation",
    "location": "Location",
    "remote": "Remote",
    "visa": "Visa sponsorship",
    "deadline": "Deadline",
    "posted": "Posted",
}
VALUE_LABELS = {
    "remote": {
        "remote": "Fully remote",
        "hybrid": "Hybrid",
        "onsite": "On site",
        "unknown": "Not stated",
    },
    "visa": {"yes": "Sponsors visas", "no": "No sponsorship", "unknown": "Not stated"},
    "kind": {"phd": "PhD"},
    "deadline": DEADLINE_WINDOWS,
    "posted": POSTED_WINDOWS,
}
CUBE_FACETS = ("kind", "track", "style", "level", "remote", "visa")
TOP_VALUES = 12  # organisations and locations: the most common, plus any selected


def value_label(facet: str, value: str) -> str:
    """How a facet value reads on the page."""
    label = VALUE_LABELS.get(facet, {}).get(value)
    if label:
        return label
    if facet in ("org", "location"):
        return value
    return value.replace("-", " ").replace("_", " ").capitalize()


def _group_key(key: Any, facet_index: bool) -> Any:
    # SQLite's planner likes a one-column tag index for GROUP BY (rows come out in order) and
    # then reads every wide row for the other conditions. ``kind || ''`` hides that index, so
    # the covering ix_posting_facets answers from the index alone: several times faster.
    return (key + "") if facet_index else key


def _grouped(
    session: Session,
    key: Any,
    conditions: list[ColumnElement[bool]],
    *,
    join: Any = None,
    facet_index: bool = False,
) -> dict[str, int]:
    key = _group_key(key, facet_index)
    statement = select(key, func.count()).select_from(Posting)
    if join is not None:
        statement = statement.join(*join)
    rows = session.exec(statement.where(*conditions).group_by(key)).all()  # type: ignore[call-overload]
    return {str(value): int(n) for value, n in rows if value is not None and value != ""}


def _windows(
    session: Session,
    field: Any,
    windows: dict[str, str],
    now: datetime,
    conditions: list[ColumnElement[bool]],
    *,
    past: bool,
) -> dict[str, int]:
    sums = []
    today = now.date()
    hit: ColumnElement[bool]
    for key in windows:
        if key == "none":
            hit = col(field).is_(None)
        elif past:
            hit = col(field) >= now - timedelta(days=int(key))
        else:
            hit = (col(field) >= today) & (col(field) <= today + timedelta(days=int(key)))
        sums.append(func.coalesce(func.sum(case((hit, 1), else_=0)), 0))
    statement = select(*sums).select_from(Posting).where(*conditions)
    row = session.exec(statement).one()  # type: ignore[call-overload]
    return {key: int(n) for key, n in zip(windows, row, strict=True)}


def _cube(
    session: Session, names: list[str], conditions: list[ColumnElement[bool]], facet_index: bool
) -> dict[str, dict[str, int]]:
    """Counts per value for several low-cardinality facets from one grouped query."""
    keys = [_group_key(COLUMN_FACETS[n], facet_index).label(n) for n in names]
    statement = select(*keys, func.count()).select_from(Posting).where(*conditions)
    rows = session.exec(statement.group_by(*keys)).all()  # type: ignore[call-overload]
    out: dict[str, dict[str, int]] = {n: {} for n in names}
    for row in rows:
        n = int(row[-1])
        for name, value in zip(names, row[:-1], strict=True):
            if value is not None and value != "":
                out[name][str(value)] = out[name].get(str(value), 0) + n
    return out


def _lists(
    session: Session, dialect: str, conditions: list[ColumnElement[bool]]
) -> dict[str, dict[str, int]]:
    """Area and location counts from one pass over the matching rows.

    The JSON list columns live in the wide rows; reading the matching rows once into a CTE and
    unnesting both lists from it halves that reading.
    """
    matching = select(*JSON_FACETS.values()).where(*conditions).cte("matching")
    parts = []
    for name, column in JSON_FACETS.items():
        elem = json_values(dialect, matching.c[column.key])
        parts.append(
            select(literal(name).label("facet"), elem.c.value, func.count())
            .select_from(matching)
            .join(elem, true())
            .group_by(elem.c.value)
        )
    rows = session.exec(union_all(*parts)).all()  # type: ignore[call-overload]
    out: dict[str, dict[str, int]] = {name: {} for name in JSON_FACETS}
    for facet, value, n in rows:
        if value is not None and value != "":
            out[facet][str(value)] = int(n)
    return out


def _org_types(
    session: Session, conditions: list[ColumnElement[bool]], facet_index: bool
) -> dict[str, int]:
    # Count per organisation from the covering index, then fold into types in Python: a join
    # per posting row costs far more than a few hundred organisations looked up once.
    per_org = _grouped(session, Posting.organisation_id, conditions, facet_index=facet_index)
    if not per_org:
        return {}
    types = session.exec(select(Organisation.id, Organisation.org_type)).all()  # type: ignore[call-overload]
    type_of = {str(org_id): org_type for org_id, org_type in types}
    counts: dict[str, int] = {}
    for org_id, n in per_org.items():
        org_type = type_of.get(org_id)
        if org_type:
            counts[org_type] = counts.get(org_type, 0) + n
    return counts


def _facet(
    name: str, counts: dict[str, int], selected: tuple[str, ...], order: tuple[str, ...] | None
) -> Facet:
    if order is None:
        ranked = sorted(counts, key=lambda v: (-counts[v], v.lower()))[:TOP_VALUES]
        order = (*ranked, *(v for v in selected if v not in ranked))
    else:
        order = (*order, *(v for v in counts if v not in order))
    values = [
        FacetValue(
            value=v, label=value_label(name, v), count=counts.get(v, 0), selected=v in selected
        )
        for v in order
        if counts.get(v, 0) or v in selected
    ]
    return Facet(name=name, label=FACET_LABELS[name], values=values)


def _vocabulary() -> dict[str, tuple[str, ...]]:
    return {**SINGLE_FIELDS, "area": AREAS}


def compute_facets(
    session: Session,
    query: OpeningsQuery,
    *,
    now: datetime,
    conditions_for: Callable[[str | None], list[ColumnElement[bool]]],
    facet_index: bool = False,
) -> list[Facet]:
    """Every facet with its counts (each ignoring its own selection)."""
    dialect = session.get_bind().dialect.name
    vocab = _vocabulary()
    fixed = {"remote": ("remote", "hybrid", "onsite", "unknown"), "visa": ("yes", "no", "unknown")}
    facets = []
    # Facets without a selection of their own share the full conditions: one GROUP BY over all
    # of them at once (a few hundred groups) instead of one scan each.
    shared = [n for n in CUBE_FACETS if not query.values(n)]
    cube = _cube(session, shared, conditions_for(None), facet_index) if len(shared) > 1 else {}
    if not any(query.values(n) for n in JSON_FACETS):
        cube.update(_lists(session, dialect, conditions_for(None)))
    for name in FACET_LABELS:
        conditions = conditions_for(name)
        if name in cube:
            counts = cube[name]
        elif name in COLUMN_FACETS:
            counts = _grouped(session, COLUMN_FACETS[name], conditions, facet_index=facet_index)
        elif name in JSON_FACETS:
            elem = json_values(dialect, JSON_FACETS[name])
            counts = _grouped(session, elem.c.value, conditions, join=(elem, true()))
        elif name == "org_type":
            counts = _org_types(session, conditions, facet_index)
        else:
            windows = DEADLINE_WINDOWS if name == "deadline" else POSTED_WINDOWS
            field = Posting.deadline if name == "deadline" else Posting.posted_at
            counts = _windows(
                session,
                field,
                windows,
                now,
                conditions,
                past=name == "posted",
            )
            selected = tuple(v for v in (getattr(query, name),) if v)
            facets.append(_facet(name, counts, selected, tuple(windows)))
            continue
        order = vocab.get(name) or fixed.get(name)
        facets.append(_facet(name, counts, query.values(name), order))
    return facets


def count_facets(
    session: Session,
    query: OpeningsQuery,
    *,
    search: SearchQuery,
    now: datetime,
    cache: FacetCache | None,
    conditions_for: Conditions,
    with_facets: bool = True,
) -> Counted:
    """Total and facet counts for ``query``, from the cache when fresh."""
    key = (id(session.get_bind()), query.cache_key(), now.date().isoformat(), with_facets)
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    sqlite = session.get_bind().dialect.name == "sqlite"
    first = few_hits(session, search) if sqlite else True
    facet_index = sqlite and not (search.searchable and first)

    def conditions(skip: str | None) -> list[ColumnElement[bool]]:
        return conditions_for(skip, first)

    counting = select(func.count()).select_from(Posting)
    total = int(session.scalar(counting.where(*conditions(None))) or 0)
    open_total = int(session.scalar(counting.where(col(Posting.closed_at).is_(None))) or 0)
    facets = (
        compute_facets(session, query, now=now, conditions_for=conditions, facet_index=facet_index)
        if with_facets
        else []
    )
    counted = Counted(total=total, facets=facets, open_total=open_total, search_first=first)
    if cache is not None:
        cache.put(key, counted)
    return counted
