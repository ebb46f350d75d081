"""Recruitee Careers Site API: ``{"offers": [...]}``, non-ISO dates and salaries as strings."""

from typing import Any

from crawlers.parsing import salary as pay
from crawlers.parsing.dates import parse_date, parse_datetime
from crawlers.parsing.fields import employment_type, remote_from_text
from crawlers.platforms.base import (
    Context,
    Page,
    Platform,
    Request,
    build_all,
    build_record,
    listed,
    load_json,
    require,
)
from store.records import PostingRecord


def _remote(offer: dict[str, Any]) -> str:
    if offer.get("remote") is True:
        return "remote"
    if offer.get("hybrid") is True:
        return "hybrid"
    if offer.get("on_site") is True:
        return "onsite"
    return remote_from_text(offer.get("location"))


def _locations(offer: dict[str, Any]) -> list[str]:
    places = [
        loc.get("name") or ", ".join(filter(None, [loc.get("city"), loc.get("country")]))
        for loc in offer.get("locations") or []
        if isinstance(loc, dict)
    ]
    if not places and offer.get("location"):
        places.append(offer["location"])
    return [p for i, p in enumerate(places) if p and p not in places[:i]]


def parse_recruitee_offer(ctx: Context, offer: dict[str, Any]) -> PostingRecord | None:
    """One offer as a record; None when it is not published."""
    if offer.get("status") not in (None, "published"):
        return None
    salary = offer.get("salary") or {}
    body = (offer.get("description") or "") + "\n" + (offer.get("requirements") or "")
    return build_record(
        ctx,
        external_id=str(require(offer, "id", "recruitee")),
        organisation=offer.get("company_name") or ctx.organisation,
        title=require(offer, "title", "recruitee"),
        url=offer.get("careers_url") or "",
        apply_url=offer.get("careers_apply_url"),
        locations=_locations(offer),
        remote=_remote(offer),
        employment_type=employment_type(offer.get("employment_type_code")),
        posted_at=parse_datetime(offer.get("published_at") or offer.get("created_at")),
        deadline=parse_date(offer.get("close_at")),
        salary=pay.structured(
            salary.get("min"), salary.get("max"), salary.get("currency"), salary.get("period")
        ),
        department=offer.get("department"),
        html=body.strip(),
    )


def parse_recruitee_offers(ctx: Context, payload: Any) -> Page:
    """A Recruitee ``{"offers": [...]}`` payload."""
    return build_all(ctx, listed(payload, "offers", "recruitee"), parse_recruitee_offer)


class Recruitee(Platform):
    """Recruitee careers sites (robots.txt is per tenant, so it is obeyed per host)."""

    name = "recruitee"

    def default_url(self, token: str) -> str:
        """The offers listing."""
        return f"https://{token}.recruitee.com/api/offers/"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse the whole listing."""
        return parse_recruitee_offers(ctx, load_json(body, self.name))
