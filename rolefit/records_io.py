"""Reading JSON-lines files of PostingRecords, with errors that name the line."""

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from rolefit.errors import InputError
from store.records import PostingRecord


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    stream: IO[str]
    if str(path) == "-":
        stream = sys.stdin
        yield from enumerate(stream, start=1)
        return
    try:
        with path.open(encoding="utf-8") as stream:
            yield from enumerate(stream, start=1)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def read_json_lines(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (line number, object) for each non-blank line; stop on the first bad line."""
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(value, dict):
            raise InputError(f"{path}: line {number}: expected a JSON object")
        yield number, value


def read_records(path: Path) -> list[PostingRecord]:
    """Parse a JSON-lines file of posting records; a bad line stops with its number."""
    records = []
    for number, value in read_json_lines(path):
        try:
            records.append(PostingRecord.model_validate(value))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "record"
            raise InputError(f"{path}: line {number}: {field}: {first['msg']}") from exc
    return records
