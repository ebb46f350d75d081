"""The evaluation report ``rolefit train`` prints, built from the sidecar's figures (pure)."""

from typing import Any


def _f(value: float | None, width: int = 8) -> str:
    return f"{'-' if value is None else f'{value:.3f}':>{width}}"


def score_table(scores: dict[str, Any]) -> list[str]:
    """One row per field: n, accuracy, macro-F1, Brier and ECE."""
    lines = [f"{'field':<8}{'n':>6}{'accuracy':>10}{'macro-F1':>10}{'Brier':>8}{'ECE':>8}"]
    for name, score in scores.items():
        lines.append(
            f"{name:<8}{score['n']:>6}{_f(score['accuracy'], 10)}{_f(score['macro_f1'], 10)}"
            f"{_f(score.get('brier'))}{_f(score.get('ece'))}"
        )
    return lines


def confusion_table(name: str, score: dict[str, Any]) -> list[str]:
    """A confusion matrix with short column names (rows: true label, columns: predicted)."""
    matrix, labels = score.get("confusion"), score["labels"]
    if not matrix:
        return []
    width = max(6, *(len(label) for label in labels)) + 1
    lines = [f"{name} (rows: true, columns: predicted)"]
    lines.append(" " * width + "".join(f"{label[:7]:>8}" for label in labels))
    for label, row in zip(labels, matrix, strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{count:>8}" for count in row))
    return lines


def comparison_table(figures: dict[str, Any]) -> list[str]:
    """Model against the keyword baseline: accuracy / macro-F1, all check postings and hard ones."""
    lines = [
        f"{'field':<8}{'model acc':>10}{'base acc':>10}{'model F1':>10}{'base F1':>10}"
        f"  |{'hard: model acc':>16}{'base acc':>10}{'model F1':>10}{'base F1':>10}"
    ]
    for name, model in figures["all"]["model"].items():
        base = figures["all"]["baseline"][name]
        hard_model = figures["hard"]["model"].get(name, {})
        hard_base = figures["hard"]["baseline"].get(name, {})
        lines.append(
            f"{name:<8}{_f(model['accuracy'], 10)}{_f(base['accuracy'], 10)}"
            f"{_f(model['macro_f1'], 10)}{_f(base['macro_f1'], 10)}  |"
            f"{_f(hard_model.get('accuracy'), 16)}{_f(hard_base.get('accuracy'), 10)}"
            f"{_f(hard_model.get('macro_f1'), 10)}{_f(hard_base.get('macro_f1'), 10)}"
        )
    return lines


def format_report(sidecar: dict[str, Any]) -> str:
    """The whole evaluation as text: CV scores, confusion matrices, calibration, check set."""
    metrics = sidecar.get("metrics", {})
    extra = sidecar["n_extra"]
    lines = [
        f"role classifier {sidecar['model_version']}: {sidecar['n_corpus']} corpus examples"
        f" + {extra} correction{'' if extra == 1 else 's'},"
        f" trained in {sidecar['training_seconds']:.1f} s",
        "style and level are scored on technical postings only; areas accuracy = exact set",
    ]
    cv = metrics.get("cross_validation")
    if cv:
        lines += ["", "Cross-validation (5 folds, out-of-fold predictions)", *score_table(cv)]
        lines += ["", "Confusion matrices (cross-validation)"]
        for name, score in cv.items():
            lines += confusion_table(name, score)
        lines += [
            "",
            "Calibration: Brier score (lower is better; multi-class sum over labels, areas per "
            "decision) and expected calibration error over 10 confidence bins, in the table above",
        ]
    check = metrics.get("check")
    if check:
        lines += [
            "",
            f"Check set ({check['n']} postings written apart, {check['n_hard']} hard cases):"
            " model vs keyword-rules baseline",
            *comparison_table(check),
            "",
            "Check set, model scores with calibration",
            *score_table(check["all"]["model"]),
        ]
    top = sidecar.get("top_features", {})
    if top:
        lines += [
            "",
            "Strongest phrases per label (largest weights; 'title:' = found in the title)",
        ]
        for name in ("style", "level"):
            for label, phrases in top.get(name, {}).items():
                lines.append(f"{name}={label}: {', '.join(phrases)}")
    return "\n".join(lines)
