"""Greenhouse Job Board API: one call returns the whole board; ``content`` is entity-escaped HTML."""

import html
from typing import Any

from crawlers.errors import ParseError
from crawlers.parsing import salary as pay
from crawlers.parsing.dates import parse_date, parse_datetime
from crawlers.parsing.fields import remote_from_text, split_locations, workplace
from crawlers.platforms.base import (
    Context,
    Page,
    Platform,
    Request,
    build_all,
    build_record,
    expect,
    load_json,
    require,
)
from store.records import PostingRecord

_REMOTE_METADATA = {"location type", "workplace type", "remote", "work location", "workplace"}


def _remote(job: dict[str, Any], locations: list[str]) -> str:
    for meta in job.get("metadata") or []:
        if isinstance(meta, dict) and str(meta.get("name", "")).strip().lower() in _REMOTE_METADATA:
            value = workplace(meta.get("value"))
            if value != "unknown":
                return value
    offices = [o.get("name", "") for o in job.get("offices") or [] if isinstance(o, dict)]
    return remote_from_text(*locations, *offices)


def _salary(job: dict[str, Any]) -> Any:
    for band in job.get("pay_input_ranges") or []:
        low, high = band.get("min_cents"), band.get("max_cents")
        found = pay.structured(
            low / 100 if isinstance(low, int | float) else None,
            high / 100 if isinstance(high, int | float) else None,
            band.get("currency_type"),
            "year",
        )
        if found:
            return found
    return None


def parse_greenhouse_job(ctx: Context, job: dict[str, Any]) -> PostingRecord:
    """One Greenhouse job post (list item or per-job payload) as a record."""
    job_id = require(job, "id", "greenhouse")
    locations = split_locations((job.get("location") or {}).get("name"))
    # The docs' own example and real payloads escape the HTML once: unescape, then parse.
    content = html.unescape(job.get("content") or "")
    departments = [d.get("name") for d in job.get("departments") or [] if isinstance(d, dict)]
    return build_record(
        ctx,
        external_id=str(job_id),
        organisation=job.get("company_name") or ctx.organisation,
        title=require(job, "title", "greenhouse"),
        url=job.get("absolute_url") or "",
        apply_url=job.get("absolute_url"),
        locations=locations,
        remote=_remote(job, locations),
        posted_at=parse_datetime(job.get("first_published") or job.get("updated_at")),
        deadline=parse_date(job.get("application_deadline")),
        salary=_salary(job),
        department=next((d for d in departments if d), None),
        html=content,
        extras={"requisition_id": job.get("requisition_id")} if job.get("requisition_id") else {},
    )


def parse_greenhouse_jobs(ctx: Context, payload: Any) -> Page:
    """A board listing ``{"jobs": [...], "meta": {...}}`` or one job object."""
    expect(payload, dict, "greenhouse", "a JSON object with 'jobs'")
    if "jobs" not in payload:
        if "id" in payload and "title" in payload:
            return Page(records=[parse_greenhouse_job(ctx, payload)])
        raise ParseError("greenhouse: expected an object with a 'jobs' list")
    jobs = expect(payload["jobs"], list, "greenhouse", "'jobs' to be a list")
    return build_all(ctx, jobs, parse_greenhouse_job)


class Greenhouse(Platform):
    """Greenhouse boards; a ``url`` override serves EU boards (boards-api.eu.greenhouse.io)."""

    name = "greenhouse"

    def default_url(self, token: str) -> str:
        """The board listing with descriptions."""
        return f"https://boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse the whole board."""
        return parse_greenhouse_jobs(ctx, load_json(body, self.name))
