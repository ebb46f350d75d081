"""My matches: the matcher's ranking for one of my profiles, with its reasons (owner-only)."""

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from matcher.fit import MatchResults
from store.db import session_scope
from store.models import Profile, User
from web.accounts import records
from web.accounts.matching import find_matches
from web.accounts.render import page
from web.errors import NotFound
from web.routes.account_profiles import NOT_FOUND
from web.security import SignedInUser

router = APIRouter(tags=["accounts"])


def _matches(
    engine: Engine, user: User, profile_id: int, limit: int, excluded: bool
) -> tuple[Profile, MatchResults]:
    with session_scope(engine) as session:
        profile = records.owned_profile(session, user, profile_id)
        if profile is None:
            raise NotFound(NOT_FOUND)
        found = find_matches(session, profile.document, limit=limit, include_excluded=excluded)
        return profile, found


@router.get("/matches", include_in_schema=False)
def my_matches(request: Request, user: SignedInUser) -> Response:
    """Matches for my most recently saved profile (or the profile form when I have none)."""
    with session_scope(request.app.state.engine) as session:
        mine = records.profiles_of(session, user)
    latest = records.latest_profile(mine)
    target = f"/profiles/{latest.id}/matches" if latest else "/profiles/new"
    return RedirectResponse(target, status_code=303)


@router.get("/profiles/{profile_id}/matches", include_in_schema=False)
def profile_matches(
    request: Request,
    profile_id: int,
    user: SignedInUser,
    limit: int = Query(20, ge=1, le=100),
    excluded: bool = Query(False),
) -> Response:
    """The best openings for one of my profiles, each with why it fits."""
    profile, found = _matches(request.app.state.engine, user, profile_id, limit, excluded)
    context = {"profile": profile, "results": found, "limit": limit, "show_excluded": excluded}
    return page(request, "matches.html", context)


@router.get("/api/profiles/{profile_id}/matches")
def api_profile_matches(
    request: Request,
    profile_id: int,
    user: SignedInUser,
    limit: int = Query(20, ge=1, le=100),
    excluded: bool = Query(False),
) -> dict[str, Any]:
    """The best openings for one of my profiles, with reasons (the matcher's JSON shape)."""
    profile, found = _matches(request.app.state.engine, user, profile_id, limit, excluded)
    return {"profile_id": profile.id, **found.to_json()}
