"""RoleClassifier: one calibrated linear model per tag field over shared TF-IDF features.

Each field has its own scikit-learn Pipeline (features -> calibrated linear model). The pipelines
share one fitted feature extractor, so predicting vectorises each posting once and then runs the
small linear heads; ``pipelines`` still gives a complete, self-contained Pipeline per field.

Usage::

    classifier = fit_classifier(load_training(), ModelParams(), version="dev")
    [prediction] = classifier.predict([PostingText(title="Research Engineer", text="...")])
    prediction.style.label, prediction.style.p, prediction.evidence["style"]
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from matcher.classifier.corpus import Example, head_rows
from matcher.classifier.features import FeatureParams, build_features, phrase_names
from matcher.errors import NotTrained
from matcher.taxonomy import AREAS, MULTI_FIELD, SINGLE_FIELDS

EVIDENCE_FIELDS = tuple(SINGLE_FIELDS)


@dataclass(frozen=True)
class ModelParams:
    """Knobs of the model; the defaults are what rolefit ships (chosen by cross-validation)."""

    features: FeatureParams = field(default_factory=FeatureParams)
    c: float = 0.5
    calibration_folds: int = 3
    area_threshold: float = 0.5
    evidence_top: int = 5
    random_state: int = 0


@dataclass(frozen=True)
class Tag:
    """One predicted value and the probability the model gives it."""

    label: str
    p: float


@dataclass
class Prediction:
    """The classifier's tags for one posting, with probabilities and evidence phrases."""

    kind: Tag
    track: Tag
    style: Tag
    level: Tag
    areas: list[str]
    probabilities: dict[str, dict[str, float]]
    evidence: dict[str, list[str]]

    def tag(self, name: str) -> Tag:
        """The Tag of a single-choice field by name."""
        value: Tag = getattr(self, name)
        return value

    def to_contract(self, item_id: Any) -> dict[str, Any]:
        """The JSON object `rolefit classify` prints for this prediction."""
        out: dict[str, Any] = {"id": item_id}
        for name in SINGLE_FIELDS:
            tag = self.tag(name)
            out[name] = {"label": tag.label, "p": round(tag.p, 4)}
        out["areas"] = list(self.areas)
        out["evidence"] = {"style": self.evidence["style"], "level": self.evidence["level"]}
        return out


def _head_model(y: Sequence[str], params: ModelParams) -> ClassifierMixin:
    """A calibrated linear SVM, or a fallback when there is too little data to calibrate."""
    counts = np.unique(np.asarray(y), return_counts=True)[1]
    if len(counts) < 2:
        return DummyClassifier(strategy="prior")
    svm = LinearSVC(C=params.c, class_weight="balanced", random_state=params.random_state)
    folds = min(params.calibration_folds, int(counts.min()))
    if folds < 2:
        return LogisticRegression(C=params.c * 20, class_weight="balanced", max_iter=1000)
    return CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)


def _weights(model: Any) -> tuple[np.ndarray, list[str]] | None:
    """Per class, the linear weight of every feature (rows follow classes); None if no weights."""
    if isinstance(model, CalibratedClassifierCV):
        base = model.calibrated_classifiers_[0].estimator
    elif isinstance(model, LogisticRegression):
        base = model
    else:
        return None
    coef = np.asarray(base.coef_, dtype=np.float32)
    classes = [str(c) for c in base.classes_]
    if coef.shape[0] == 1:  # binary: one row scores the second class
        coef = np.vstack([-coef[0], coef[0]])
    return coef, classes


class RoleClassifier:
    """The served model: shared features plus one fitted head per tag field."""

    def __init__(
        self,
        features: FeatureUnion,
        heads: dict[str, Any],
        *,
        version: str,
        params: ModelParams,
    ) -> None:
        self.features = features
        self.heads = heads
        self.version = version
        self.params = params
        self._phrases = np.array(phrase_names(features), dtype=object)
        # Columns that can be shown as evidence: readable phrases not edged by a stop word.
        self._eligible = np.array([_readable(p) for p in self._phrases], dtype=bool)
        self._weights = {name: _weights(heads[name]) for name in EVIDENCE_FIELDS if name in heads}

    @property
    def fitted(self) -> bool:
        """True when every single-choice field has a head."""
        return all(name in self.heads for name in SINGLE_FIELDS)

    @property
    def pipelines(self) -> dict[str, Pipeline]:
        """A complete features -> model Pipeline per head (for inspection and reuse)."""
        return {
            name: Pipeline([("features", self.features), ("model", head)])
            for name, head in self.heads.items()
        }

    def predict(self, items: Sequence[Any]) -> list[Prediction]:
        """Tag postings (objects with ``title`` and ``text``), in order."""
        if not self.fitted:
            raise NotTrained("the role classifier has not been trained")
        if not items:
            return []
        matrix = sparse.csr_matrix(self.features.transform(items))
        single = {name: self._proba(name, matrix) for name in SINGLE_FIELDS}
        area_p = {area: self._proba(f"{MULTI_FIELD}:{area}", matrix) for area in AREAS}
        rows = range(matrix.shape[0])
        distributions = [
            {
                name: dict(zip(labels, p[row].tolist(), strict=True))
                for name, (labels, p) in single.items()
            }
            for row in rows
        ]
        tags = [{name: _best(dist) for name, dist in row.items()} for row in distributions]
        evidence = self._evidence(
            matrix, {name: [row[name].label for row in tags] for name in EVIDENCE_FIELDS}
        )
        predictions = []
        for row in rows:
            areas = {area: _positive(labels, p[row]) for area, (labels, p) in area_p.items()}
            predictions.append(
                Prediction(
                    **tags[row],
                    areas=[a for a in AREAS if areas[a] >= self.params.area_threshold],
                    probabilities={**distributions[row], MULTI_FIELD: areas},
                    evidence={name: evidence[name][row] for name in EVIDENCE_FIELDS},
                )
            )
        return predictions

    def _proba(self, name: str, matrix: sparse.csr_matrix) -> tuple[list[str], np.ndarray]:
        head = self.heads.get(name)
        if head is None:
            return [], np.zeros((matrix.shape[0], 0))
        return [str(c) for c in head.classes_], np.asarray(head.predict_proba(matrix))

    def _evidence(
        self, matrix: sparse.csr_matrix, labels: dict[str, list[str]]
    ) -> dict[str, list[list[str]]]:
        """Per field and row, the phrases present whose value times weight pushed most toward
        the row's label.

        Done for the whole batch at once (one sort of all positive pushes by row, then size):
        a per-row loop in numpy would cost more than vectorising the text.
        """
        n = matrix.shape[0]
        rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
        shown = self._eligible[matrix.indices]
        rows, columns, values = rows[shown], matrix.indices[shown], matrix.data[shown]
        top = self.params.evidence_top
        result: dict[str, list[list[str]]] = {}
        for name, wanted_labels in labels.items():
            weights = self._weights.get(name)
            if weights is None:
                result[name] = [[] for _ in range(n)]
                continue
            coef, classes = weights
            wanted = np.array([classes.index(x) if x in classes else -1 for x in wanted_labels])
            pushes = values * coef[wanted[rows], columns]
            keep = (pushes > 0) & (wanted[rows] >= 0)
            kept_rows, kept_columns, kept = rows[keep], columns[keep], pushes[keep]
            if len(kept):
                # Sort by row, then by push, largest first, with one float key: row + [0, 0.5).
                # np.lexsort does the same five times slower.
                key = kept_rows + 0.5 * (1.0 - kept.astype(np.float64) / float(kept.max()))
                order = np.argsort(key, kind="stable")
                kept_rows, kept_columns = kept_rows[order], kept_columns[order]
            bounds = np.searchsorted(kept_rows, np.arange(n + 1))
            result[name] = [
                pick_phrases(
                    self._phrases[
                        kept_columns[bounds[i] : min(bounds[i + 1], bounds[i] + 3 * top)]
                    ],
                    top,
                )
                for i in range(n)
            ]
        return result

    def top_features(self, name: str, label: str, n: int = 15) -> list[str]:
        """The phrases with the largest weights toward ``label`` of field ``name``."""
        weights = self._weights.get(name)
        if weights is None or label not in weights[1]:
            return []
        coef, classes = weights
        order = np.argsort(-coef[classes.index(label)], kind="stable")
        named = [self._phrases[i] for i in order if self._phrases[i] is not None]
        return named[:n]


# What tokenising leaves of contractions ("you'll" -> "you", "ll"): never evidence.
CONTRACTION_ENDS = frozenset({"s", "t", "d", "m", "ll", "re", "ve"})


def _word(word: str) -> bool:
    return word not in CONTRACTION_ENDS and any(c.isalpha() for c in word)


def _readable(phrase: str | None) -> bool:
    """Whether a phrase can be shown as evidence: real words, not edged by a stop word."""
    if phrase is None:
        return False
    words = phrase.removeprefix("title: ").split()
    return (
        bool(words)
        and all(_word(w) for w in words)
        and words[0] not in ENGLISH_STOP_WORDS
        and words[-1] not in ENGLISH_STOP_WORDS
    )


def pick_phrases(ranked: Iterable[str], top: int) -> list[str]:
    """The first ``top`` phrases of ``ranked``, where a longer phrase replaces a shorter one it
    contains ("title: research engineer" over "title: engineer") and a contained one is skipped.
    """
    chosen: list[str] = []
    bare: list[str] = []
    for phrase in ranked:
        text = phrase.removeprefix("title: ")
        if any(text in other for other in bare):
            continue
        inside = [k for k, other in enumerate(bare) if other in text]
        if inside:
            chosen[inside[0]], bare[inside[0]] = phrase, text
            for k in reversed(inside[1:]):
                del chosen[k], bare[k]
        elif len(chosen) < top:
            chosen.append(phrase)
            bare.append(text)
        else:
            break
    return chosen


def _best(distribution: dict[str, float]) -> Tag:
    label = max(distribution, key=lambda key: (distribution[key], key))
    return Tag(label=label, p=float(distribution[label]))


def _positive(labels: list[str], row: np.ndarray) -> float:
    """Probability of the positive class of a binary area head (0 when it was never seen)."""
    if "1" in labels:
        return float(row[labels.index("1")])
    return 0.0


def fit_classifier(
    examples: Sequence[Example], params: ModelParams | None = None, *, version: str = "unsaved"
) -> RoleClassifier:
    """Fit the features and every head on ``examples``; deterministic for the same input."""
    params = params or ModelParams()
    # The problems are small: BLAS threads only contend (3-4x slower on a busy machine).
    with threadpool_limits(limits=1):
        features = build_features(params.features)
        matrix = sparse.csr_matrix(features.fit_transform(list(examples)))
        heads: dict[str, Any] = {}
        for name in SINGLE_FIELDS:
            rows = head_rows(examples, name)
            if rows:
                y = [str(examples[i].label(name)) for i in rows]
                heads[name] = _head_model(y, params).fit(matrix[rows], y)
        rows = head_rows(examples, MULTI_FIELD)
        for area in AREAS:
            y = ["1" if area in (examples[i].areas or ()) else "0" for i in rows]
            if rows:
                heads[f"{MULTI_FIELD}:{area}"] = _head_model(y, params).fit(matrix[rows], y)
    return RoleClassifier(features, heads, version=version, params=params)
