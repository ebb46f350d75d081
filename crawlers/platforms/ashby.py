"""Ashby public job posting API: whole board in one call, compensation inside each job."""

from typing import Any

from crawlers.parsing import salary as pay
from crawlers.parsing.dates import parse_datetime
from crawlers.parsing.fields import employment_type, join_place, remote_from_text, workplace
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
from store.records import PostingRecord, Salary


def _salary(job: dict[str, Any]) -> tuple[Salary | None, str | None]:
    comp = job.get("compensation") or {}
    components = list(comp.get("summaryComponents") or [])
    for tier in comp.get("compensationTiers") or []:
        components.extend(tier.get("components") or [])
    for component in components:
        if isinstance(component, dict) and component.get("compensationType") == "Salary":
            found = pay.structured(
                component.get("minValue"),
                component.get("maxValue"),
                component.get("currencyCode"),
                component.get("interval"),
            )
            if found:
                return found, comp.get("compensationTierSummary") or component.get("summary")
    summary = comp.get("scrapeableCompensationSalarySummary")
    if summary:
        return pay.from_text(summary), summary
    return None, None


def _locations(job: dict[str, Any]) -> list[str]:
    places = [job.get("location") or ""]
    for extra in job.get("secondaryLocations") or []:
        if isinstance(extra, dict):
            address = (
                (extra.get("address") or {}).get("postalAddress") or extra.get("address") or {}
            )
            places.append(
                extra.get("location")
                or join_place(
                    address.get("addressLocality"),
                    address.get("addressRegion"),
                    address.get("addressCountry"),
                )
            )
    return [p for i, p in enumerate(places) if p and p not in places[:i]]


def _remote(job: dict[str, Any], locations: list[str]) -> str:
    value = workplace(job.get("workplaceType"))
    if value != "unknown":
        return value
    if job.get("isRemote") is True:
        return "remote"
    return remote_from_text(*locations)


def parse_ashby_job(ctx: Context, job: dict[str, Any]) -> PostingRecord | None:
    """One Ashby job as a record; None when it is unlisted."""
    if job.get("isListed") is False:
        return None
    locations = _locations(job)
    salary, summary = _salary(job)
    return build_record(
        ctx,
        external_id=require(job, "id", "ashby"),
        title=require(job, "title", "ashby"),
        url=job.get("jobUrl") or "",
        apply_url=job.get("applyUrl"),
        locations=locations,
        remote=_remote(job, locations),
        employment_type=employment_type(job.get("employmentType")),
        posted_at=parse_datetime(job.get("publishedAt")),
        salary=salary,
        department=job.get("department") or job.get("team"),
        html=job.get("descriptionHtml") or "",
        plain=job.get("descriptionPlain"),
        evidence={"salary": summary} if salary and summary else {},
    )


def parse_ashby_board(ctx: Context, payload: Any) -> Page:
    """An Ashby board ``{"apiVersion": "1", "jobs": [...]}``."""
    return build_all(ctx, listed(payload, "jobs", "ashby"), parse_ashby_job)


class Ashby(Platform):
    """Ashby boards, always asked for compensation."""

    name = "ashby"

    def default_url(self, token: str) -> str:
        """The board with compensation."""
        return f"https://api.ashbyhq.com/posting-api/job-board/{token}?includeCompensation=true"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse the whole board."""
        return parse_ashby_board(ctx, load_json(body, self.name))
