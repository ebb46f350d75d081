"""Links between a posting and the other sources that list the same opening (merged duplicates).

A link with reason ``origin`` is the posting's own source; any other reason (``ats_id``,
``canonical_url``, ``title_description``) says why a record from another source was merged.
"""

from datetime import datetime

from sqlmodel import Session, select

from store.models import Posting, PostingLink, Source
from store.records import PostingRecord


def links_of(session: Session, source_id: str) -> dict[str, PostingLink]:
    """This source's links to postings that live under another source (merged duplicates)."""
    links = session.exec(
        select(PostingLink).where(
            PostingLink.source_id == source_id, PostingLink.reason != "origin"
        )
    ).all()
    return {link.external_id: link for link in links}


def fill_gaps(posting: Posting, record: PostingRecord, source_id: str) -> bool:
    """Take what a duplicate on another source knows and the posting lacks (deadline, salary).

    The content hash is left alone, so the posting's own source still decides what changed;
    the other source's own facts (e.g. an aggregator's tags) are kept under its id in extras.
    True when a deadline or salary was filled in (a change readers see).
    """
    filled = False
    if posting.deadline is None and record.deadline is not None:
        filled = True
        posting.deadline = record.deadline
        posting.deadline_evidence = (
            record.evidence.get("deadline") or f"deadline listed on {source_id}"
        )
    if posting.salary_min is None and posting.salary_max is None and record.salary is not None:
        filled = True
        posting.salary_min, posting.salary_max = record.salary.min, record.salary.max
        posting.salary_currency, posting.salary_period = (
            record.salary.currency,
            record.salary.period,
        )
        posting.salary_evidence = record.evidence.get("salary") or f"salary listed on {source_id}"
    if record.extras:
        posting.extras = {**(posting.extras or {}), f"via_{source_id}": dict(record.extras)}
    return filled


def add_link(
    session: Session,
    source: Source,
    record: PostingRecord,
    posting_id: int,
    reason: str,
    now: datetime,
) -> PostingLink:
    """Record that ``source`` lists an opening stored as another source's posting, and why."""
    link = PostingLink(
        posting_id=posting_id,
        source_id=source.id,
        external_id=record.external_id,
        url=record.apply_url or record.url,
        reason=reason,
        created_at=now,
        last_seen_at=now,
    )
    session.add(link)
    return link
