"""Turn PostingRecords into Posting rows without losing anything.

An upsert is keyed by (source, external id). A changed content hash is an update and the
previous title, deadline and hash go to PostingChange; an unchanged hash only refreshes
``last_seen_at``. A closed posting that is listed again reopens (one closed for a passed
deadline reopens only if its deadline moved into the future). A record that is the same
opening as a posting from another source (``store.dedup``) becomes a PostingLink on that
posting, with the reason.

Closing is separate (``store.closing``) and only follows a complete crawl.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from store.clock import utcnow
from store.dedup import DedupIndex
from store.links import add_link, fill_gaps, links_of
from store.models import Organisation, Posting, PostingChange, PostingLink, Source
from store.records import PostingRecord


@dataclass
class UpsertResult:
    """Counts of what an upsert did, and the ids of rows that need (re)classifying."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0
    linked: int = 0  # records merged into a posting from another source
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


def record_values(record: PostingRecord, organisation_id: int | None) -> dict[str, Any]:
    """The Posting column values a record sets (everything but identity, timestamps, extras)."""
    salary = record.salary
    return {
        "url": record.url,
        "apply_url": record.apply_url,
        "title": record.title,
        "organisation_id": organisation_id,
        "organisation_name": record.organisation,
        "department": record.department,
        "locations": list(record.locations),
        "remote": record.remote,
        "employment_type": record.employment_type,
        "posted_at": record.posted_at,
        "deadline": record.deadline,
        "deadline_evidence": record.evidence.get("deadline"),
        "salary_min": salary.min if salary else None,
        "salary_max": salary.max if salary else None,
        "salary_currency": salary.currency if salary else None,
        "salary_period": salary.period if salary else None,
        "salary_evidence": record.evidence.get("salary"),
        "visa_sponsorship": record.visa_sponsorship,
        "visa_evidence": record.evidence.get("visa"),
        "description_html": record.description_html,
        "description_text": record.description_text,
        "content_hash": content_hash(record),
    }


def apply_record(posting: Posting, record: PostingRecord, organisation_id: int | None) -> None:
    """Copy a record's fields onto a Posting row (new or existing)."""
    for name, value in record_values(record, organisation_id).items():
        setattr(posting, name, value)
    if record.extras:
        posting.extras = {**posting.extras, **record.extras}


@cache
def _posting_defaults() -> dict[str, Any]:
    """Every Posting column's default, for inserting rows without building ORM objects."""
    return {
        name: field.get_default(call_default_factory=True)
        for name, field in Posting.model_fields.items()
        if name != "id"
    }


def _insert_new(
    session: Session,
    source: Source,
    items: list[tuple[PostingRecord, int | None]],
    now: datetime,
) -> list[int]:
    """Insert new postings and their origin links in two statements; return their ids in order.

    Building thousands of SQLModel objects one by one dominated a first crawl, so new rows go
    in as plain values (the same values ``apply_record`` would set).
    """
    if not items:
        return []
    defaults = _posting_defaults()
    rows = []
    for record, org_id in items:
        row = {
            key: (value.copy() if isinstance(value, list | dict) else value)
            for key, value in defaults.items()
        }
        row.update(record_values(record, org_id))
        row.update(
            source_id=source.id,
            external_id=record.external_id,
            first_seen_at=now,
            last_seen_at=now,
            extras=dict(record.extras),
        )
        rows.append(row)
    postings = Posting.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    # A plain executemany, then one query for the ids: RETURNING with guaranteed row order
    # makes SQLite run one INSERT per row.
    connection.execute(insert(postings), rows)
    external_ids = [record.external_id for record, _org in items]
    found: dict[str, int] = {}
    for start in range(0, len(external_ids), 500):
        chunk = external_ids[start : start + 500]
        query = sa_select(postings.c.external_id, postings.c.id).where(
            (postings.c.source_id == source.id) & postings.c.external_id.in_(chunk)
        )
        found.update({str(ext): int(pid) for ext, pid in connection.execute(query)})
    ids = [found[external_id] for external_id in external_ids]
    links = [
        {
            "posting_id": posting_id,
            "source_id": source.id,
            "external_id": record.external_id,
            "url": record.url,
            "reason": "origin",
            "created_at": now,
            "last_seen_at": now,
        }
        for posting_id, (record, _org) in zip(ids, items, strict=True)
    ]
    connection.execute(insert(PostingLink.__table__), links)  # type: ignore[attr-defined]
    return ids


def _reopen(posting: Posting, today: date) -> bool:
    """Reopen a closed posting that is listed again; True if it reopened."""
    if posting.closed_at is None:
        return False
    if posting.close_reason == "deadline_passed" and posting.deadline and posting.deadline < today:
        return False
    posting.closed_at = None
    posting.close_reason = None
    return True


def upsert_postings(
    *,
    session: Session,
    source: Source,
    records: Iterable[PostingRecord],
    now: datetime | None = None,
    org_type: str | None = None,
    dedup: DedupIndex | None = None,
) -> UpsertResult:
    """Insert new postings, update changed ones (keeping history), touch unchanged ones.

    ``dedup`` (built once per crawl with ``DedupIndex.build``) merges records that are the same
    opening as a posting from another source; without it one is built for this call.
    """
    now = now or utcnow()
    today = now.date()
    result = UpsertResult()
    existing = {
        p.external_id: p
        for p in session.exec(select(Posting).where(Posting.source_id == source.id)).all()
    }
    links = links_of(session, source.id)
    index = dedup if dedup is not None else DedupIndex.build(session)
    orgs: dict[str, int | None] = {}
    fresh: list[tuple[PostingRecord, int | None]] = []
    for record in records:
        if record.external_id in result.seen_external_ids:
            continue  # a board listing one job twice is one posting
        result.seen_external_ids.add(record.external_id)
        if record.organisation not in orgs:
            org = get_or_create_organisation(session, record.organisation, org_type=org_type)
            orgs[record.organisation] = org.id if org else None
        posting = existing.get(record.external_id)
        if posting is None and record.external_id in links:
            link = links[record.external_id]
            link.last_seen_at = now
            _merge_into(session, link.posting_id, record, source.id, now)
            result.unchanged += 1
            continue
        if posting is None:
            match = index.find(
                session,
                source_id=source.id,
                url=record.url,
                apply_url=record.apply_url,
                organisation=record.organisation,
                title=record.title,
                deadline=record.deadline,
                description=record.description_text,
            )
            if match is not None:
                links[record.external_id] = add_link(
                    session, source, record, match[0], match[1], now
                )
                _merge_into(session, match[0], record, source.id, now)
                result.linked += 1
                continue
            fresh.append((record, orgs[record.organisation]))
            continue
        _update_existing(session, posting, record, orgs[record.organisation], now, today, result)
    session.flush()
    for posting_id, (record, _org) in zip(
        _insert_new(session, source, fresh, now), fresh, strict=True
    ):
        index.add(
            posting_id, source.id, record.url, record.apply_url, record.organisation,
            record.title, record.deadline,
        )  # fmt: skip
        result.new += 1
        result.changed_ids.append(posting_id)
    return result


def _merge_into(
    session: Session, posting_id: int, record: PostingRecord, source_id: str, now: datetime
) -> None:
    """Fill the posting's gaps from a duplicate; a filled deadline or salary joins its history."""
    merged = session.get(Posting, posting_id)
    if merged is None:
        return
    before = _change(merged, now)
    if fill_gaps(merged, record, source_id):
        session.add(before)


def _change(posting: Posting, now: datetime) -> PostingChange:
    """The history row for ``posting`` as it is now, about to change."""
    return PostingChange(
        posting_id=posting.id,  # type: ignore[arg-type]
        changed_at=now,
        old_title=posting.title,
        old_deadline=posting.deadline,
        old_content_hash=posting.content_hash,
    )


def _update_existing(
    session: Session,
    posting: Posting,
    record: PostingRecord,
    org_id: int | None,
    now: datetime,
    today: date,
    result: UpsertResult,
) -> None:
    new_hash = content_hash(record)
    if posting.content_hash != new_hash:
        session.add(_change(posting, now))
        apply_record(posting, record, org_id)
        result.updated += 1
        result.changed_ids.append(posting.id)  # type: ignore[arg-type]
    else:
        result.unchanged += 1
    if _reopen(posting, today):
        result.reopened += 1
    posting.last_seen_at = now
    posting.missing_count = 0
