"""Revalidating unchanged boards cheaply: conditional GETs with httpx before starting Scrapy.

A source whose listing is one request and whose last complete crawl left an ETag or
Last-Modified is asked ``If-None-Match`` / ``If-Modified-Since`` here, in the parent process:

- 304: the board is unchanged; its result is "not_modified" and Scrapy is not started for it;
- 200: the body already downloaded is parsed with the same pure adapter (never fetched twice);
- 429: recorded as rate-limited (asking again at once would be rude);
- anything else (timeouts, 5xx, redirects to elsewhere): left to the Scrapy crawl, which
  retries with backoff and classifies the failure.

robots.txt, the user agent and the per-host concurrency limit apply here as in Scrapy.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx

from crawlers.errors import ParseError
from crawlers.fetch import robots_allows
from crawlers.jobs import SourceJob
from crawlers.settings import CrawlOptions

Result = dict[str, Any]


class _Hosts:
    """Per-host semaphores and cached robots.txt answers, shared by the worker threads."""

    def __init__(self, client: httpx.Client, per_host: int) -> None:
        self.client = client
        self.per_host = per_host
        self.lock = threading.Lock()
        self.slots: dict[str, threading.Semaphore] = {}
        self.robots: dict[str, bool] = {}

    def slot(self, host: str) -> threading.Semaphore:
        with self.lock:
            return self.slots.setdefault(host, threading.Semaphore(self.per_host))

    def allowed(self, url: str) -> bool:
        host = urlsplit(url).netloc
        with self.lock:
            known = self.robots.get(host)
        if known is None:
            known = robots_allows(self.client, url)
            with self.lock:
                self.robots[host] = known
        return known


def candidate(job: dict[str, Any]) -> bool:
    """Whether a source can be revalidated: validators stored and a one-request listing."""
    return bool(job.get("etag") or job.get("last_modified"))


def _check(job_data: dict[str, Any], hosts: _Hosts) -> Result | None:
    """Revalidate one source; None hands it to the Scrapy crawl."""
    job = SourceJob.from_json(job_data)
    if not job.platform.single_request:
        return None
    try:
        plans = job.platform.start(job.ctx)
    except ParseError:
        return None
    if len(plans) != 1:
        return None
    plan = plans[0]
    if not hosts.allowed(plan.url):
        return None  # Scrapy records the robots.txt refusal the same way as on a first crawl
    headers = dict(plan.headers)
    if job.etag:
        headers["If-None-Match"] = job.etag
    if job.last_modified:
        headers["If-Modified-Since"] = job.last_modified
    with hosts.slot(urlsplit(plan.url).netloc):
        try:
            response = hosts.client.request(
                plan.method, plan.url, content=plan.body, headers=headers
            )
        except httpx.HTTPError:
            return None
    job.requests = job.list_requests = 1
    if response.status_code == 304:
        job.not_modified = True
        return job.result()
    if response.status_code == 429:
        job.fail("rate_limited", f"HTTP 429 from {plan.url}")
        return job.result()
    if response.status_code != 200:
        return None
    job.new_etag = response.headers.get("ETag")
    job.new_last_modified = response.headers.get("Last-Modified")
    try:
        page = job.platform.handle(job.ctx, plan, response.content)
    except ParseError as exc:
        job.fail("parse_error", f"{exc} ({plan.url})")
        return job.result()
    if page.follow:
        return None  # not a one-request listing after all: let Scrapy do it properly
    job.add(page.records, detail=False)
    job.invalid.extend(page.invalid)
    job.skipped += page.skipped
    return job.result()


def revalidate(
    client: httpx.Client,
    jobs: list[dict[str, Any]],
    options: CrawlOptions,
    on_result: Callable[[Result], None],
) -> list[dict[str, Any]]:
    """Revalidate what can be; call ``on_result`` for each settled source; return the rest."""
    hosts = _Hosts(client, options.per_host)
    todo = [job for job in jobs if candidate(job)]
    rest = [job for job in jobs if not candidate(job)]
    if not todo:
        return rest
    with ThreadPoolExecutor(max_workers=max(1, min(options.concurrency, len(todo)))) as pool:
        results = list(pool.map(lambda job: _check(job, hosts), todo))
    for job, result in zip(todo, results, strict=True):
        if result is None:
            rest.append(job)
        else:
            on_result(result)
    return rest
