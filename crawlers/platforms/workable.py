"""Workable: the v1 widget API (whole account, date-only dates) with the v3 careers API
(POST, ``nextPage`` tokens) as the fallback when the widget does not answer."""

import json
from typing import Any
from urllib.parse import urlsplit

from crawlers.errors import ParseError
from crawlers.parsing.dates import parse_datetime
from crawlers.parsing.fields import employment_type, join_place, remote_from_text, workplace
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

V3_QUERY = {"query": "", "location": [], "department": [], "worktype": [], "remote": []}


def _locations(job: dict[str, Any]) -> list[str]:
    places = [
        join_place(loc.get("city"), loc.get("region"), loc.get("country"))
        for loc in job.get("locations") or []
        if isinstance(loc, dict) and not loc.get("hidden")
    ]
    location = job.get("location")
    if isinstance(location, dict):
        places.append(
            join_place(location.get("city"), location.get("region"), location.get("country"))
        )
    if not places:
        places.append(join_place(job.get("city"), job.get("state"), job.get("country")))
    return [p for i, p in enumerate(places) if p and p not in places[:i]]


def parse_workable_job(ctx: Context, job: dict[str, Any]) -> PostingRecord:
    """One job from the v1 widget or the v3 careers API."""
    shortcode = require(job, "shortcode", "workable")
    locations = _locations(job)
    if job.get("telecommuting") is True or job.get("remote") is True:
        remote = "remote"
    else:
        remote = workplace(job.get("workplace"))
        if remote == "unknown":
            remote = remote_from_text(*locations)
    department = job.get("department")
    if isinstance(department, list):
        department = ", ".join(str(d) for d in department if d)
    return build_record(
        ctx,
        external_id=str(shortcode),
        title=require(job, "title", "workable"),
        url=job.get("url") or job.get("shortlink") or f"https://apply.workable.com/j/{shortcode}",
        apply_url=job.get("application_url"),
        locations=locations,
        remote=remote,
        employment_type=employment_type(job.get("employment_type") or job.get("type")),
        posted_at=parse_datetime(
            job.get("published_on") or job.get("published") or job.get("created_at")
        ),
        department=department or None,
        html=job.get("full_description") or job.get("description") or "",
    )


def parse_workable_jobs(ctx: Context, payload: Any) -> Page:
    """A v1 widget payload ``{name, jobs}`` or a v3 page ``{total, results, nextPage}``."""
    expect(payload, dict, "workable", "a JSON object")
    key = "jobs" if "jobs" in payload else "results" if "results" in payload else None
    if key is None:
        raise ParseError("workable: expected an object with 'jobs' (v1) or 'results' (v3)")
    jobs = expect(payload[key], list, "workable", f"'{key}' to be a list")
    if not ctx.organisation and payload.get("name"):
        ctx.organisation = str(payload["name"])
    return build_all(ctx, jobs, parse_workable_job)


class Workable(Platform):
    """Workable accounts: v1 widget first, v3 careers API when the widget fails."""

    name = "workable"
    single_request = True

    def default_url(self, token: str) -> str:
        """The v1 widget with descriptions."""
        return f"https://apply.workable.com/api/v1/widget/accounts/{token}?details=true"

    def _v3(self, ctx: Context, token: Any = None) -> Request:
        account = ctx.token or ""
        origin = "https://apply.workable.com"
        if ctx.url:  # a url override (EU host, tests) moves both APIs
            parts = urlsplit(ctx.url)
            origin = f"{parts.scheme}://{parts.netloc}"
        base = ctx.config.get("v3_url") or f"{origin}/api/v3/accounts/{account}/jobs"
        body = json.dumps({"token": token} if token else V3_QUERY)
        return Request(
            base,
            method="POST",
            body=body,
            headers=(("Content-Type", "application/json"),),
            state=(("v3", True), ("token", token)),
        )

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse a v1 payload, or a v3 page and ask for the next one."""
        payload = load_json(body, self.name)
        page = parse_workable_jobs(ctx, payload)
        following = payload.get("nextPage") if isinstance(payload, dict) else None
        if request.get("v3") and following and following != request.get("token"):
            page.follow.append(self._v3(ctx, following))
        return page

    def fallback(self, ctx: Context, request: Request, status: int) -> list[Request]:
        """When the v1 widget answers 404/410/403, try the v3 careers API."""
        if (
            request.get("v3")
            or status not in (403, 404, 410)
            or not (ctx.token or ctx.config.get("v3_url"))
        ):
            return []
        return [self._v3(ctx)]
