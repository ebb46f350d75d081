"""`rolefit import`: store normalised posting records (the shape `rolefit parse` prints)."""

from pathlib import Path

import click

from rolefit.context import open_database
from rolefit.records_io import read_records
from rolefit.settings import Settings
from store.db import session_scope
from store.ingest import UpsertResult, upsert_postings
from store.models import Source
from store.records import PostingRecord


def ensure_source(session: object, source_id: str, platform: str) -> Source:
    """The Source row for imported records, created on first use."""
    from sqlmodel import Session

    assert isinstance(session, Session)
    source = session.get(Source, source_id)
    if source is None:
        source = Source(id=source_id, platform=platform, endpoint="")
        session.add(source)
        session.flush()
    return source


def import_records(
    settings: Settings, records: list[PostingRecord], *, source_id: str, url: str | None = None
) -> UpsertResult:
    """Upsert records under one source, keeping prose evidence, and tag what is new or changed."""
    from crawlers.prose import enrich

    records = [enrich(record) for record in records]
    engine = open_database(settings, url=url)
    with session_scope(engine) as session:
        source = ensure_source(session, source_id, "import")
        result = upsert_postings(session=session, source=source, records=records)
    if result.changed_ids:
        from rolefit.tagging import tag_changed

        tag_changed(settings, engine, result.changed_ids)
    return result


def run_import(settings: Settings, file: Path, *, source_id: str) -> None:
    """Read a JSON-lines file of records and store them."""
    records = read_records(file)
    result = import_records(settings, records, source_id=source_id)
    click.echo(
        f"imported {len(records)} records into source {source_id!r}: "
        f"{result.new} new, {result.updated} updated, {result.unchanged} unchanged"
    )
