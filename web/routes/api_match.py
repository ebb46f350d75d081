"""The matching JSON API: POST /api/match with a profile, GET /api/match?profile=ID.

Both call ``matcher.fit.match`` (as ``rolefit match`` and ``rolefit.connect().match`` do), so
every interface returns the same postings in the same order with the same scores. The response
is ``MatchResults.to_json()``, documented in docs/MATCHING.md.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from matcher.errors import ProfileError
from matcher.fit import match
from matcher.profile import ProfileDoc, profile_from_dict
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


def _validated(data: Any, source: str) -> ProfileDoc:
    try:
        return profile_from_dict(data, source=source)
    except ProfileError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.post("/api/match")
def match_profile(
    request: Request,
    profile: Annotated[dict[str, Any], Body(description="A profile: the fields of profile.toml.")],
    limit: Limit = 20,
    show_excluded: ShowExcluded = False,
) -> JSONResponse:
    """Rank open postings for the profile in the body (JSON with the profile.toml fields)."""
    return _run(request, _validated(profile, "profile"), limit, show_excluded)


@router.get("/api/match")
def match_stored_profile(
    request: Request,
    profile: Annotated[int, Query(description="Id of a stored profile.")],
    limit: Limit = 20,
    show_excluded: ShowExcluded = False,
) -> JSONResponse:
    """Rank open postings for a stored profile (yours, or one not tied to any account)."""
    with Session(request.app.state.engine) as session:
        row = session.get(Profile, profile)
        user = getattr(request.state, "user", None)
        # A profile tied to an account is private to it; say "not found" rather than "forbidden"
        # so ids cannot be probed.
        owner_ok = row is not None and (
            row.user_id is None or (user is not None and getattr(user, "id", None) == row.user_id)
        )
        if row is None or not owner_ok:
            raise HTTPException(status_code=404, detail=f"no profile with id {profile}")
        document = dict(row.document)
    return _run(request, _validated(document, f"profile {profile}"), limit, show_excluded)
