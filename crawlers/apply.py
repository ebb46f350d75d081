"""Turning one source's crawl result into store updates that lose nothing.

- ok: upsert, then close what the source stopped listing (second miss) and passed deadlines;
- not_modified (304): every open posting is still listed;
- ok but zero postings where the last good crawl had many: suspicious, closes nothing;
- partial (some postings did not parse) or failed: upsert what arrived, close nothing, and
  record the failure on the Source row with backoff (auto-disabling after many).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from store.closing import close_expired, close_missing, touch_listed
from store.crawlstate import is_suspicious, record_failure, record_success
from store.dedup import DedupIndex
from store.ingest import upsert_postings
from store.models import CrawlRun, Source
from store.records import PostingRecord

_FIELDS = ("deadline", "salary", "posted_at", "locations", "description_text")


@dataclass
class CrawlOutcome:
    """What one source's crawl did; one row of the table ``rolefit crawl`` prints."""

    source_id: str
    status: str  # ok | not_modified | suspicious | partial | failed | disabled
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    linked: int = 0
    reopened: int = 0
    errors: int = 0
    reason: str | None = None
    message: str | None = None
    duration_s: float = 0.0
    requests: int = 0
    disabled: bool = False
    changed_ids: list[int] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when the crawl was not a complete success."""
        return self.status in ("failed", "partial", "suspicious")


def _records(raw: list[dict[str, Any]]) -> tuple[list[PostingRecord], list[str]]:
    records, errors = [], []
    for item in raw:
        try:
            records.append(PostingRecord.model_validate(item))
        except ValidationError as exc:
            errors.append(f"record {item.get('external_id')!r}: {exc.errors()[0]['msg']}")
    return records, errors


def field_stats(records: list[PostingRecord]) -> dict[str, int]:
    """How many records lack each commonly missing field (data-quality counters)."""
    stats = {}
    for name in _FIELDS:
        stats[f"field/{name}/missing"] = sum(1 for r in records if not getattr(r, name))
    return stats


def apply_result(
    session: Session,
    source: Source,
    result: dict[str, Any],
    *,
    now: datetime,
    interval: timedelta,
    org_type: str | None = None,
    dedup: DedupIndex | Callable[[], DedupIndex] | None = None,
) -> CrawlOutcome:
    """Store one source's result, record the run and the source's state; return the outcome.

    ``dedup`` may be a function that builds the index, so results without records (304s,
    failures) never pay for building it.
    """
    status = result["status"]
    records, bad = _records(result.get("records", []))
    outcome = CrawlOutcome(
        source_id=source.id,
        status=status,
        reason=result.get("reason"),
        message=result.get("message"),
        duration_s=float(result.get("duration_s") or 0.0),
        requests=int(result.get("requests") or 0),
        errors=len(bad) + len(result.get("detail_errors") or []),
    )
    if bad and status == "ok":
        status = outcome.status = "partial"
        outcome.reason, outcome.message = "parse_error", bad[0]
    if status == "ok" and is_suspicious(len(records), source.last_good_count):
        status = outcome.status = "suspicious"
        outcome.reason = "zero_results"
        outcome.message = f"0 postings where the last good crawl had {source.last_good_count}"
    if status == "not_modified":
        outcome.unchanged, outcome.closed = touch_listed(session, source, now=now)
        outcome.closed += close_expired(session, now=now, source_id=source.id)
        record_success(source, now=now, interval=interval, count=None)
    elif records:
        index = dedup() if callable(dedup) else dedup
        upserted = upsert_postings(
            session=session, source=source, records=records, now=now, org_type=org_type, dedup=index
        )
        outcome.new, outcome.updated, outcome.unchanged = (
            upserted.new,
            upserted.updated,
            upserted.unchanged,
        )
        outcome.linked, outcome.reopened = upserted.linked, upserted.reopened
        outcome.changed_ids = list(upserted.changed_ids)
    if status == "ok":
        seen = {r.external_id for r in records}
        outcome.closed = close_missing(session, source, seen, now=now)
        outcome.closed += close_expired(session, now=now, source_id=source.id)
        record_success(
            source,
            now=now,
            interval=interval,
            count=len(records),
            etag=result.get("etag"),
            last_modified=result.get("last_modified"),
        )
    elif status != "not_modified":
        outcome.errors = max(outcome.errors, 1)
        outcome.disabled = record_failure(
            source,
            now=now,
            interval=interval,
            reason=outcome.reason or "unknown",
            message=outcome.message or "",
        )
    session.add(_run(source.id, outcome, now, result, records))
    return outcome


def _run(
    source_id: str,
    outcome: CrawlOutcome,
    now: datetime,
    result: dict[str, Any],
    records: list[PostingRecord],
) -> CrawlRun:
    run_status = {"partial": "suspicious"}.get(outcome.status, outcome.status)
    stats: dict[str, Any] = {
        "requests": outcome.requests,
        "skipped": int(result.get("skipped") or 0),
        "linked": outcome.linked,
        "reopened": outcome.reopened,
        **field_stats(records),
    }
    if result.get("detail_errors"):
        stats["detail_errors"] = list(result["detail_errors"])[:5]
    return CrawlRun(
        source_id=source_id,
        started_at=now - timedelta(seconds=outcome.duration_s),
        finished_at=now,
        status=run_status,
        new=outcome.new,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        closed=outcome.closed,
        errors=outcome.errors,
        error_message=None if not outcome.failed else f"{outcome.reason}: {outcome.message}",
        duration_s=outcome.duration_s,
        stats=stats,
    )
