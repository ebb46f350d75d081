"""Load the bundled sample postings (rolefit/demo/) into the demo database.

The sample is invented by the project. Its dates are written around REFERENCE_DAY and shifted on
load so the newest posting is from today and deadlines stay in the future.
"""

import tomllib
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from rolefit.records_io import read_records
from store.clock import utcnow
from store.db import session_scope
from store.ingest import get_or_create_organisation, upsert_postings
from store.models import Organisation, Posting, Source
from store.records import PostingRecord

DEMO_DIR = Path(__file__).parent / "demo"
REFERENCE_DAY = date(2026, 12, 1)
DEMO_SOURCE_ID = "demo-sample"


def shift_dates(records: list[PostingRecord], today: date) -> list[PostingRecord]:
    """Move every date by (today - REFERENCE_DAY) so the sample looks current."""
    delta = timedelta(days=(today - REFERENCE_DAY).days)
    shifted = []
    for record in records:
        update: dict[str, object] = {}
        if record.posted_at:
            update["posted_at"] = record.posted_at + delta
        if record.deadline:
            update["deadline"] = record.deadline + delta
        shifted.append(record.model_copy(update=update))
    return shifted


def load_organisations(session: Session, path: Path) -> int:
    """Create the sample organisations with their types; return how many there are."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = data.get("organisation", [])
    for entry in entries:
        org = get_or_create_organisation(
            session, entry["name"], org_type=entry.get("org_type"), homepage=entry.get("homepage")
        )
        if org is not None:
            org.org_type = entry.get("org_type", org.org_type)
    return len(entries)


def demo_is_loaded(engine: Engine) -> bool:
    """True when the demo database already holds the sample."""
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Posting)).one()
    return bool(count)


def load_demo(engine: Engine, *, today: date | None = None, directory: Path = DEMO_DIR) -> int:
    """Fill ``engine``'s database with the sample; return the number of postings stored."""
    today = today or utcnow().date()
    records = shift_dates(read_records(directory / "postings.jsonl"), today)
    with session_scope(engine) as session:
        load_organisations(session, directory / "organisations.toml")
        source = session.get(Source, DEMO_SOURCE_ID)
        if source is None:
            source = Source(id=DEMO_SOURCE_ID, platform="demo", endpoint="bundled sample")
            session.add(source)
        source.last_attempt_at = source.last_success_at = utcnow()
        session.flush()
        upsert_postings(session=session, source=source, records=records)
        source.last_good_count = len(records)
        orgs = session.exec(select(Organisation)).all()
        assert orgs, "sample organisations missing"
    return len(records)
