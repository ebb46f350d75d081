"""The labelled examples the classifier learns from and is checked against.

The corpus is text kept in the repository (matcher/data/train/*.jsonl, matcher/data/check/
check.jsonl; see matcher/data/LABELLING.md). People's corrections become extra examples of the
same type (matcher.labels.training_examples). A field set to None is unknown for that example and
the head for that field skips it, so a correction of one field teaches only that field.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from matcher.errors import CorpusError
from matcher.taxonomy import AREAS, MULTI_FIELD, SINGLE_FIELDS, TECHNICAL_ONLY

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TRAIN_DIR = DATA_DIR / "train"
CHECK_FILE = DATA_DIR / "check" / "check.jsonl"


@dataclass(frozen=True)
class Example:
    """One labelled posting; None means "not labelled" for that field."""

    id: str
    title: str
    text: str
    organisation: str = ""
    kind: str | None = None
    track: str | None = None
    style: str | None = None
    level: str | None = None
    areas: tuple[str, ...] | None = None
    note: str = ""

    @property
    def is_hard(self) -> bool:
        """True for the cases the labelling notes mark as hard (note starts with "hard")."""
        return self.note.strip().lower().startswith("hard")

    def label(self, field: str) -> str | tuple[str, ...] | None:
        """The example's value for ``field`` (a tuple for areas)."""
        value: str | tuple[str, ...] | None = getattr(self, field)
        return value


def _single(raw: dict[str, Any], field: str, where: str) -> str | None:
    value = raw.get(field)
    if value is None or value == "":
        return None
    if value not in SINGLE_FIELDS[field]:
        raise CorpusError(
            f"{where}: {field} {value!r} is not one of {', '.join(SINGLE_FIELDS[field])}"
        )
    return str(value)


def example_from_dict(raw: dict[str, Any], where: str) -> Example:
    """Validate one JSON object against the vocabulary; CorpusError names ``where``."""
    for key in ("id", "title", "text"):
        if not isinstance(raw.get(key), str):
            raise CorpusError(f"{where}: field {key!r} missing or not text")
    labels = {field: _single(raw, field, where) for field in SINGLE_FIELDS}
    areas_raw = raw.get(MULTI_FIELD)
    areas: tuple[str, ...] | None = None
    if areas_raw is not None:
        if not isinstance(areas_raw, list) or any(a not in AREAS for a in areas_raw):
            raise CorpusError(f"{where}: areas must be a list of {', '.join(AREAS)}")
        areas = tuple(sorted(set(areas_raw)))
    return Example(
        id=raw["id"],
        title=raw["title"],
        text=raw["text"],
        organisation=str(raw.get("organisation") or ""),
        areas=areas,
        note=str(raw.get("note") or ""),
        **labels,
    )


def read_examples(path: Path) -> list[Example]:
    """Read one JSON-lines file of examples; a bad line stops with its file and number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror}") from exc
    examples = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}: line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{where}: invalid JSON ({exc.msg})") from exc
        if not isinstance(raw, dict):
            raise CorpusError(f"{where}: expected a JSON object")
        examples.append(example_from_dict(raw, where))
    return examples


def load_training(directory: Path = TRAIN_DIR) -> list[Example]:
    """All training examples (every *.jsonl in ``directory``, in name order)."""
    files = sorted(directory.glob("*.jsonl"))
    if not files:
        raise CorpusError(f"no training files (*.jsonl) in {directory}")
    examples = [example for file in files for example in read_examples(file)]
    _check_unique(examples)
    return examples


def load_check(path: Path = CHECK_FILE) -> list[Example]:
    """The held-apart check set, used only for evaluation."""
    return read_examples(path)


def _check_unique(examples: Sequence[Example]) -> None:
    seen: set[str] = set()
    for example in examples:
        if example.id in seen:
            raise CorpusError(f"duplicate example id {example.id!r}")
        seen.add(example.id)


def head_rows(examples: Sequence[Example], field: str) -> list[int]:
    """Indices of the examples a head for ``field`` trains or is evaluated on.

    Style and level are learnt from technical postings only (a correction of style or level
    counts as technical: the person judged it so); other fields use every labelled example.
    """
    rows = []
    for index, example in enumerate(examples):
        if example.label(field) is None:
            continue
        if field in TECHNICAL_ONLY and example.track not in (None, "technical"):
            continue
        rows.append(index)
    return rows


def examples_hash(examples: Iterable[Example]) -> str:
    """A stable hash of the examples' content (order-independent)."""
    digest = hashlib.sha256()
    for row in sorted(json.dumps(asdict(e), sort_keys=True) for e in examples):
        digest.update(row.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]
