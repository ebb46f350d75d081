"""Teamtailor career-site JSON Feed: items carrying a schema.org JobPosting in ``_jobposting``."""

from typing import Any

from crawlers.parsing.dates import parse_datetime
from crawlers.platforms.base import (
    Context,
    Page,
    Platform,
    Request,
    build_all,
    listed,
    load_json,
    require,
)
from crawlers.platforms.jsonld import parse_job_posting
from store.records import PostingRecord


def parse_teamtailor_item(ctx: Context, item: dict[str, Any]) -> PostingRecord:
    """One feed item; the JobPosting inside gives places and dates, the item gives id and url."""
    job = dict(item.get("_jobposting") or {})
    job.setdefault("title", item.get("title"))
    job["url"] = item.get("url") or job.get("url")
    job.setdefault("datePosted", item.get("date_published"))
    if not job.get("description"):
        job["description"] = item.get("content_html") or item.get("content_text") or ""
    record = parse_job_posting(ctx, job, page_url=item.get("url") or "")
    updates: dict[str, Any] = {"external_id": str(require(item, "id", "teamtailor"))}
    if record.posted_at is None and item.get("date_published"):
        updates["posted_at"] = parse_datetime(item["date_published"])
    identifier = job.get("identifier")
    extras = dict(record.extras)
    if isinstance(identifier, dict) and identifier.get("value") is not None:
        extras["teamtailor_job_id"] = str(identifier["value"])
    updates["extras"] = extras
    return record.model_copy(update=updates)


def parse_teamtailor_feed(ctx: Context, payload: Any) -> Page:
    """A JSON Feed ``{version, title, items}``."""
    return build_all(ctx, listed(payload, "items", "teamtailor"), parse_teamtailor_item)


class Teamtailor(Platform):
    """Teamtailor career sites' jobs.json."""

    name = "teamtailor"

    def default_url(self, token: str) -> str:
        """The career site's JSON Feed."""
        return f"https://{token}.teamtailor.com/jobs.json"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse the feed."""
        return parse_teamtailor_feed(ctx, load_json(body, self.name))
