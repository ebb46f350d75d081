"""'Wrong tag?': a signed-in person corrects one tag of a posting; it shows at once.

The correction goes through matcher.labels.apply_correction, which stores a Label (the next
training run learns from it) and overrides the posting's tag column straight away.
"""

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from matcher.errors import LabelError
from matcher.labels import apply_correction
from store.db import session_scope
from store.models import Posting, User
from web.accounts import records
from web.errors import BadRequest, NotFound
from web.routes.account_profiles import form_lists
from web.security import SignedInUser

router = APIRouter(tags=["accounts"])


class CorrectionIn(BaseModel):
    """A corrected tag: ``field`` (kind, track, style, level, areas) and its new value."""

    field: str
    value: str | list[str]


def _correct(request: Request, user: User, posting_id: int, field: str, value: Any) -> Any:
    with session_scope(request.app.state.engine) as session:
        if records.get_row(session, Posting, posting_id) is None:
            raise NotFound("There is no posting with this id.")
        try:
            label = apply_correction(
                session, posting_id, field, value, user_id=user.id, author=user.email
            )
        except LabelError as exc:
            raise BadRequest(str(exc)) from exc
        saved = {
            "id": label.id,
            "posting_id": posting_id,
            "field": label.field,
            "value": label.value,
        }
    # Lists and counts in this process show the corrected tag at once (others within seconds).
    request.app.state.open_index.invalidate()
    return saved


@router.post("/postings/{posting_id}/labels", include_in_schema=False)
async def correct_tag(request: Request, posting_id: int, user: SignedInUser) -> Response:
    """Record a tag correction from the posting page, then go back to the posting."""
    form = await form_lists(request)
    field = (form.get("field") or [""])[-1]
    values = [v for v in form.get("value") or [] if v.strip()]
    value: str | list[str] = values if field == "areas" else (values[-1] if values else "")
    await run_in_threadpool(_correct, request, user, posting_id, field, value)
    return RedirectResponse(f"/postings/{posting_id}?corrected={field}#tags", status_code=303)


@router.post("/api/postings/{posting_id}/labels", status_code=201)
def api_correct_tag(
    request: Request, posting_id: int, user: SignedInUser, body: CorrectionIn = Body(...)
) -> dict[str, Any]:
    """Correct one tag of a posting (Bearer token or signed-in session)."""
    return dict(_correct(request, user, posting_id, body.field, body.value))
