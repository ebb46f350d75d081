"""Writing the classifier's tags onto stored postings, corrections re-applied on top.

``tag_postings`` is the one place predictions reach the database; it works in batches so a bulk
re-tag after retraining keeps memory flat. ``retrain`` is what ``rolefit train`` and the
scheduler's label-triggered job run: corpus + corrections -> new model -> every posting re-tagged.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from matcher.classifier.features import PostingText
from matcher.classifier.model import Prediction, RoleClassifier
from matcher.classifier.persist import load_model, train_and_save
from matcher.labels import corrected_columns, current_labels, mark_used, training_examples
from matcher.taxonomy import MULTI_FIELD, SINGLE_FIELDS
from store.clock import utcnow
from store.models import Posting

BATCH = 500


def tag_columns(prediction: Prediction, version: str) -> dict[str, Any]:
    """The Posting column values for one prediction (before corrections)."""
    columns: dict[str, Any] = {}
    for name in SINGLE_FIELDS:
        tag = prediction.tag(name)
        columns[name] = tag.label
        columns[f"{name}_p"] = round(tag.p, 4)
    columns[MULTI_FIELD] = list(prediction.areas)
    columns["tag_probabilities"] = {
        name: {label: round(p, 4) for label, p in dist.items()}
        for name, dist in prediction.probabilities.items()
    }
    columns["tag_evidence"] = {name: list(v) for name, v in prediction.evidence.items()}
    columns["model_version"] = version
    return columns


def _chunks(values: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _ids_to_tag(
    session: Session,
    classifier: RoleClassifier,
    ids: Sequence[int] | None,
    only_untagged: bool,
    only_stale: bool,
) -> list[int]:
    query = select(Posting.id).order_by(col(Posting.id))
    if only_untagged:
        query = query.where(col(Posting.model_version).is_(None))
    elif only_stale:
        query = query.where(
            or_(
                col(Posting.model_version).is_(None),
                col(Posting.model_version) != classifier.version,
            )
        )
    if ids is None:
        return [i for i in session.exec(query) if i is not None]
    found: list[int] = []
    for chunk in _chunks(sorted(set(ids)), BATCH):
        found.extend(i for i in session.exec(query.where(col(Posting.id).in_(chunk))) if i)
    return found


def tag_postings(
    session: Session,
    classifier: RoleClassifier,
    ids: Sequence[int] | None = None,
    only_untagged: bool = False,
    *,
    only_stale: bool = False,
) -> int:
    """Tag postings (all, or ``ids``) and re-apply corrections; return how many were tagged.

    ``only_untagged`` skips postings tagged by any model; ``only_stale`` skips those already
    tagged by this classifier's version.
    """
    todo = _ids_to_tag(session, classifier, ids, only_untagged, only_stale)
    now = utcnow()
    for chunk in _chunks(todo, BATCH):
        rows = session.exec(
            select(Posting.id, Posting.title, Posting.description_text).where(
                col(Posting.id).in_(chunk)
            )
        ).all()
        predictions = classifier.predict(
            [PostingText(title=title, text=text) for _, title, text in rows]
        )
        corrections = current_labels(session, chunk)
        updates = []
        for (posting_id, _, _), prediction in zip(rows, predictions, strict=True):
            columns = tag_columns(prediction, classifier.version)
            columns.update(
                corrected_columns(corrections.get(posting_id or 0, {}), columns["tag_evidence"])
            )
            updates.append({"id": posting_id, "tagged_at": now, **columns})
        # One executemany UPDATE per batch: loading and flushing ORM objects costs 3x more.
        session.execute(update(Posting), updates)
    # Postings already loaded in this session must not show their old tags.
    session.expire_all()
    return len(todo)


@dataclass
class RetrainResult:
    """What a retraining run produced."""

    classifier: RoleClassifier
    sidecar: dict[str, Any]
    tagged: int
    labels_used: int


def retrain(session: Session, model_dir: Path, *, cross_validation: bool = True) -> RetrainResult:
    """Train on the corpus plus every correction, save, and re-tag all stored postings."""
    extra = training_examples(session)
    classifier, sidecar = train_and_save(model_dir, extra=extra, cross_validation=cross_validation)
    used = mark_used(session, classifier.version)
    tagged = tag_postings(session, classifier)
    return RetrainResult(classifier=classifier, sidecar=sidecar, tagged=tagged, labels_used=used)


def current_classifier(session: Session, model_dir: Path) -> RoleClassifier:
    """The saved classifier if current, else one trained now on the corpus plus corrections.

    Training without the corrections would lose them for good when they are already marked
    used (a stale model after a corpus change), so every caller that may train goes here.
    """
    classifier = load_model(model_dir)
    if classifier is not None:
        return classifier
    classifier, _ = train_and_save(
        model_dir, extra=training_examples(session), cross_validation=False
    )
    mark_used(session, classifier.version)
    return classifier
