"""AISafety.com public Data API (v1): jobs, events and training programs, and funding.

Each endpoint answers ``{"data": [...], "meta": {...}}``; which one it was is told by the
records' fields (jobs have ``roleType``, events ``startDate``, funding ``acceptingApplications``).
The data is published under CC-BY-4.0, so each record keeps a credit in ``extras``.
"""

from typing import Any

from crawlers.errors import ParseError
from crawlers.parsing.dates import parse_date, parse_datetime
from crawlers.parsing.fields import employment_type, split_locations, workplace
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

CREDIT = "AISafety.com (CC-BY-4.0)"


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v.get("name") if isinstance(v, dict) else v) for v in value if v]
    return [str(value)] if value else []


def _org(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, list):
        return ", ".join(_names(value))
    return str(value or "")


def _kind(item: dict[str, Any]) -> str:
    if "acceptingApplications" in item or "recipientType" in item:
        return "funding"
    if "startDate" in item or "applicationsClose" in item:
        return "event"
    return "job"


def parse_aisafety_item(ctx: Context, item: dict[str, Any]) -> PostingRecord | None:
    """One job, event/program or funding entry; None for funding not accepting applications."""
    kind = _kind(item)
    if kind == "funding" and item.get("acceptingApplications") is False:
        return None
    common: dict[str, Any] = {
        "external_id": f"{kind}:{require(item, 'id', 'aisafety')}",
        "title": require(item, "name", "aisafety"),
        "url": item.get("url") or "",
        "apply_url": item.get("url"),
        "html": str(item.get("description") or ""),
    }
    extras: dict[str, Any] = {"credit": CREDIT, "aisafety_kind": kind}
    if kind == "job":
        locations = split_locations(_names(item.get("location")))
        work = _names(item.get("workLocation"))
        extras.update(
            skill_set=_names(item.get("skillSet")),
            minimum_experience=_names(item.get("minimumExperience")),
            role_type=_names(item.get("roleType")),
        )
        return build_record(
            ctx,
            **common,
            organisation=_org(item.get("organization")) or ctx.organisation,
            locations=locations,
            remote=workplace(work[0]) if work else "unknown",
            employment_type=employment_type(_names(item.get("roleType"))),
            posted_at=parse_datetime(item.get("datePublished")),
            extras=extras,
        )
    if kind == "event":
        extras.update(
            event_type=item.get("type"),
            start_date=item.get("startDate"),
            end_date=item.get("endDate"),
            length_days=item.get("lengthDays"),
        )
        return build_record(
            ctx,
            **common,
            organisation=_org(item.get("host")) or ctx.organisation,
            locations=split_locations(_names(item.get("location"))),
            deadline=parse_date(item.get("applicationsClose")),
            extras=extras,
        )
    extras.update(funding_type=item.get("type"), recipient_type=item.get("recipientType"))
    return build_record(ctx, **common, organisation=ctx.organisation or item["name"], extras=extras)


def parse_aisafety(ctx: Context, payload: Any) -> Page:
    """A Data API response ``{"data": [...], "meta": {...}}``."""
    expect(payload, dict, "aisafety", "a JSON object with 'data'")
    if "data" not in payload:
        message = payload.get("error") or payload.get("message")
        if message:
            raise ParseError(f"aisafety: the API answered an error: {message}")
        raise ParseError("aisafety: expected an object with a 'data' list")
    items = expect(payload["data"], list, "aisafety", "'data' to be a list")
    return build_all(ctx, items, parse_aisafety_item)


class AISafety(Platform):
    """One endpoint of the Data API per source (``token`` = jobs, events or funding)."""

    name = "aisafety"
    single_request = False

    def default_url(self, token: str) -> str:
        """The endpoint for jobs, events or funding."""
        return f"https://www.aisafety.com/api/v1/{token}"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse one response; follow ``meta.next`` when the API pages."""
        payload = load_json(body, self.name)
        page = parse_aisafety(ctx, payload)
        meta = payload.get("meta") if isinstance(payload, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("next"), str) and meta["next"]:
            from urllib.parse import urljoin

            page.follow.append(Request(urljoin(request.url, meta["next"])))
        return page
