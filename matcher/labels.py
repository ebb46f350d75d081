"""People's corrections of tags (Label rows): validate, apply at once, learn from later.

A Label beats the classifier for its posting and field from the moment it is written, and
tagging re-applies every Label after each prediction, so retraining never undoes one. At the
next training run the corrected postings become extra examples (their stored text plus the
corrected fields only), and the Label rows are stamped with the model version that used them.
"""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, func, select

from matcher.classifier.corpus import Example
from matcher.errors import LabelError
from matcher.taxonomy import AREAS, FIELDS, MULTI_FIELD, values_of
from store.models import Label, Posting

LabelValue = str | list[str]


def normalise_value(field: str, value: str | Sequence[str]) -> str:
    """The stored form of a correction (areas: comma-separated); LabelError if not allowed."""
    if field not in FIELDS:
        raise LabelError(f"unknown tag field {field!r}; use one of {', '.join(FIELDS)}")
    if field == MULTI_FIELD:
        parts = value.split(",") if isinstance(value, str) else list(value)
        areas = sorted({part.strip() for part in parts if part.strip()})
        unknown = [area for area in areas if area not in AREAS]
        if unknown:
            raise LabelError(f"unknown area {unknown[0]!r}; use any of {', '.join(AREAS)}")
        return ",".join(area for area in AREAS if area in areas)
    if not isinstance(value, str) or value.strip() not in values_of(field):
        raise LabelError(f"{field} must be one of {', '.join(values_of(field))}, not {value!r}")
    return value.strip()


def decode_value(field: str, stored: str) -> LabelValue:
    """A stored Label value as the posting column holds it (a list for areas)."""
    if field == MULTI_FIELD:
        return [area for area in stored.split(",") if area]
    return stored


def corrected_columns(
    corrections: dict[str, LabelValue], evidence: dict[str, Any]
) -> dict[str, Any]:
    """The Posting column values a set of corrections sets (probability 1, no model evidence)."""
    columns: dict[str, Any] = {}
    evidence = dict(evidence)
    for field, value in corrections.items():
        if field == MULTI_FIELD:
            columns[MULTI_FIELD] = list(value)
        else:
            columns[field] = value
            columns[f"{field}_p"] = 1.0
        evidence[field] = []
    if corrections:
        columns["tag_evidence"] = evidence
    return columns


def override_posting(posting: Posting, corrections: dict[str, LabelValue]) -> None:
    """Write corrected fields onto a posting's tag columns."""
    for column, value in corrected_columns(corrections, posting.tag_evidence or {}).items():
        setattr(posting, column, value)


def current_labels(
    session: Session, posting_ids: Sequence[int] | None = None
) -> dict[int, dict[str, LabelValue]]:
    """The latest correction per posting and field (for the given postings, or all)."""
    query = select(Label).order_by(col(Label.created_at), col(Label.id))
    if posting_ids is not None:
        query = query.where(col(Label.posting_id).in_(list(posting_ids)))
    result: dict[int, dict[str, LabelValue]] = {}
    for label in session.exec(query):
        if label.field in FIELDS:  # a field retired from the vocabulary is ignored, not fatal
            result.setdefault(label.posting_id, {})[label.field] = decode_value(
                label.field, label.value
            )
    return result


def apply_correction(
    session: Session,
    posting_id: int,
    field: str,
    value: str | Sequence[str],
    *,
    user_id: int | None = None,
    author: str = "",
) -> Label:
    """Record a person's tag for a posting and show it on the posting at once."""
    stored = normalise_value(field, value)
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise LabelError(f"no posting with id {posting_id}")
    label = Label(posting_id=posting_id, field=field, value=stored, user_id=user_id, author=author)
    session.add(label)
    override_posting(posting, {field: decode_value(field, stored)})
    session.add(posting)
    session.flush()
    return label


def training_examples(session: Session) -> list[Example]:
    """Corrected postings as training examples: stored text, corrected fields only."""
    corrections = current_labels(session)
    if not corrections:
        return []
    postings = session.exec(select(Posting).where(col(Posting.id).in_(list(corrections))))
    examples = []
    for posting in sorted(postings, key=lambda p: p.id or 0):
        fields: dict[str, Any] = dict(corrections[posting.id or 0])
        if MULTI_FIELD in fields:
            fields[MULTI_FIELD] = tuple(fields[MULTI_FIELD])
        examples.append(
            Example(
                id=f"label-{posting.id}",
                title=posting.title,
                text=posting.description_text,
                organisation=posting.organisation_name,
                note="correction",
                **fields,
            )
        )
    return examples


def unused_label_count(session: Session) -> int:
    """How many corrections no trained model has learnt from yet (the scheduler's trigger)."""
    query = select(func.count()).select_from(Label).where(col(Label.used_in_model).is_(None))
    return int(session.exec(query).one())


def mark_used(session: Session, version: str) -> int:
    """Stamp every not-yet-used correction with the model version that learnt from it."""
    labels = session.exec(select(Label).where(col(Label.used_in_model).is_(None))).all()
    for label in labels:
        label.used_in_model = version
        session.add(label)
    return len(labels)
