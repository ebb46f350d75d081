"""The tag vocabulary rolefit puts on every posting (docs/TAXONOMY.md explains each value).

Four single-choice fields and one multi-label field. ``style`` and ``level`` describe technical
postings; the classifier still scores them for every posting, and readers should look at
``track`` before showing them. The order of values here is the order used in reports.
"""

import hashlib
import json
from enum import StrEnum


class Kind(StrEnum):
    """What sort of opportunity a posting is."""

    JOB = "job"
    INTERNSHIP = "internship"
    FELLOWSHIP = "fellowship"
    COURSE = "course"
    PHD = "phd"
    POSTDOC = "postdoc"
    GRANT = "grant"
    OTHER = "other"


class Track(StrEnum):
    """What kind of work the posting is for."""

    TECHNICAL = "technical"
    GOVERNANCE = "governance"
    OPERATIONS = "operations"


class Style(StrEnum):
    """Empirical (experiments on, or engineering for, ML systems) or theoretical (proofs)."""

    EMPIRICAL = "empirical"
    THEORETICAL = "theoretical"


class Level(StrEnum):
    """Whether the person sets the research direction (lead) or executes it (contributor)."""

    LEAD = "lead"
    CONTRIBUTOR = "contributor"


class Area(StrEnum):
    """Research areas; a posting has zero or more."""

    INTERPRETABILITY = "interpretability"
    OVERSIGHT = "oversight"
    EVALS = "evals"
    CONTROL = "control"
    ROBUSTNESS = "robustness"
    MODEL_ORGANISMS = "model-organisms"
    THEORY = "theory"
    SECURITY = "security"
    GOVERNANCE = "governance"
    FIELD_BUILDING = "field-building"


# Single-choice fields and their values, in report order.
SINGLE_FIELDS: dict[str, tuple[str, ...]] = {
    "kind": tuple(v.value for v in Kind),
    "track": tuple(v.value for v in Track),
    "style": tuple(v.value for v in Style),
    "level": tuple(v.value for v in Level),
}
AREAS: tuple[str, ...] = tuple(v.value for v in Area)
MULTI_FIELD = "areas"
FIELDS: tuple[str, ...] = (*SINGLE_FIELDS, MULTI_FIELD)
# Fields that are labelled, trained and evaluated on technical postings only.
TECHNICAL_ONLY: tuple[str, ...] = ("style", "level")


def values_of(field: str) -> tuple[str, ...]:
    """The allowed values of a field (the area names for ``areas``); KeyError if unknown."""
    if field == MULTI_FIELD:
        return AREAS
    return SINGLE_FIELDS[field]


def label_set_hash() -> str:
    """A short hash of the whole vocabulary; a saved model trained on another one is refused."""
    payload = json.dumps({**SINGLE_FIELDS, MULTI_FIELD: AREAS}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
