"""`rolefit parse`: parse one saved payload into normalised records, one JSON object a line."""

import json
import sys
from pathlib import Path

import click

from rolefit.errors import InputError


def _read(file: Path) -> bytes:
    if str(file) == "-":
        return sys.stdin.buffer.read()
    try:
        return file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror}") from exc


def run_parse(fmt: str, file: Path) -> None:
    """Print each posting in FILE (a payload in format FMT) as one JSON line."""
    from crawlers.errors import ParseError
    from crawlers.parse import parse_payload

    try:
        records = parse_payload(fmt, _read(file))
    except ParseError as exc:
        raise InputError(f"{file}: {exc}") from exc
    for record in records:
        click.echo(json.dumps(record.contract_dict(), ensure_ascii=False))
