"""Parsing one saved payload in a named format: what ``rolefit parse`` runs.

``parse_payload(fmt, body)`` dispatches to the platform's pure parser. A payload that is not in
the format raises ParseError with one line. Postings a board marks unlisted are left out.
"""

from crawlers.errors import ParseError
from crawlers.platforms.aisafety import parse_aisafety
from crawlers.platforms.ashby import parse_ashby_board
from crawlers.platforms.base import Context, Page, load_json
from crawlers.platforms.eightyk import parse_eightyk_hits
from crawlers.platforms.feed import parse_feed
from crawlers.platforms.greenhouse import parse_greenhouse_jobs
from crawlers.platforms.html import parse_posting_page
from crawlers.platforms.jsonld import parse_jsonld_page
from crawlers.platforms.lever import parse_lever_postings
from crawlers.platforms.personio import parse_personio_feed
from crawlers.platforms.recruitee import parse_recruitee_offers
from crawlers.platforms.smartrecruiters import parse_smartrecruiters_postings
from crawlers.platforms.teamtailor import parse_teamtailor_feed
from crawlers.platforms.workable import parse_workable_jobs
from store.records import PostingRecord

_JSON = {
    "greenhouse": parse_greenhouse_jobs,
    "lever": parse_lever_postings,
    "ashby": parse_ashby_board,
    "workable": parse_workable_jobs,
    "smartrecruiters": parse_smartrecruiters_postings,
    "recruitee": parse_recruitee_offers,
    "teamtailor": parse_teamtailor_feed,
    "aisafety": parse_aisafety,
    "eightyk": parse_eightyk_hits,
}
FORMATS = (*_JSON, "personio", "jsonld", "feed", "html")


def parse_page(fmt: str, body: bytes, ctx: Context | None = None) -> Page:
    """Records (and anything skipped or invalid) from one payload in format ``fmt``."""
    ctx = ctx or Context(source_format=fmt)
    if fmt in _JSON:
        return _JSON[fmt](ctx, load_json(body, fmt))
    if fmt == "personio":
        return parse_personio_feed(ctx, body)
    if fmt == "feed":
        return parse_feed(ctx, body)
    if fmt == "jsonld":
        page = parse_jsonld_page(ctx, body, page_url=ctx.url or "")
        if not page.records and not page.invalid:
            raise ParseError("jsonld: no JobPosting found in the page's JSON-LD")
        return page
    if fmt == "html":
        return Page(records=[parse_posting_page(ctx, body, page_url=ctx.url or "")])
    raise ParseError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def parse_payload(fmt: str, body: bytes, ctx: Context | None = None) -> list[PostingRecord]:
    """The postings in one payload; ParseError if it is not that format or an item is broken."""
    page = parse_page(fmt, body, ctx)
    if page.invalid:
        more = f" (and {len(page.invalid) - 1} more)" if len(page.invalid) > 1 else ""
        raise ParseError(page.invalid[0] + more)
    return page.records
