"""Turn PostingRecords into Posting rows without losing anything.

An upsert is keyed by (source, external id). A changed content hash is an update and the
previous title, deadline and hash go to PostingChange; an unchanged hash only refreshes
``last_seen_at``. A closed posting that is listed again reopens. Closing postings that vanished
from a source is decided elsewhere (after a complete crawl), never here.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from store.clock import utcnow
from store.models import Organisation, Posting, PostingChange, PostingLink, Source
from store.records import PostingRecord


@dataclass
class UpsertResult:
    """Counts of what an upsert did, and the ids of rows that need (re)classifying."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0
    changed_ids: list[int] = field(default_factory=list)
    seen_external_ids: set[str] = field(default_factory=set)


def content_hash(record: PostingRecord) -> str:
    """A stable hash of what a reader of the posting would see change."""
    salary = record.salary.model_dump() if record.salary else None
    material = {
        "title": record.title,
        "text": " ".join(record.description_text.split()),
        "deadline": record.deadline.isoformat() if record.deadline else None,
        "salary": salary,
        "locations": sorted(record.locations),
        "remote": record.remote,
        "employment_type": record.employment_type,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def get_or_create_organisation(
    session: Session, name: str, *, org_type: str | None = None, homepage: str | None = None
) -> Organisation | None:
    """Find an organisation by exact name, creating it when new; None for an empty name."""
    name = " ".join(name.split())
    if not name:
        return None
    org = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name, org_type=org_type or "nonprofit", homepage=homepage)
        session.add(org)
        session.flush()
    return org


def apply_record(posting: Posting, record: PostingRecord, organisation_id: int | None) -> None:
    """Copy a record's fields onto a Posting row (new or existing)."""
    posting.url = record.url
    posting.apply_url = record.apply_url
    posting.title = record.title
    posting.organisation_id = organisation_id
    posting.organisation_name = record.organisation
    posting.department = record.department
    posting.locations = list(record.locations)
    posting.remote = record.remote
    posting.employment_type = record.employment_type
    posting.posted_at = record.posted_at
    posting.deadline = record.deadline
    posting.deadline_evidence = record.evidence.get("deadline")
    salary = record.salary
    posting.salary_min = salary.min if salary else None
    posting.salary_max = salary.max if salary else None
    posting.salary_currency = salary.currency if salary else None
    posting.salary_period = salary.period if salary else None
    posting.salary_evidence = record.evidence.get("salary")
    posting.visa_sponsorship = record.visa_sponsorship
    posting.visa_evidence = record.evidence.get("visa")
    posting.description_html = record.description_html
    posting.description_text = record.description_text
    posting.content_hash = content_hash(record)
    if record.extras:
        posting.extras = {**posting.extras, **record.extras}


def upsert_postings(
    *,
    session: Session,
    source: Source,
    records: Iterable[PostingRecord],
    now: datetime | None = None,
    org_type: str | None = None,
) -> UpsertResult:
    """Insert new postings, update changed ones (keeping history), touch unchanged ones."""
    now = now or utcnow()
    result = UpsertResult()
    existing = {
        p.external_id: p
        for p in session.exec(select(Posting).where(Posting.source_id == source.id)).all()
    }
    orgs: dict[str, int | None] = {}
    for record in records:
        if record.external_id in result.seen_external_ids:
            continue  # a board listing one job twice is one posting
        result.seen_external_ids.add(record.external_id)
        if record.organisation not in orgs:
            org = get_or_create_organisation(session, record.organisation, org_type=org_type)
            orgs[record.organisation] = org.id if org else None
        posting = existing.get(record.external_id)
        new_hash = content_hash(record)
        if posting is None:
            posting = Posting(source_id=source.id, external_id=record.external_id, title="")
            apply_record(posting, record, orgs[record.organisation])
            posting.first_seen_at = posting.last_seen_at = now
            session.add(posting)
            session.flush()
            assert posting.id is not None
            session.add(
                PostingLink(
                    posting_id=posting.id,
                    source_id=source.id,
                    external_id=record.external_id,
                    url=record.url,
                    reason="origin",
                    created_at=now,
                    last_seen_at=now,
                )
            )
            result.new += 1
            result.changed_ids.append(posting.id)
            continue
        if posting.closed_at is not None and posting.close_reason != "deadline_passed":
            posting.closed_at = None
            posting.close_reason = None
            result.reopened += 1
        posting.last_seen_at = now
        posting.missing_count = 0
        if posting.content_hash == new_hash:
            result.unchanged += 1
            continue
        session.add(
            PostingChange(
                posting_id=posting.id,  # type: ignore[arg-type]
                changed_at=now,
                old_title=posting.title,
                old_deadline=posting.deadline,
                old_content_hash=posting.content_hash,
            )
        )
        apply_record(posting, record, orgs[record.organisation])
        result.updated += 1
        result.changed_ids.append(posting.id)  # type: ignore[arg-type]
    session.flush()
    return result
