"""The role map at /map and its JSON twin /api/map (same filters as the openings list)."""

from dataclasses import asdict, replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlmodel import Session

from web.deps import CurrentUserDep, SessionDep, open_index
from web.filters import OpeningsQuery, openapi_parameters, parse_query
from web.fit import preference_point
from web.openindex import OpenIndex
from web.queries import all_matching
from web.svg import KIND_COLOURS, MapPoint, point_of, role_map_svg

router = APIRouter(tags=["role map"])
MAX_POINTS = 1500


def map_points(session: Session, index: OpenIndex, query: OpeningsQuery) -> list[MapPoint]:
    """Open technical postings (style and level only describe those) for ``query``."""
    technical = replace(query, facets={**query.facets, "track": ("technical",)})
    postings = all_matching(session, index, technical, limit=MAX_POINTS, light=True)
    return [point_of(p) for p in postings if p.style is not None and p.level is not None]


@router.get("/map", response_class=HTMLResponse, summary="Role map page")
def role_map(request: Request, session: SessionDep, user: CurrentUserDep) -> Response:
    """An SVG chart of current technical openings by style and level, coloured by kind."""
    query = parse_query(request.query_params)
    points = map_points(session, open_index(request, session), query)
    preference = preference_point(session, user)
    counts: dict[str, int] = {}
    for p in points:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "rolemap.html",
        {
            "svg": Markup(role_map_svg(points, preference)),  # noqa: S704  (built by ElementTree)
            "points": points,
            "legend": [(k, c, counts[k]) for k, c in KIND_COLOURS.items() if k in counts],
            "preference": preference,
            "query": query,
            "limit": MAX_POINTS,
        },
    )


@router.get("/api/map", openapi_extra=openapi_parameters())
def role_map_api(request: Request, session: SessionDep, user: CurrentUserDep) -> dict[str, Any]:
    """The role map's points (x: P(theoretical), y: P(lead)) and the user's preference."""
    points = map_points(session, open_index(request, session), parse_query(request.query_params))
    preference = preference_point(session, user)
    return {
        "points": [asdict(p) for p in points],
        "preference": {"x": preference[0], "y": preference[1]} if preference else None,
    }
