"""Source health: /sources and its JSON twin /api/sources."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session, col

from store.models import CrawlRun, Organisation, Posting, Source
from web.deps import SessionDep

router = APIRouter(tags=["sources"])


class SourceHealth(BaseModel):
    """How one source is doing."""

    id: str
    platform: str
    organisation: str | None
    status: str  # ok | failing | disabled | never
    enabled: bool
    disabled_reason: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    error_streak: int
    next_crawl_at: datetime | None
    open_postings: int
    last_run_status: str | None
    last_run_new: int | None


def _status(source: Source) -> str:
    if not source.enabled:
        return "disabled"
    if source.error_streak > 0:
        return "failing"
    if source.last_success_at is None:
        return "never"
    return "ok"


def source_health(session: Session) -> list[SourceHealth]:
    """Every source with its crawl state, open posting count and latest run."""
    open_rows = session.exec(  # type: ignore[call-overload]
        select(col(Posting.source_id), func.count())
        .where(col(Posting.closed_at).is_(None))
        .group_by(col(Posting.source_id))
    ).all()
    open_counts: dict[str, int] = {str(source): int(n) for source, n in open_rows}
    latest = (
        select(col(CrawlRun.source_id), func.max(col(CrawlRun.id)).label("run_id"))
        .group_by(col(CrawlRun.source_id))
        .subquery()
    )
    runs = {
        r.source_id: r
        for r in session.exec(
            select(CrawlRun).join(latest, col(CrawlRun.id) == latest.c.run_id)
        ).scalars()  # type: ignore[call-overload]
    }
    orgs = {o.id: o.name for o in session.exec(select(Organisation)).scalars()}  # type: ignore[call-overload]
    out = []
    for s in session.exec(select(Source).order_by(col(Source.id))).scalars():  # type: ignore[call-overload]
        run = runs.get(s.id)
        out.append(
            SourceHealth(
                id=s.id,
                platform=s.platform,
                organisation=orgs.get(s.organisation_id),
                status=_status(s),
                enabled=s.enabled,
                disabled_reason=s.disabled_reason,
                last_attempt_at=s.last_attempt_at,
                last_success_at=s.last_success_at,
                last_error=s.last_error,
                error_streak=s.error_streak,
                next_crawl_at=s.next_crawl_at,
                open_postings=int(open_counts.get(s.id, 0)),
                last_run_status=run.status if run else None,
                last_run_new=run.new if run else None,
            )
        )
    order = {"failing": 0, "disabled": 1, "never": 2, "ok": 3}
    return sorted(out, key=lambda h: (order[h.status], h.id))


@router.get("/sources", response_class=HTMLResponse, summary="Sources page")
def sources_page(request: Request, session: SessionDep) -> Response:
    """Each source's health: last success, last error, failure streak, open postings."""
    health = source_health(session)
    summary: dict[str, int] = {}
    for h in health:
        summary[h.status] = summary.get(h.status, 0) + 1
    templates: Jinja2Templates = request.app.state.templates
    context: dict[str, Any] = {"sources": health, "summary": summary}
    return templates.TemplateResponse(request, "sources.html", context)


@router.get("/api/sources", response_model=list[SourceHealth])
def sources_api(session: SessionDep) -> list[SourceHealth]:
    """Each source's health, failing ones first."""
    return source_health(session)
