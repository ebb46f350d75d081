"""The one Scrapy spider: glue between platform adapters and Scrapy's polite downloader.

Every source's first requests come from its adapter's ``start``; each response goes to the
adapter's ``handle``; follow-up requests are scheduled; when a source has no request left in
flight, its result is emitted. HTTP errors, timeouts and robots.txt refusals are recorded on
the source, never raised.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as net_error

from crawlers.errors import ParseError
from crawlers.jobs import SourceJob
from crawlers.platforms.base import Request as PlanRequest

# Statuses handed to the callback (not dropped by HttpErrorMiddleware); 3xx still redirect.
HANDLED = [304, *range(400, 600)]
# A listing that pages on past this is looping (or far larger than any job board).
MAX_LIST_REQUESTS = 200


def failure_reason(exc: BaseException) -> str:
    """Map a download failure onto a recorded reason."""
    name = type(exc).__name__
    if isinstance(exc, IgnoreRequest):
        return "robots_disallowed" if "robots" in str(exc).lower() else "network"
    if isinstance(exc, net_error.TimeoutError) or "Timeout" in name:
        return "timeout"
    if (
        name == "DownloadCancelledError"
        or "maxsize" in str(exc).lower()
        or "max size" in str(exc).lower()
    ):
        return "too_large"
    return "network"


class BoardSpider(scrapy.Spider):
    """Crawls every given source; ``emit`` receives one result dict per finished source."""

    name = "rolefit"

    def __init__(
        self, jobs: list[SourceJob], emit: Callable[[dict[str, Any]], None], **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.jobs = {job.source_id: job for job in jobs}
        self.emit = emit

    async def start(self) -> AsyncIterator[Any]:
        """First requests of every source."""
        for job in self.jobs.values():
            try:
                first = job.platform.start(job.ctx)
            except ParseError as exc:
                job.fail("config", str(exc))
                self._finish(job)
                continue
            if not first:
                self._finish(job)
            conditional = job.platform.single_request and len(first) == 1
            for plan in first:
                yield self._request(job, plan, conditional=conditional)

    def _request(
        self, job: SourceJob, plan: PlanRequest, *, conditional: bool = False
    ) -> scrapy.Request:
        headers = dict(plan.headers)
        if conditional and job.etag:
            headers["If-None-Match"] = job.etag
        if conditional and job.last_modified:
            headers["If-Modified-Since"] = job.last_modified
        job.pending += 1
        job.requests += 1
        if plan.kind != "detail":
            job.list_requests += 1
        return scrapy.Request(
            plan.url,
            method=plan.method,
            body=plan.body,
            headers=headers,
            callback=self.on_response,
            errback=self.on_error,
            dont_filter=True,
            meta={"source_id": job.source_id, "plan": plan, "handle_httpstatus_list": HANDLED},
        )

    def on_response(self, response: Any) -> Iterator[scrapy.Request]:
        """Hand a response to the adapter; schedule what it asks for."""
        job = self.jobs[response.meta["source_id"]]
        try:
            yield from self._handle(job, response.meta["plan"], response)
        finally:
            self._done_one(job)

    def _handle(self, job: SourceJob, plan: PlanRequest, response: Any) -> Iterator[scrapy.Request]:
        status = response.status
        if status == 304:
            job.not_modified = True
            return
        if status >= 400:
            fallbacks = job.platform.fallback(job.ctx, plan, status)
            if fallbacks:
                for other in fallbacks:
                    yield self._request(job, other)
                return
            self._http_failure(job, plan, response)
            return
        if plan.kind != "detail" and job.list_requests == 1:
            job.new_etag = _header(response, b"ETag")
            job.new_last_modified = _header(response, b"Last-Modified")
        try:
            page = job.platform.handle(job.ctx, plan, response.body)
        except ParseError as exc:
            if plan.kind == "detail":
                job.detail_errors.append(str(exc))
            else:
                job.fail("parse_error", f"{exc} ({plan.url})")
            return
        job.add(page.records, detail=plan.kind == "detail")
        job.invalid.extend(page.invalid)
        job.skipped += page.skipped
        for follow in page.follow:
            if follow.kind != "detail" and job.list_requests >= MAX_LIST_REQUESTS:
                job.fail("too_many_pages", f"stopped after {MAX_LIST_REQUESTS} listing requests")
                return
            yield self._request(job, follow)

    def _http_failure(self, job: SourceJob, plan: PlanRequest, response: Any) -> None:
        status = response.status
        if status == 429 or response.meta.get("rolefit_retry_after"):
            reason = "rate_limited"
        else:
            reason = "http_4xx" if status < 500 else "http_5xx"
        message = f"HTTP {status} from {plan.url}"
        if plan.kind == "detail":
            job.detail_errors.append(message)
        else:
            job.fail(reason, message)

    def on_error(self, failure: Any) -> None:
        """A request that never got a response (timeout, refused, robots.txt, too large)."""
        request = failure.request
        job = self.jobs[request.meta["source_id"]]
        plan: PlanRequest = request.meta["plan"]
        reason = failure_reason(failure.value)
        text = str(failure.value).strip().splitlines()[0] if str(failure.value).strip() else ""
        message = f"{text[:160] or reason.replace('_', ' ')} ({plan.url})"
        if plan.kind == "detail":
            job.detail_errors.append(message)
        else:
            job.fail(reason, message)
        self._done_one(job)

    def _done_one(self, job: SourceJob) -> None:
        job.pending -= 1
        if job.pending <= 0:
            self._finish(job)

    def _finish(self, job: SourceJob) -> None:
        if job.done:
            return
        job.done = True
        self.emit(job.result())

    def closed(self, reason: str) -> None:
        """Any source still in flight when the crawl stops is reported as failed."""
        for job in self.jobs.values():
            if not job.done:
                job.fail(
                    "crawler_died", f"the crawl stopped ({reason}) before this source finished"
                )
                self._finish(job)
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        numbers = {k: v for k, v in stats.items() if isinstance(v, int | float)}
        self.emit({"event": "stats", "stats": numbers})


def _header(response: Any, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
