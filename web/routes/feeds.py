"""Feeds for any openings list: /feeds/postings.{rss,atom,ics,csv,json} with its query string."""

from dataclasses import replace
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from store.clock import utcnow
from web.deps import ConfigDep, SessionDep, open_index
from web.errors import NotFound
from web.feedformats import atom, csv_bytes, ics, json_bytes, rss
from web.filters import openapi_parameters, parse_query
from web.queries import all_matching

router = APIRouter(tags=["feeds"])
LIMITS = {"rss": 100, "atom": 100, "ics": 1000, "csv": 5000, "json": 5000}
MEDIA = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@router.get(
    "/feeds/postings.{fmt}", summary="Feed of an openings list", openapi_extra=openapi_parameters()
)
def postings_feed(fmt: str, request: Request, session: SessionDep, config: ConfigDep) -> Response:
    """The openings selected by the query string (as on /postings) as RSS, Atom, ICS, CSV or JSON."""
    if fmt not in MEDIA:
        raise NotFound(f"No feed format {fmt!r}: use rss, atom, ics, csv or json.")
    query = parse_query(request.query_params)
    if fmt == "ics" and query.sort == "newest":
        query = replace(query, sort="closing")  # a calendar reads in date order
    now = utcnow()
    index = open_index(request, session)
    postings = all_matching(
        session, index, query, limit=LIMITS[fmt], now=now, with_deadline=fmt == "ics"
    )
    base = config.public_url.rstrip("/")
    listing = f"{base}/postings{query.query_string(include_paging=False)}"
    title = "rolefit openings" + (f" matching “{query.q}”" if query.q else "")
    if fmt == "rss":
        body = rss(postings, title=title, link=listing, base=base, now=now)
    elif fmt == "atom":
        body = atom(postings, title=title, link=listing, base=base, now=now)
    elif fmt == "ics":
        host = urlsplit(base).hostname or "rolefit"
        body = ics(
            postings, title=title.replace("openings", "deadlines"), base=base, now=now, host=host
        )
    elif fmt == "csv":
        body = csv_bytes(postings, base=base)
    else:
        body = json_bytes(postings, base=base, title=title)
    headers = {"Cache-Control": "public, max-age=300"}
    if fmt in ("csv", "ics"):
        headers["Content-Disposition"] = f'inline; filename="rolefit-openings.{fmt}"'
    return Response(body, media_type=MEDIA[fmt], headers=headers)
