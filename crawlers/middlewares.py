"""Retries that wait: Retry-After on 429/503 is honoured (capped), other retries back off."""

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message


def retry_after_seconds(value: bytes | str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, base: float) -> float:
    """Exponential backoff for the n-th retry (0-based): base, 2*base, 4*base, ..."""
    return float(base * (1 << max(0, attempt)))


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that sleeps before retrying: Retry-After when given, else backoff.

    A Retry-After longer than ROLEFIT_MAX_RETRY_AFTER is not waited out: the request fails
    and the source is retried on a later crawl (its backoff is recorded on the Source row).
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("ROLEFIT_BACKOFF_BASE", 2.0)
        self.max_retry_after = settings.getfloat("ROLEFIT_MAX_RETRY_AFTER", 120.0)

    async def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:  # type: ignore[override]
        """Retry 429/5xx after the wait the server asked for (or a backoff)."""
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = int(request.meta.get("retry_times", 0))
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.max_retry_after:
            request.meta["rolefit_retry_after"] = asked
            return response  # longer than we wait in one crawl: give up for now
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(
            asked if asked is not None else backoff_seconds(attempt, self.backoff_base)
        )
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Any, exception: Exception, spider: Any = None
    ) -> Any:
        """Retry network errors and timeouts after a backoff."""
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            attempt = int(request.meta.get("retry_times", 0))
            await asyncio.sleep(backoff_seconds(attempt, self.backoff_base))
        return retry
