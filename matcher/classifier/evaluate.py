"""Scoring tag predictions: accuracy, macro-F1, confusion matrices and calibration.

Pure functions over lists; cross-validation refits the whole classifier (features included) on
each fold, so no word of a held-out posting shapes the vocabulary it is scored with.
Style and level are scored on technical postings only, as the guide says.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import KFold, StratifiedKFold

from matcher.classifier.corpus import Example, head_rows
from matcher.classifier.model import ModelParams, Prediction, fit_classifier
from matcher.taxonomy import AREAS, MULTI_FIELD, SINGLE_FIELDS

# A predicted tag set: field -> label (a tuple of areas for ``areas``).
TagSet = dict[str, Any]
ECE_BINS = 10


@dataclass
class FieldScore:
    """How well one field was predicted on a set of postings."""

    n: int
    accuracy: float
    macro_f1: float
    labels: list[str]
    confusion: list[list[int]] | None = None  # rows: true label, columns: predicted
    brier: float | None = None
    ece: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for the sidecar)."""
        return asdict(self)


def tagset_of(prediction: Prediction) -> TagSet:
    """The plain tags of a model prediction."""
    tags: TagSet = {name: prediction.tag(name).label for name in SINGLE_FIELDS}
    tags[MULTI_FIELD] = tuple(prediction.areas)
    return tags


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray) -> float:
    """ECE over equal-width bins of the top label's probability."""
    if len(confidence) == 0:
        return 0.0
    bins = np.minimum((confidence * ECE_BINS).astype(int), ECE_BINS - 1)
    total = 0.0
    for b in range(ECE_BINS):
        mask = bins == b
        if mask.any():
            total += abs(correct[mask].mean() - confidence[mask].mean()) * mask.sum()
    return float(total / len(confidence))


def score_single(
    truth: Sequence[str],
    predicted: Sequence[str],
    labels: Sequence[str],
    probabilities: Sequence[dict[str, float]] | None = None,
) -> FieldScore:
    """Accuracy, macro-F1 over the labels present, confusion matrix and calibration."""
    present = [label for label in labels if label in set(truth) | set(predicted)]
    result = FieldScore(
        n=len(truth),
        accuracy=float(accuracy_score(truth, predicted)) if truth else 0.0,
        macro_f1=float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0))
        if truth
        else 0.0,
        labels=list(labels),
        confusion=confusion_matrix(truth, predicted, labels=list(labels)).tolist()
        if truth
        else None,
    )
    if probabilities is not None and truth:
        p = np.array([[dist.get(label, 0.0) for label in labels] for dist in probabilities])
        onehot = np.array([[float(t == label) for label in labels] for t in truth])
        result.brier = float(((p - onehot) ** 2).sum(axis=1).mean())
        top = p.argmax(axis=1)
        correct = np.array([labels[i] == t for i, t in zip(top, truth, strict=True)], dtype=float)
        result.ece = expected_calibration_error(p.max(axis=1), correct)
    return result


def score_areas(
    truth: Sequence[tuple[str, ...]],
    predicted: Sequence[tuple[str, ...]],
    probabilities: Sequence[dict[str, float]] | None = None,
) -> FieldScore:
    """Multi-label areas: exact-set accuracy, macro-F1 over areas, Brier/ECE per decision."""
    y = np.array([[a in t for a in AREAS] for t in truth], dtype=int).reshape(-1, len(AREAS))
    z = np.array([[a in t for a in AREAS] for t in predicted], dtype=int).reshape(-1, len(AREAS))
    present = [i for i in range(len(AREAS)) if y[:, i].any() or z[:, i].any()]
    result = FieldScore(
        n=len(truth),
        accuracy=float(np.mean([set(t) == set(p) for t, p in zip(truth, predicted, strict=True)]))
        if truth
        else 0.0,
        macro_f1=float(f1_score(y, z, labels=present, average="macro", zero_division=0))
        if present
        else 0.0,
        labels=list(AREAS),
    )
    if probabilities is not None and truth:
        p = np.array([[dist.get(a, 0.0) for a in AREAS] for dist in probabilities])
        result.brier = float(((p - y) ** 2).mean())
        confidence = np.maximum(p, 1 - p).ravel()
        result.ece = expected_calibration_error(confidence, ((p >= 0.5) == y).ravel())
    return result


def score_examples(
    examples: Sequence[Example],
    predicted: Sequence[TagSet],
    probabilities: Sequence[dict[str, dict[str, float]]] | None = None,
) -> dict[str, FieldScore]:
    """Score predictions against the examples' labels, field by field."""
    scores: dict[str, FieldScore] = {}
    for name, labels in SINGLE_FIELDS.items():
        rows = head_rows(examples, name)
        scores[name] = score_single(
            [str(examples[i].label(name)) for i in rows],
            [predicted[i][name] for i in rows],
            labels,
            [probabilities[i][name] for i in rows] if probabilities is not None else None,
        )
    rows = head_rows(examples, MULTI_FIELD)
    scores[MULTI_FIELD] = score_areas(
        [examples[i].areas or () for i in rows],
        [predicted[i][MULTI_FIELD] for i in rows],
        [probabilities[i][MULTI_FIELD] for i in rows] if probabilities is not None else None,
    )
    return scores


def _cell(example: Example) -> str:
    return f"{example.track}/{example.style}/{example.level}"


def _track(example: Example) -> str:
    return str(example.track)


def fold_splitter(examples: Sequence[Example], folds: int, seed: int) -> Any:
    """Stratified folds on track/style/level when every group is big enough, else plain."""
    for key in (_cell, _track):
        groups = [key(e) for e in examples]
        if min(Counter(groups).values()) >= folds:
            return StratifiedKFold(folds, shuffle=True, random_state=seed).split(examples, groups)
    return KFold(folds, shuffle=True, random_state=seed).split(examples)


def cross_validate(
    examples: Sequence[Example], params: ModelParams | None = None, *, folds: int = 5
) -> dict[str, FieldScore]:
    """Out-of-fold predictions for every example, scored like the check set."""
    params = params or ModelParams()
    predicted: list[TagSet | None] = [None] * len(examples)
    probabilities: list[dict[str, dict[str, float]] | None] = [None] * len(examples)
    for train_rows, test_rows in fold_splitter(examples, folds, params.random_state):
        model = fit_classifier([examples[i] for i in train_rows], params)
        for i, prediction in zip(
            test_rows, model.predict([examples[i] for i in test_rows]), strict=True
        ):
            predicted[i] = tagset_of(prediction)
            probabilities[i] = prediction.probabilities
    return score_examples(
        examples,
        [p for p in predicted if p is not None],
        [p for p in probabilities if p is not None],
    )
