"""What the web layer returns: the JSON shapes of the API, also handed to the templates.

``summary_of`` and ``detail_of`` are the one conversion from a stored Posting to what the web
shows (one record type per boundary).
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Row

from store.models import Posting


class PostingSummary(BaseModel):
    """One opening in a list."""

    id: int
    title: str
    organisation: str
    url: str
    locations: list[str]
    remote: str
    employment_type: str
    kind: str | None
    track: str | None
    style: str | None
    level: str | None
    areas: list[str]
    posted_at: datetime | None
    deadline: date | None
    salary_min: float | None
    salary_max: float | None
    salary_currency: str | None
    salary_period: str | None
    visa_sponsorship: str
    closed_at: datetime | None
    snippet: str = ""
    fit_score: float | None = None


class PostingLinkPublic(BaseModel):
    """Where a posting was found."""

    source_id: str
    url: str
    reason: str
    first_seen_at: datetime
    last_seen_at: datetime


class TagPublic(BaseModel):
    """One tag with the classifier's confidence and the phrases that pushed it."""

    field: str
    value: str
    probability: float | None
    distribution: dict[str, float]
    evidence: list[str]


class PostingDetail(PostingSummary):
    """One opening with everything the posting page shows."""

    apply_url: str | None
    department: str | None
    description_html: str
    deadline_evidence: str | None
    salary_evidence: str | None
    visa_evidence: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    close_reason: str | None
    model_version: str | None
    tags: list[TagPublic]
    links: list[PostingLinkPublic]
    similar: list[PostingSummary]


class FacetValue(BaseModel):
    """One value of a facet, how many openings have it, whether it is selected."""

    value: str
    label: str
    count: int
    selected: bool


class Facet(BaseModel):
    """A filterable dimension of the openings list."""

    name: str
    label: str
    values: list[FacetValue]


class OpeningsResult(BaseModel):
    """One page of openings with the facet counts for the whole matching set."""

    total: int
    page: int
    per_page: int
    pages: int
    sort: str
    query: dict[str, Any]
    messages: list[str]
    items: list[PostingSummary]
    facets: list[Facet]


def summary_of(
    posting: Posting | Row[Any], *, snippet: str = "", score: float | None = None
) -> PostingSummary:
    """The list view of a stored posting (or of a row of its summary columns)."""
    return PostingSummary(
        id=posting.id or 0,
        title=posting.title,
        organisation=posting.organisation_name,
        url=posting.url,
        locations=list(posting.locations or []),
        remote=posting.remote,
        employment_type=posting.employment_type,
        kind=posting.kind,
        track=posting.track,
        style=posting.style,
        level=posting.level,
        areas=list(posting.areas or []),
        posted_at=posting.posted_at,
        deadline=posting.deadline,
        salary_min=posting.salary_min,
        salary_max=posting.salary_max,
        salary_currency=posting.salary_currency,
        salary_period=posting.salary_period,
        visa_sponsorship=posting.visa_sponsorship,
        closed_at=posting.closed_at,
        snippet=snippet,
        fit_score=score,
    )
