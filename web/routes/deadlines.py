"""Upcoming application deadlines by week: /deadlines and its JSON twin /api/deadlines."""

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlmodel import Session

from store.clock import utcnow
from web.deps import SessionDep, open_index
from web.filters import OpeningsQuery, openapi_parameters, parse_query
from web.openindex import OpenIndex
from web.queries import all_matching
from web.schemas import PostingSummary, summary_of

router = APIRouter(tags=["deadlines"])
MAX_DEADLINES = 1000


class DeadlineWeek(BaseModel):
    """The openings whose deadline falls in one week (Monday to Sunday)."""

    week_start: date
    label: str
    items: list[PostingSummary]


def _label(monday: date, today: date) -> str:
    this_monday = today - timedelta(days=today.weekday())
    weeks = (monday - this_monday).days // 7
    span = f"{monday.day} {monday:%b} – {(monday + timedelta(days=6)).day} {monday + timedelta(days=6):%b %Y}"
    if weeks == 0:
        return f"This week ({span})"
    if weeks == 1:
        return f"Next week ({span})"
    return f"Week of {span}"


def deadline_weeks(
    session: Session, index: OpenIndex, query: OpeningsQuery, today: date | None = None
) -> list[DeadlineWeek]:
    """Open postings with a deadline from today on, grouped by week, soonest first."""
    today = today or utcnow().date()
    postings = all_matching(
        session,
        index,
        replace(query, sort="closing"),
        limit=MAX_DEADLINES,
        with_deadline=True,
        light=True,
    )
    weeks: dict[date, list[PostingSummary]] = {}
    for p in postings:
        if p.deadline is None:
            continue
        monday = p.deadline - timedelta(days=p.deadline.weekday())
        weeks.setdefault(monday, []).append(summary_of(p))
    return [
        DeadlineWeek(week_start=m, label=_label(m, today), items=items)
        for m, items in sorted(weeks.items())
    ]


@router.get("/deadlines", response_class=HTMLResponse, summary="Deadlines page")
def deadlines_page(request: Request, session: SessionDep) -> Response:
    """Upcoming deadlines, week by week (takes the openings filters)."""
    query = parse_query(request.query_params)
    templates: Jinja2Templates = request.app.state.templates
    qs = query.query_string(include_paging=False)
    context: dict[str, Any] = {
        "weeks": deadline_weeks(session, open_index(request, session), query),
        "query": query,
        "ics_url": f"/feeds/postings.ics{qs}",
    }
    return templates.TemplateResponse(request, "deadlines.html", context)


@router.get("/api/deadlines", response_model=list[DeadlineWeek], openapi_extra=openapi_parameters())
def deadlines_api(request: Request, session: SessionDep) -> list[DeadlineWeek]:
    """Upcoming deadlines grouped by week (Monday start), same filters as /api/postings."""
    return deadline_weeks(session, open_index(request, session), parse_query(request.query_params))
