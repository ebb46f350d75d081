"""Saving, loading and (re)training the classifier in the data directory's model folder.

Files: ``role_classifier.joblib`` (the fitted model) and ``role_classifier.json`` (the sidecar:
versions, hashes, metrics). joblib runs code on load, so rolefit only ever loads the file it
wrote itself into its own data folder. A saved model is used only while its label-set hash,
corpus hash, code model version and scikit-learn version all match this code; otherwise it is
retrained, which takes seconds.
"""

import hashlib
import json
import logging
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import joblib
import numpy
import scipy
import sklearn

from matcher.classifier.baseline import keyword_predict
from matcher.classifier.corpus import Example, examples_hash, load_check, load_training
from matcher.classifier.evaluate import FieldScore, cross_validate, score_examples, tagset_of
from matcher.classifier.model import ModelParams, RoleClassifier, fit_classifier
from matcher.errors import MatcherError, ModelMismatch
from matcher.taxonomy import SINGLE_FIELDS, label_set_hash
from store.clock import utcnow

log = logging.getLogger(__name__)

# Bump when features, heads or their parameters change: saved models are then retrained.
CODE_MODEL_VERSION = "rc3"
MODEL_FILE = "role_classifier.joblib"
SIDECAR_FILE = "role_classifier.json"


def model_version(corpus_hash: str, extras_hash: str, params: ModelParams) -> str:
    """The version stamped on postings: code version plus a hash of everything trained on."""
    payload = json.dumps(
        [CODE_MODEL_VERSION, label_set_hash(), corpus_hash, extras_hash, asdict(params)],
        sort_keys=True,
        default=str,
    )
    return f"{CODE_MODEL_VERSION}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}"


def library_versions() -> dict[str, str]:
    """Versions of the libraries the model file depends on."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def git_revision() -> str | None:
    """The checkout's commit, when the code runs from a git checkout (provenance only)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def read_sidecar(model_dir: Path) -> dict[str, Any] | None:
    """The sidecar of the saved model, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((model_dir / SIDECAR_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def stale_reason(sidecar: dict[str, Any], corpus_hash: str) -> str | None:
    """Why a saved model must not be served (None when it is current)."""
    checks = (
        ("code model version", sidecar.get("code_model_version"), CODE_MODEL_VERSION),
        ("label set", sidecar.get("label_set_hash"), label_set_hash()),
        ("training corpus", sidecar.get("corpus_hash"), corpus_hash),
        (
            "scikit-learn version",
            sidecar.get("versions", {}).get("scikit-learn"),
            sklearn.__version__,
        ),
    )
    for what, saved, current in checks:
        if saved != current:
            return f"{what} changed ({saved} -> {current})"
    return None


def load_model(
    model_dir: Path, *, corpus: Sequence[Example] | None = None
) -> RoleClassifier | None:
    """The saved classifier if it is current for this code and corpus, else None."""
    sidecar = read_sidecar(model_dir)
    if sidecar is None or not (model_dir / MODEL_FILE).exists():
        return None
    reason = stale_reason(sidecar, examples_hash(corpus if corpus is not None else load_training()))
    if reason:
        log.info("saved role classifier is stale: %s", reason)
        return None
    try:
        payload = joblib.load(model_dir / MODEL_FILE)
    except Exception as exc:  # a half-written or foreign file: retrain rather than fail
        log.warning("cannot load %s (%s); retraining", model_dir / MODEL_FILE, exc)
        return None
    classifier = payload.get("classifier") if isinstance(payload, dict) else None
    if not isinstance(classifier, RoleClassifier) or classifier.version != sidecar.get(
        "model_version"
    ):
        return None
    return classifier


def _write_atomic(path: Path, write: Any) -> None:
    """Write through a temp file in the same folder, then rename: readers never see half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise MatcherError(f"cannot write the model to {path.parent}: {exc.strerror}") from exc
    os.close(handle)
    try:
        write(Path(temp))
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def save_model(model_dir: Path, classifier: RoleClassifier, sidecar: dict[str, Any]) -> None:
    """Write the model file and its sidecar (model first: the sidecar says it is ready)."""
    if sidecar.get("model_version") != classifier.version:
        raise ModelMismatch("sidecar and model disagree on the version")
    _write_atomic(model_dir / MODEL_FILE, lambda p: joblib.dump({"classifier": classifier}, p))
    text = json.dumps(sidecar, indent=2, sort_keys=True)
    _write_atomic(model_dir / SIDECAR_FILE, lambda p: p.write_text(text, encoding="utf-8"))


def _scores(scores: dict[str, FieldScore]) -> dict[str, Any]:
    return {name: score.to_dict() for name, score in scores.items()}


def check_figures(classifier: RoleClassifier, check: Sequence[Example]) -> dict[str, Any]:
    """Model and keyword-baseline scores on the check set, overall and on the hard cases."""
    hard = [example for example in check if example.is_hard]
    figures: dict[str, Any] = {"n": len(check), "n_hard": len(hard)}
    for subset_name, subset in (("all", check), ("hard", hard)):
        predictions = classifier.predict(subset)
        figures[subset_name] = {
            "model": _scores(
                score_examples(
                    subset,
                    [tagset_of(p) for p in predictions],
                    [p.probabilities for p in predictions],
                )
            ),
            "baseline": _scores(score_examples(subset, keyword_predict(subset))),
        }
    return figures


def train_and_save(
    model_dir: Path,
    *,
    extra: Sequence[Example] = (),
    cross_validation: bool = True,
    params: ModelParams | None = None,
) -> tuple[RoleClassifier, dict[str, Any]]:
    """Train on the corpus plus ``extra`` (corrections), evaluate and save; return both."""
    params = params or ModelParams()
    corpus = load_training()
    examples = [*corpus, *extra]
    corpus_hash, extras_hash = examples_hash(corpus), examples_hash(extra)
    version = model_version(corpus_hash, extras_hash, params)
    started = time.perf_counter()
    classifier = fit_classifier(examples, params, version=version)
    seconds = time.perf_counter() - started
    metrics: dict[str, Any] = {"check": check_figures(classifier, load_check())}
    if cross_validation:
        metrics["cross_validation"] = _scores(cross_validate(examples, params))
    sidecar = {
        "model_version": version,
        "code_model_version": CODE_MODEL_VERSION,
        "label_set_hash": label_set_hash(),
        "corpus_hash": corpus_hash,
        "extras_hash": extras_hash,
        "n_corpus": len(corpus),
        "n_extra": len(extra),
        "versions": library_versions(),
        "git_revision": git_revision(),
        "params": asdict(params),
        "trained_at": utcnow().isoformat(),
        "training_seconds": round(seconds, 3),
        "metrics": metrics,
        "top_features": {
            name: {label: classifier.top_features(name, label, 10) for label in labels}
            for name, labels in SINGLE_FIELDS.items()
        },
    }
    save_model(model_dir, classifier, sidecar)
    log.info("trained role classifier %s in %.1fs", version, seconds)
    return classifier, sidecar


def load_or_train(
    model_dir: Path, *, extra_labels: Sequence[Example] | None = None, force: bool = False
) -> RoleClassifier:
    """The saved classifier, trained first if missing, stale or built from other corrections.

    ``extra_labels=None`` accepts whatever corrections the saved model was trained with;
    a list asks for a model trained on exactly those; ``force`` always retrains.
    """
    if not force:
        classifier = load_model(model_dir)
        sidecar = read_sidecar(model_dir) or {}
        wanted = examples_hash(extra_labels) if extra_labels is not None else None
        if classifier is not None and wanted in (None, sidecar.get("extras_hash")):
            return classifier
    classifier, _ = train_and_save(model_dir, extra=extra_labels or (), cross_validation=False)
    return classifier
