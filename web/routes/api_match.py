"""The matching JSON API: POST /api/match with a profile, GET /api/match?profile=ID.

Both call ``matcher.fit.match`` (as ``rolefit match`` and ``rolefit.connect().match`` do), so
every interface returns the same postings in the same order with the same scores. The response
is ``MatchResults.to_json()``, documented in docs/MATCHING.md.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from matcher.errors import ProfileError
from matcher.fit import match
from matcher.profile import ProfileDoc, profile_from_dict
from store.db import get_by_id
from store.models import Profile

router = APIRouter(tags=["matching"])
MAX_LIMIT = 200

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many matches to return.")]
ShowExcluded = Annotated[
    bool, Query(description="Also return excluded postings (up to limit) with their reasons.")
]


def _run(request: Request, profile: ProfileDoc, limit: int, show_excluded: bool) -> JSONResponse:
    with Session(request.app.state.engine) as session:
        results = match(session, profile, limit=limit, include_excluded=show_excluded)
    return JSONResponse(results.to_json())


def _error(status: int, message: str) -> JSONResponse:
    # Answered here rather than raised: the app's error pages would replace the message.
    return JSONResponse({"detail": message}, status_code=status)


@router.post("/api/match")
def match_profile(
    request: Request,
    profile: Annotated[dict[str, Any], Body(description="A profile: the fields of profile.toml.")],
    limit: Limit = 20,
    show_excluded: ShowExcluded = False,
) -> JSONResponse:
    """Rank open postings for the profile in the body (JSON with the profile.toml fields)."""
    try:
        doc = profile_from_dict(profile, source="profile")
    except ProfileError as exc:
        return _error(422, str(exc))
    return _run(request, doc, limit, show_excluded)


@router.get("/api/match")
def match_stored_profile(
    request: Request,
    profile: Annotated[int, Query(description="Id of a stored profile.")],
    limit: Limit = 20,
    show_excluded: ShowExcluded = False,
) -> JSONResponse:
    """Rank open postings for a stored profile (yours, or one not tied to any account)."""
    with Session(request.app.state.engine) as session:
        row = get_by_id(session, Profile, profile)
        user = getattr(request.state, "user", None)
        # A profile tied to an account is private to it; say "not found" rather than "forbidden"
        # so ids cannot be probed.
        owner_ok = row is not None and (
            row.user_id is None or (user is not None and getattr(user, "id", None) == row.user_id)
        )
        if row is None or not owner_ok:
            return _error(404, f"no profile with id {profile}")
        document = dict(row.document)
    try:
        doc = profile_from_dict(document, source=f"profile {profile}")
    except ProfileError as exc:
        return _error(422, str(exc))
    return _run(request, doc, limit, show_excluded)
