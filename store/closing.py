"""Closing postings: only after a complete crawl, or when the deadline has passed.

``close_missing`` closes a posting its source has not listed on two consecutive complete
crawls; ``touch_listed`` does the same for an unchanged board (HTTP 304); ``close_expired``
closes postings whose deadline has passed. A failed crawl calls none of them. A posting first
found on an aggregator does not close while the employer's own board still lists it.
"""

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from store.clock import utcnow
from store.models import Posting, PostingLink, Source

MISSES_BEFORE_CLOSING = 2
# An aggregator-found posting stays open while the employer's board listed it this recently.
LINK_FRESHNESS = timedelta(days=3)


def close_missing(
    session: Session, source: Source, seen_external_ids: set[str], *, now: datetime | None = None
) -> int:
    """After a complete crawl: count a miss for each open posting not listed; close on the second."""
    now = now or utcnow()
    closed = 0
    open_postings = session.exec(
        select(Posting).where(Posting.source_id == source.id, col(Posting.closed_at).is_(None))
    ).all()
    aggregator = (source.config or {}).get("org_type") == "aggregator"
    for posting in open_postings:
        if posting.external_id in seen_external_ids:
            continue
        posting.missing_count += 1
        if posting.missing_count >= MISSES_BEFORE_CLOSING:
            if aggregator and _listed_elsewhere(session, posting, now):
                continue  # the employer's own board still lists it: an aggregator's word is not enough
            posting.closed_at = now
            posting.close_reason = "missing_from_source"
            closed += 1
    session.flush()
    return closed


def _listed_elsewhere(session: Session, posting: Posting, now: datetime) -> bool:
    """Whether another source has listed this posting recently (a merged duplicate's link)."""
    recent = now - LINK_FRESHNESS
    link = session.exec(
        select(PostingLink).where(
            PostingLink.posting_id == posting.id,
            PostingLink.source_id != posting.source_id,
            col(PostingLink.last_seen_at) >= recent,
        )
    ).first()
    return link is not None


def close_expired(
    session: Session, *, now: datetime | None = None, source_id: str | None = None
) -> int:
    """Close open postings whose deadline has passed (optionally only one source's)."""
    now = now or utcnow()
    session.flush()  # pending ORM changes first, so the UPDATE sees them
    table = Posting.__table__  # type: ignore[attr-defined]
    condition = (
        table.c.closed_at.is_(None)
        & table.c.deadline.is_not(None)
        & (table.c.deadline < now.date())
    )
    if source_id is not None:
        condition = condition & (table.c.source_id == source_id)
    result = session.connection().execute(
        update(table).where(condition).values(closed_at=now, close_reason="deadline_passed")
    )
    if result.rowcount:
        session.expire_all()  # loaded Posting objects must not keep the old closed_at
    return int(result.rowcount)


def touch_listed(
    session: Session, source: Source, *, now: datetime | None = None
) -> tuple[int, int]:
    """An unchanged board (HTTP 304) lists exactly what the last complete crawl listed.

    Those postings are touched; the ones already missing from that listing are still missing
    from an identical one, so they count a miss and close on the second. Returns
    (touched, closed). Done as three UPDATEs: an all-304 re-crawl should cost next to nothing.
    """
    now = now or utcnow()
    table = Posting.__table__  # type: ignore[attr-defined]
    mine = (table.c.source_id == source.id) & table.c.closed_at.is_(None)
    connection = session.connection()
    touched = connection.execute(
        update(table).where(mine & (table.c.missing_count == 0)).values(last_seen_at=now)
    ).rowcount
    connection.execute(
        update(table)
        .where(mine & (table.c.missing_count > 0))
        .values(missing_count=table.c.missing_count + 1)
    )
    if source.last_success_at is not None:
        # Links this source made to other sources' postings, seen in that same listing.
        links = PostingLink.__table__  # type: ignore[attr-defined]
        connection.execute(
            update(links)
            .where(
                (links.c.source_id == source.id)
                & (links.c.reason != "origin")
                & (links.c.last_seen_at >= source.last_success_at)
            )
            .values(last_seen_at=now)
        )
    closing = mine & (table.c.missing_count >= MISSES_BEFORE_CLOSING)
    if (source.config or {}).get("org_type") == "aggregator":
        links = PostingLink.__table__  # type: ignore[attr-defined]
        listed_elsewhere = (
            select(links.c.id)
            .where(
                (links.c.posting_id == table.c.id)
                & (links.c.source_id != source.id)
                & (links.c.last_seen_at >= now - LINK_FRESHNESS)
            )
            .exists()
        )
        closing = closing & ~listed_elsewhere
    closed = connection.execute(
        update(table).where(closing).values(closed_at=now, close_reason="missing_from_source")
    ).rowcount
    return int(touched), int(closed)
