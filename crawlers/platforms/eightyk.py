"""80,000 Hours job board: its public Algolia index, paged until ``nbPages``.

The search-only key is read from the board's page at run time (``find_search_key``) and passed
in ``Context.secrets``; it is never stored in a file or the database.
"""

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawlers.errors import ParseError
from crawlers.parsing.dates import from_epoch, parse_date
from crawlers.parsing.fields import employment_type, split_locations, workplace
from crawlers.parsing.salary import from_text
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

APP_ID = "W6KM1UDIB3"
INDEX = "jobs_prod"
BOARD_PAGE = "https://jobs.80000hours.org/"
HITS_PER_PAGE = 100
_KEY_PATTERNS = (
    re.compile(
        r"(?:algolia[A-Za-z_]*(?:Search|Api)?Key|searchKey|apiKey|ALGOLIA_[A-Z_]*KEY)[\"']?\s*[:=]\s*[\"']([0-9a-f]{32})[\"']",
        re.I,
    ),
    re.compile(r"[\"']([0-9a-f]{32})[\"']"),
)


def find_search_key(page_text: str) -> str | None:
    """The Algolia search-only key in the board's HTML or script text, if present."""
    if APP_ID.lower() not in page_text.lower() and "algolia" not in page_text.lower():
        return None
    for pattern in _KEY_PATTERNS:
        match = pattern.search(page_text)
        if match:
            return match.group(1)
    return None


def strip_tracking(url: str) -> str:
    """A URL without utm_* and similar tracking parameters."""
    if not url:
        return url
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_")
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_eightyk_hit(ctx: Context, hit: dict[str, Any]) -> PostingRecord:
    """One Algolia hit as a record; ``url_external`` (without utm) is the apply link."""
    object_id = str(require(hit, "objectID", "eightyk"))
    company: dict[str, Any] = hit["company"] if isinstance(hit.get("company"), dict) else {}
    places = split_locations(
        hit.get("tags_location_80k") or hit.get("card_locations") or hit.get("tags_city")
    )
    location_types = [str(t) for t in hit.get("tags_location_type") or []]
    salary = from_text(str(hit["salary"])) if hit.get("salary") else None
    board_url = f"https://jobs.80000hours.org/jobs?jobPk={object_id}"
    return build_record(
        ctx,
        external_id=object_id,
        organisation=hit.get("company_name") or company.get("name") or "",
        title=require(hit, "title", "eightyk"),
        url=board_url,
        apply_url=strip_tracking(str(hit.get("url_external") or "")) or None,
        locations=places,
        remote=workplace(location_types[0]) if location_types else "unknown",
        employment_type=employment_type(hit.get("tags_role_type")),
        posted_at=from_epoch(hit["posted_at"]) if hit.get("posted_at") else None,
        deadline=parse_date(from_epoch(hit["closes_at"])) if hit.get("closes_at") else None,
        salary=salary,
        html=str(hit.get("description") or hit.get("description_short") or ""),
        evidence={"salary": str(hit["salary"])} if salary else {},
        extras={
            "areas_80k": hit.get("tags_area") or [],
            "role_types_80k": hit.get("tags_role_type") or [],
            "experience_80k": hit.get("tags_exp_required") or [],
            "skills_80k": hit.get("tags_skill") or [],
            "credit": "80,000 Hours job board",
        },
    )


def parse_eightyk_hits(ctx: Context, payload: Any) -> Page:
    """An Algolia response ``{hits, nbHits, nbPages, page}`` (or a multi-query ``results``)."""
    expect(payload, dict, "eightyk", "an Algolia JSON object with 'hits'")
    if "results" in payload and isinstance(payload["results"], list) and payload["results"]:
        payload = payload["results"][0]
    if "hits" not in payload:
        message = payload.get("message")
        raise ParseError(
            f"eightyk: {message}" if message else "eightyk: expected an object with 'hits'"
        )
    hits = expect(payload["hits"], list, "eightyk", "'hits' to be a list")
    return build_all(ctx, hits, parse_eightyk_hit)


class EightyK(Platform):
    """The 80,000 Hours board; ``url`` overrides the Algolia query endpoint."""

    name = "eightyk"
    single_request = False

    def default_url(self, token: str) -> str:
        """The single-index query endpoint."""
        return f"https://{APP_ID}-dsn.algolia.net/1/indexes/{token or INDEX}/query"

    def start(self, ctx: Context) -> list[Request]:
        """Page 0 of the index (the key comes from ``ctx.secrets``)."""
        if not ctx.secrets.get("algolia_key"):
            raise ParseError("eightyk: no search key found on the board page")
        url = ctx.url or self.default_url(ctx.token or INDEX)
        return [self._page(ctx, url, 0)]

    def _page(self, ctx: Context, url: str, page: int) -> Request:
        body = {"query": "", "page": page, "hitsPerPage": HITS_PER_PAGE, "analytics": False}
        headers = (
            ("X-Algolia-Application-Id", str(ctx.config.get("app_id", APP_ID))),
            ("X-Algolia-API-Key", ctx.secrets.get("algolia_key", "")),
            ("Content-Type", "application/json"),
        )
        return Request(
            url, method="POST", body=json.dumps(body), headers=headers, state=(("page", page),)
        )

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse a page of hits and ask for the next until ``nbPages``."""
        payload = load_json(body, self.name)
        page = parse_eightyk_hits(ctx, payload)
        current = int(payload.get("page", request.get("page", 0)) or 0)
        if current + 1 < int(payload.get("nbPages") or 0):
            page.follow.append(self._page(ctx, request.url, current + 1))
        return page
