"""A source's crawl state as data (miniflux style): success, failure, backoff, auto-disable.

Pure decisions over a Source row; the caller's session commits. Times are aware UTC.
"""

import hashlib
from datetime import datetime, timedelta

from store.models import Source

FIRST_BACKOFF = timedelta(minutes=30)
MAX_BACKOFF = timedelta(hours=24)
DISABLE_AFTER = 8  # consecutive failures
SUSPICIOUS_FLOOR = 3  # "many": a source that had at least this many postings


def jitter(source_id: str, interval: timedelta) -> timedelta:
    """A stable per-source offset (up to 10% of the interval) so sources do not crawl in step."""
    digest = int(hashlib.sha256(source_id.encode()).hexdigest()[:8], 16)
    fraction: float = digest / 0xFFFFFFFF
    return interval * (fraction * 0.1)


def backoff(streak: int, interval: timedelta) -> timedelta:
    """Wait before retrying after ``streak`` consecutive failures: 30 min doubling, capped."""
    factor: int = 1 << max(0, streak - 1)
    delay = FIRST_BACKOFF * factor
    return min(delay, max(MAX_BACKOFF, interval))


def is_suspicious(count: int, last_good_count: int) -> bool:
    """Zero postings where the last good crawl had many: more likely breakage than an empty board."""
    return count == 0 and last_good_count >= SUSPICIOUS_FLOOR


def record_success(
    source: Source,
    *,
    now: datetime,
    interval: timedelta,
    count: int | None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A complete crawl: clear the error, schedule the next crawl, remember validators."""
    source.last_attempt_at = now
    source.last_success_at = now
    source.last_error = None
    source.error_streak = 0
    source.next_crawl_at = now + interval + jitter(source.id, interval)
    if count is not None:
        source.last_good_count = count
        # Validators only describe a one-request listing; otherwise a 304 would prove nothing.
        source.etag = etag
        source.last_modified = last_modified


def record_failure(
    source: Source, *, now: datetime, interval: timedelta, reason: str, message: str
) -> bool:
    """A failed or suspicious crawl: keep the reason, back off, disable after many; True if disabled."""
    source.last_attempt_at = now
    source.error_streak += 1
    source.last_error = f"{reason}: {message}" if message else reason
    source.next_crawl_at = now + backoff(source.error_streak, interval)
    if source.error_streak >= DISABLE_AFTER and source.enabled:
        source.enabled = False
        source.disabled_reason = (
            f"disabled after {source.error_streak} failed crawls in a row; last: {source.last_error}"
        )[:500]
        return True
    return False
