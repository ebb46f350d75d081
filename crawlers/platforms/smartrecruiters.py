"""SmartRecruiters Posting API: offset paging over summaries, then one detail call per posting."""

from typing import Any
from urllib.parse import urlsplit

from crawlers.errors import ParseError
from crawlers.parsing.dates import parse_datetime
from crawlers.parsing.fields import employment_type, join_place, remote_from_text
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

PAGE_SIZE = 100
_SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def _remote(location: dict[str, Any]) -> str:
    if location.get("remote") is True:
        return "remote"
    if location.get("hybrid") is True:
        return "hybrid"
    if location.get("remote") is False and location.get("city"):
        return "onsite"
    return remote_from_text(location.get("fullLocation"))


def _description(posting: dict[str, Any]) -> str:
    sections = ((posting.get("jobAd") or {}).get("sections")) or {}
    parts = []
    for name in _SECTIONS:
        section = sections.get(name) or {}
        if section.get("text"):
            parts.append(f"<h3>{section.get('title') or ''}</h3>{section['text']}")
    return "\n".join(parts)


def parse_smartrecruiters_posting(ctx: Context, posting: dict[str, Any]) -> PostingRecord:
    """One posting (a list summary or a detail payload) as a record."""
    location = posting.get("location") or {}
    company = posting.get("company") or {}
    place = location.get("fullLocation") or join_place(
        location.get("city"), location.get("region"), (location.get("country") or "").upper()
    )
    identifier = company.get("identifier") or ctx.token or ""
    posting_id = require(posting, "id", "smartrecruiters")
    url = posting.get("postingUrl") or (
        f"https://jobs.smartrecruiters.com/{identifier}/{posting_id}" if identifier else ""
    )
    return build_record(
        ctx,
        external_id=str(posting_id),
        organisation=company.get("name") or ctx.organisation,
        title=require(posting, "name", "smartrecruiters"),
        url=url,
        apply_url=posting.get("applyUrl"),
        locations=[place] if place else [],
        remote=_remote(location),
        employment_type=employment_type(
            (posting.get("typeOfEmployment") or {}).get("id")
            or (posting.get("typeOfEmployment") or {}).get("label")
        ),
        posted_at=parse_datetime(posting.get("releasedDate")),
        department=(posting.get("department") or {}).get("label"),
        html=_description(posting),
    )


def parse_smartrecruiters_postings(ctx: Context, payload: Any) -> Page:
    """A list page ``{limit, offset, totalFound, content}`` or one detail payload."""
    expect(payload, dict, "smartrecruiters", "a JSON object")
    if "content" in payload:
        items = expect(payload["content"], list, "smartrecruiters", "'content' to be a list")
        return build_all(ctx, items, parse_smartrecruiters_posting)
    if "id" in payload and "name" in payload:
        return Page(records=[parse_smartrecruiters_posting(ctx, payload)])
    raise ParseError("smartrecruiters: expected a list page with 'content' or one posting")


class SmartRecruiters(Platform):
    """SmartRecruiters companies; details fetched per posting for the description."""

    name = "smartrecruiters"
    single_request = False

    def default_url(self, token: str) -> str:
        """The postings list."""
        return f"https://api.smartrecruiters.com/v1/companies/{token}/postings"

    def start(self, ctx: Context) -> list[Request]:
        """The first list page."""
        base = super().start(ctx)[0].url
        return [self._page(base, 0)]

    def _page(self, base: str, offset: int) -> Request:
        joiner = "&" if "?" in base else "?"
        return Request(
            f"{base}{joiner}limit={PAGE_SIZE}&offset={offset}",
            state=(("base", base), ("offset", offset)),
        )

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """List pages page on by offset and ask for each posting's detail."""
        payload = load_json(body, self.name)
        page = parse_smartrecruiters_postings(ctx, payload)
        if request.kind == "detail":
            return page
        base = request.get("base")
        offset = int(payload.get("offset") or request.get("offset") or 0)
        limit = int(payload.get("limit") or PAGE_SIZE)
        total = int(payload.get("totalFound") or 0)
        if base and payload.get("content") and offset + limit < total:
            page.follow.append(self._page(base, offset + limit))
        if ctx.config.get("details", True) and base:
            path = urlsplit(base)._replace(query="").geturl().rstrip("/")
            for record in page.records:
                page.follow.append(Request(f"{path}/{record.external_id}", kind="detail"))
        return page
