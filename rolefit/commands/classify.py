"""`rolefit classify [FILE|-]`: tag postings given as JSON lines, one JSON line out per input.

Input lines are objects with ``id``, ``title``, ``text`` and optional ``organisation``. The
whole input is checked before anything is printed, so a bad line stops the run with its number
and no partial output.
"""

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from matcher.classifier import PostingText
from matcher.errors import MatcherError
from rolefit.errors import InputError, RolefitError
from rolefit.settings import Settings
from rolefit.tagging import classifier_for

BATCH = 1000


def _decoded(number: int, raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"line {number}: not UTF-8 text ({exc.reason})") from exc


def _numbered_lines(file: Path) -> Iterator[tuple[int, str]]:
    # Bytes are decoded here, line by line, so bad bytes are reported with their line number
    # (stdin's own decoder would hide them behind surrogate escapes or a traceback).
    if str(file) == "-":
        stdin: IO[Any] = getattr(sys.stdin, "buffer", sys.stdin)
        for number, raw in enumerate(stdin, start=1):
            yield number, _decoded(number, raw)
        return
    with file.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            yield number, _decoded(number, raw)


def parse_line(number: int, line: str) -> tuple[Any, PostingText]:
    """One input line as (id, posting text); InputError naming the line if unusable."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"line {number}: invalid JSON ({exc.msg})") from exc
    if not isinstance(value, dict):
        raise InputError(f"line {number}: expected a JSON object with id, title and text")
    fields = {}
    for key in ("title", "text", "organisation"):
        raw = value.get(key)
        if raw is not None and not isinstance(raw, str):
            raise InputError(f"line {number}: {key} must be a string")
        fields[key] = raw or ""
    if not fields["title"].strip() and not fields["text"].strip():
        raise InputError(f"line {number}: has neither title nor text")
    return value.get("id"), PostingText(**fields)


def read_input(file: Path) -> list[tuple[Any, PostingText]]:
    """Every non-blank input line, checked."""
    return [parse_line(n, line) for n, line in _numbered_lines(file) if line.strip()]


def run_classify(settings: Settings, file: Path) -> None:
    """Classify the postings in ``file`` (or stdin for "-") and print one JSON line each."""
    items = read_input(file)
    if not items:
        return
    try:
        classifier = classifier_for(settings)
    except MatcherError as exc:
        raise RolefitError(str(exc)) from exc
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        predictions = classifier.predict([text for _, text in batch])
        for (item_id, _), prediction in zip(batch, predictions, strict=True):
            click.echo(json.dumps(prediction.to_contract(item_id), ensure_ascii=False))
