"""Which postings an openings query selects, and the facet counts around them.

Counts are disjunctive: the counts shown for a facet ignore that facet's own selection, so
choosing "job" still shows how many fellowships there are. Everything here works on the arrays of
``web.openindex.OpenIndex``: each selection is a boolean mask over the open postings, the
matching set is their AND, and a facet's counts come from the AND of every mask but its own.
"""

from datetime import datetime

import numpy as np

from matcher.taxonomy import AREAS, SINGLE_FIELDS
from store.models import ORG_TYPES
from web.filters import DEADLINE_WINDOWS, POSTED_WINDOWS, OpeningsQuery
from web.openindex import BoolArray, IntArray, OpenIndex, deadline_window, posted_window
from web.schemas import Facet, FacetValue

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
TOP_VALUES = 12  # organisations and locations: the most common, plus any selected


def value_label(facet: str, value: str) -> str:
    """How a facet value reads on the page."""
    label = VALUE_LABELS.get(facet, {}).get(value)
    if label:
        return label
    if facet in ("org", "location"):
        return value
    return value.replace("-", " ").replace("_", " ").capitalize()


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


FIXED_VALUES = {
    "remote": ("remote", "hybrid", "onsite", "unknown"),
    "visa": ("yes", "no", "unknown"),
}


def _vocabulary() -> dict[str, tuple[str, ...]]:
    return {**SINGLE_FIELDS, "area": AREAS}


def unknown_values(query: OpeningsQuery) -> list[str]:
    """A message per filter value outside its fixed vocabulary (it can only match nothing)."""
    known = {**_vocabulary(), **FIXED_VALUES, "org_type": ORG_TYPES}
    messages = []
    for name, values in query.facets.items():
        allowed = known.get(name)
        for value in values:
            if allowed is not None and value not in allowed:
                label = FACET_LABELS[name].lower()
                choices = ", ".join(allowed)
                messages.append(f"No {label} “{value}”: it matches nothing (try {choices}).")
    return messages


def selections(
    index: OpenIndex, query: OpeningsQuery, now: datetime, search: BoolArray | None = None
) -> dict[str, BoolArray]:
    """One mask per part of ``query`` that narrows the list, keyed by facet ("q": the search).

    The masks may be shared with other requests: combine them into new arrays, never in place.
    """
    masks: dict[str, BoolArray] = {}
    for name, coded in index.facets.items():
        if query.values(name):
            masks[name] = coded.mask(query.values(name), len(index))
    if query.deadline:
        masks["deadline"] = deadline_window(index.deadline, query.deadline, now.date())
    if query.posted:
        masks["posted"] = posted_window(index.posted, query.posted, now)
    if search is not None:
        masks["q"] = search
    return masks


def combined(masks: dict[str, BoolArray], size: int, skip: str | None = None) -> BoolArray:
    """The AND of every mask except ``skip``'s (all postings when nothing narrows)."""
    keep = np.ones(size, dtype=bool)
    for name, mask in masks.items():
        if name != skip:
            keep &= mask
    return keep


def facet_counts(
    index: OpenIndex, query: OpeningsQuery, masks: dict[str, BoolArray], now: datetime
) -> list[Facet]:
    """Every facet with its counts (each ignoring its own selection)."""
    vocab = _vocabulary()
    everything = combined(masks, len(index))
    everything_rows = np.flatnonzero(everything)
    facets = []
    for name in FACET_LABELS:
        rows = (
            np.flatnonzero(combined(masks, len(index), skip=name))
            if name in masks
            else everything_rows
        )
        if name in ("deadline", "posted"):
            windows = DEADLINE_WINDOWS if name == "deadline" else POSTED_WINDOWS
            counts = {
                key: int(np.count_nonzero(_window(index, rows, name, key, now))) for key in windows
            }
            selected = tuple(v for v in (getattr(query, name),) if v)
            facets.append(_facet(name, counts, selected, tuple(windows)))
            continue
        counts = index.facets[name].counts(rows)
        order = vocab.get(name) or FIXED_VALUES.get(name)
        facets.append(_facet(name, counts, query.values(name), order))
    return facets


def _window(index: OpenIndex, rows: IntArray, name: str, key: str, now: datetime) -> BoolArray:
    if name == "deadline":
        return deadline_window(index.deadline[rows], key, now.date())
    return posted_window(index.posted[rows], key, now)
