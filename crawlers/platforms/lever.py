"""Lever Postings API v0: a top-level array, epoch-millisecond dates, skip/limit paging."""

from typing import Any

from crawlers.errors import ParseError
from crawlers.parsing import salary as pay
from crawlers.parsing.dates import from_epoch
from crawlers.parsing.fields import employment_type, remote_from_text, split_locations, workplace
from crawlers.platforms.base import (
    Context,
    Page,
    Platform,
    Request,
    build_all,
    build_record,
    load_json,
    require,
)
from store.records import PostingRecord

PAGE_SIZE = 100


def _description(posting: dict[str, Any]) -> str:
    parts = [posting.get("description") or posting.get("opening") or ""]
    if not posting.get("description") and posting.get("descriptionBody"):
        parts.append(posting["descriptionBody"])
    for block in posting.get("lists") or []:
        if isinstance(block, dict):
            heading = str(block.get("text") or "").strip()
            parts.append(f"<h3>{heading}</h3><ul>{block.get('content') or ''}</ul>")
    parts.append(posting.get("additional") or "")
    if posting.get("salaryDescription"):
        parts.append(posting["salaryDescription"])
    return "\n".join(p for p in parts if p)


def parse_lever_posting(ctx: Context, posting: dict[str, Any]) -> PostingRecord:
    """One Lever posting as a record."""
    categories = posting.get("categories") or {}
    locations = split_locations(categories.get("allLocations") or categories.get("location"))
    remote = workplace(posting.get("workplaceType"))
    if remote == "unknown":
        remote = remote_from_text(*locations)
    salary_range = posting.get("salaryRange") or {}
    return build_record(
        ctx,
        external_id=require(posting, "id", "lever"),
        title=require(posting, "text", "lever"),
        url=posting.get("hostedUrl") or "",
        apply_url=posting.get("applyUrl"),
        locations=locations,
        remote=remote,
        employment_type=employment_type(categories.get("commitment")),
        posted_at=from_epoch(posting["createdAt"]) if posting.get("createdAt") else None,
        salary=pay.structured(
            salary_range.get("min"),
            salary_range.get("max"),
            salary_range.get("currency"),
            salary_range.get("interval"),
        ),
        department=categories.get("department") or categories.get("team"),
        html=_description(posting),
        extras={"country": posting["country"]} if posting.get("country") else {},
    )


def parse_lever_postings(ctx: Context, payload: Any) -> Page:
    """A Lever listing (a JSON array of postings)."""
    if isinstance(payload, dict):
        if payload.get("ok") is False:
            raise ParseError(
                f"lever: the board answered an error: {payload.get('error', 'unknown')}"
            )
        raise ParseError("lever: expected a JSON array of postings, got an object")
    if not isinstance(payload, list):
        raise ParseError(f"lever: expected a JSON array of postings, got {type(payload).__name__}")
    return build_all(ctx, payload, parse_lever_posting)


class Lever(Platform):
    """Lever boards; EU sites set ``url`` to the api.eu.lever.co endpoint."""

    name = "lever"
    single_request = False

    def default_url(self, token: str) -> str:
        """The global-instance listing."""
        return f"https://api.lever.co/v0/postings/{token}?mode=json"

    def start(self, ctx: Context) -> list[Request]:
        """The first page (skip=0)."""
        base = super().start(ctx)[0].url
        return [self._page(base, 0)]

    def _page(self, base: str, skip: int, first_id: str | None = None) -> Request:
        joiner = "&" if "?" in base else "?"
        return Request(
            f"{base}{joiner}skip={skip}&limit={PAGE_SIZE}",
            state=(("base", base), ("skip", skip), ("previous_first", first_id)),
        )

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse one page; ask for the next while pages come back full."""
        payload = load_json(body, self.name)
        page = parse_lever_postings(ctx, payload)
        if not (isinstance(payload, list) and len(payload) >= PAGE_SIZE and request.get("base")):
            return page
        first = str(payload[0].get("id")) if isinstance(payload[0], dict) else None
        if first is not None and first == request.get("previous_first"):
            return page  # the same page again: this board ignores skip, so it is all here
        page.follow.append(
            self._page(request.get("base"), request.get("skip", 0) + PAGE_SIZE, first)
        )
        return page
