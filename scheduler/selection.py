"""What is due and what each subscriber has already had: the database side of choosing digests.

The ranking itself is matcher.fit's; ``fit_ranker`` adapts its results into digest Candidates.
Any function with the ``Ranker`` signature can stand in (tests, the benchmark's batch ranker).
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from scheduler.digests import Candidate
from store.clock import as_utc
from store.models import DigestSend, Posting, Profile, Subscription

Ranker = Callable[[Session, dict[str, Any], datetime], list[Candidate]]
# A digest looks at the subscriber's best RANK_LIMIT open matches and keeps the new ones: a
# quality floor as well as a cost bound (reasons are worded per shown posting). See DIGESTS.md.
RANK_LIMIT = 100
# A DigestSend in one of these states may have reached the subscriber: never offer its postings
# again, and count its time as "the last digest".
DELIVERED = ("sent", "unknown", "sending")


def period_key(frequency: str, now: datetime) -> str:
    """The period a digest belongs to: 'd:2026-11-29' for daily, 'w:2026-W48' for weekly."""
    day = as_utc(now).date()
    if frequency == "daily":
        return f"d:{day.isoformat()}"
    year, week, _ = day.isocalendar()
    return f"w:{year}-W{week:02d}"


def is_send_time(now: datetime, digest_hour_utc: int) -> bool:
    """Digests go out from this hour (UTC) of their period's first day onward."""
    return as_utc(now).hour >= digest_hour_utc


@dataclass(frozen=True)
class History:
    """What earlier digests of one subscription already showed, and when the last one went."""

    already_sent: set[int]
    since: datetime | None


def histories(session: Session) -> dict[int, History]:
    """Every subscription's history, read in one query (a run plans thousands of digests)."""
    rows = session.exec(
        select(DigestSend.subscription_id, DigestSend.posting_ids, DigestSend.created_at).where(
            col(DigestSend.status).in_(DELIVERED)
        )
    ).all()
    sent: dict[int, set[int]] = {}
    since: dict[int, datetime] = {}
    for sub_id, posting_ids, created_at in rows:
        sent.setdefault(sub_id, set()).update(int(i) for i in posting_ids)
        when = as_utc(created_at)
        since[sub_id] = max(since.get(sub_id, when), when)
    return {
        sub_id: History(already_sent=ids, since=since.get(sub_id)) for sub_id, ids in sent.items()
    }


NO_HISTORY = History(already_sent=set(), since=None)


def profile_key(document: dict[str, Any]) -> str:
    """A key equal for identical profile documents, so one ranking serves them all."""
    return json.dumps(document, sort_keys=True, default=str)


def active_subscriptions(session: Session) -> list[tuple[Subscription, Profile]]:
    """Every active subscription with its profile, oldest first."""
    rows = session.exec(
        select(Subscription, Profile)
        .join(Profile, col(Profile.id) == col(Subscription.profile_id))
        .where(col(Subscription.active).is_(True))
        .order_by(col(Subscription.id))
    ).all()
    return [(s, p) for s, p in rows]


def _reason(item: Any) -> str:
    reasons = getattr(item, "reasons", None) or []
    if not reasons:
        return ""
    first = reasons[0]
    text = getattr(first, "text", None) or getattr(first, "message", None) or first
    return str(text)


def candidates_from_results(session: Session, items: Sequence[Any]) -> list[Candidate]:
    """Digest candidates from matcher.fit results (excluded ones dropped), with first-seen times."""
    kept = [i for i in items if not getattr(i, "excluded_reason", None)]
    seen = _first_seen(session, [int(i.posting_id) for i in kept])
    return [
        Candidate(
            posting_id=int(item.posting_id),
            title=str(item.title),
            organisation=str(getattr(item, "organisation", "") or ""),
            url=str(getattr(item, "url", "") or ""),
            score=float(item.score),
            reason=_reason(item),
            deadline=getattr(item, "deadline", None),
            first_seen_at=seen.get(int(item.posting_id)),
            location=", ".join(list(getattr(item, "locations", None) or [])[:2]),
        )
        for item in kept
    ]


def _first_seen(session: Session, ids: Iterable[int]) -> dict[int, datetime]:
    """posting id -> first seen (two columns only: this runs once per distinct profile)."""
    wanted = sorted(set(ids))
    found: dict[int, datetime] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(Posting.id, Posting.first_seen_at).where(col(Posting.id).in_(chunk))
        for posting_id, first_seen in session.exec(query):
            found[int(posting_id or 0)] = as_utc(first_seen)
    return found


def fit_ranker(session: Session, document: dict[str, Any], now: datetime) -> list[Candidate]:
    """Rank open postings for a profile document with matcher.fit.match."""
    from matcher.fit import match

    results = match(session, document, limit=RANK_LIMIT, now=now)
    return candidates_from_results(session, list(results.matches))
