"""The openings list at / and /postings, and its JSON twin /api/postings."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from web.deps import ConfigDep, CurrentUserDep, SessionDep, open_index
from web.filters import (
    DEADLINE_WINDOWS,
    POSTED_WINDOWS,
    SORTS,
    OpeningsQuery,
    openapi_parameters,
    parse_query,
)
from web.fit import fit_scores
from web.queries import find_openings
from web.routes.sources import source_health
from web.schemas import OpeningsResult

router = APIRouter(tags=["openings"])
FEED_FORMATS = ("rss", "atom", "ics", "csv", "json")


def openings(
    request: Request, session: SessionDep, user: CurrentUserDep
) -> tuple[OpeningsQuery, OpeningsResult]:
    """Parse the URL and run the openings query (shared by the page and the API)."""
    query = parse_query(request.query_params)
    scores = fit_scores(session, user) if query.sort == "fit" else None
    result = find_openings(session, open_index(request, session), query, fit_scores=scores)
    return query, result


def _sorts(query: OpeningsQuery, user_present: bool) -> dict[str, str]:
    sorts = dict(SORTS)
    if not query.q:
        sorts.pop("relevance")
    if not user_present:
        sorts.pop("fit")
    return sorts


def _chips(query: OpeningsQuery, result: OpeningsResult) -> list[dict[str, Any]]:
    labels = {(f.name, v.value): (f.label, v.label) for f in result.facets for v in f.values}
    chips = []
    if query.q:
        chips.append(
            {
                "label": query.q[:60] + ("…" if len(query.q) > 60 else ""),
                "facet": "Search",
                "href": query.without("q").query_string(),
            }
        )
    for name, values in query.facets.items():
        for value in values:
            facet, label = labels.get((name, value), (name, value))
            chips.append(
                {"facet": facet, "label": label, "href": query.without(name, value).query_string()}
            )
    if query.deadline:
        chips.append(
            {
                "facet": "Deadline",
                "label": DEADLINE_WINDOWS[query.deadline],
                "href": query.without("deadline").query_string(),
            }
        )
    if query.posted:
        chips.append(
            {
                "facet": "Posted",
                "label": POSTED_WINDOWS[query.posted],
                "href": query.without("posted").query_string(),
            }
        )
    return chips


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@router.get("/postings", response_class=HTMLResponse, summary="Openings page")
def openings_page(
    request: Request, session: SessionDep, user: CurrentUserDep, config: ConfigDep
) -> Response:
    """Open postings with facets, search, sorting and pagination (HTML)."""
    query, result = openings(request, session, user)
    feed_query = query.query_string(include_paging=False)
    # An empty site says why: the sources that have not delivered yet, with their errors.
    unhealthy = []
    if result.total == 0 and not query.is_filtered:
        unhealthy = [s for s in source_health(session) if s.status != "ok"]
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "openings.html",
        {
            "query": query,
            "result": result,
            "chips": _chips(query, result),
            "sorts": _sorts(query, user is not None),
            "feeds": [(fmt, f"/feeds/postings.{fmt}{feed_query}") for fmt in FEED_FORMATS],
            "json_url": f"/api/postings{query.query_string()}",
            "unhealthy_sources": unhealthy,
        },
    )


@router.get("/api/postings", response_model=OpeningsResult, openapi_extra=openapi_parameters())
def openings_api(request: Request, session: SessionDep, user: CurrentUserDep) -> OpeningsResult:
    """Open postings with facet counts: the same query string as /postings."""
    return openings(request, session, user)[1]
