"""One posting: /postings/{id} and its JSON twin /api/postings/{id}."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from matcher.taxonomy import AREAS, SINGLE_FIELDS
from web.deps import CurrentUserDep, SessionDep
from web.detail import corrected_fields, posting_detail
from web.schemas import PostingDetail
from web.security import csrf_token

router = APIRouter(tags=["postings"])
CLOSE_REASONS = {
    "missing_from_source": "it disappeared from the page it was listed on",
    "deadline_passed": "its application deadline passed",
    "page_gone": "its page no longer exists",
    "closed_banner": "its page says it is no longer accepting applications",
    "manual": "it was closed by hand",
}


def _vocabulary() -> dict[str, tuple[str, ...]]:
    return {**SINGLE_FIELDS, "areas": AREAS}


@router.get("/postings/{posting_id}", response_class=HTMLResponse, summary="Posting page")
def posting_page(
    request: Request, posting_id: int, session: SessionDep, user: CurrentUserDep
) -> Response:
    """One opening: description, tags with evidence, deadline, salary, sources, similar ones."""
    detail = posting_detail(session, posting_id)
    context: dict[str, Any] = {
        "p": detail,
        "corrected": corrected_fields(session, posting_id),
        "vocabulary": _vocabulary(),
        "csrf": csrf_token(request),
        "close_reason": CLOSE_REASONS.get(detail.close_reason or "", detail.close_reason),
        "corrected_now": request.query_params.get("corrected"),
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, "posting.html", context)


@router.get("/api/postings/{posting_id}", response_model=PostingDetail)
def posting_api(posting_id: int, session: SessionDep) -> PostingDetail:
    """One opening with its tags, evidence, links and similar openings."""
    return posting_detail(session, posting_id)
