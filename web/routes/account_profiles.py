"""My profiles: the edit form (HTML) and the same data as JSON, owner-only.

HTML: GET /profile (mine, or a new one), GET/POST /profiles/new, GET/POST /profiles/{id},
POST /profiles/{id}/delete. JSON: GET/POST /api/profiles, GET/PUT/DELETE /api/profiles/{id}.
Another person's profile id answers 404, exactly like an id that does not exist.
"""

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from matcher.errors import ProfileError
from store.db import session_scope
from store.models import Profile, User
from web.accounts import profile_form, records
from web.accounts.errors import ProfileFormError
from web.accounts.render import page
from web.errors import BadRequest, NotFound
from web.security import SignedInUser

router = APIRouter(tags=["accounts"])
NOT_FOUND = "There is no profile with this id among yours."
CHOICES = {
    "kinds": profile_form.KINDS,
    "tracks": profile_form.TRACKS,
    "areas": profile_form.AREAS,
    "org_types": profile_form.ORG_TYPES,
    "styles": profile_form.STYLES,
    "levels": profile_form.LEVELS,
    "degrees": profile_form.DEGREES,
}


def profile_json(profile: Profile) -> dict[str, Any]:
    """The public form of a stored profile."""
    return {
        "id": profile.id,
        "name": profile.name,
        "email": profile.email,
        "document": profile.document,
        "created_at": profile.created_at.isoformat(),
        "updated_at": profile.updated_at.isoformat(),
    }


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def form_lists(request: Request) -> dict[str, list[str]]:
    """The posted form as name -> every value (checkbox groups send one name many times)."""
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def _edit_page(
    request: Request,
    profile_id: int | None,
    values: dict[str, Any],
    *,
    error: str = "",
    saved: bool = False,
    status: int = 200,
) -> Response:
    context = {
        "profile_id": profile_id,
        "form": values,
        "error": error,
        "saved": saved,
        "choices": CHOICES,
    }
    return page(request, "profile.html", context, status=status)


def _save(engine: Engine, user: User, document: Any, profile_id: int | None) -> Profile:
    """Validate and store; NotFound for a profile that is not the user's."""
    with session_scope(engine) as session:
        profile = None
        if profile_id is not None:
            profile = records.owned_profile(session, user, profile_id)
            if profile is None:
                raise NotFound(NOT_FOUND)
        return records.save_profile(session, user, document, profile)


def _load(engine: Engine, user: User, profile_id: int) -> Profile:
    with session_scope(engine) as session:
        profile = records.owned_profile(session, user, profile_id)
        if profile is None:
            raise NotFound(NOT_FOUND)
        return profile


@router.get("/profile", include_in_schema=False)
def my_profile(request: Request, user: SignedInUser) -> Response:
    """My most recently saved profile, or the form for a new one."""
    with session_scope(_engine(request)) as session:
        mine = records.profiles_of(session, user)
    latest = records.latest_profile(mine)
    target = f"/profiles/{latest.id}" if latest else "/profiles/new"
    return RedirectResponse(target, status_code=303)


@router.get("/profiles/new", include_in_schema=False)
def new_profile(request: Request, user: SignedInUser) -> Response:
    """An empty profile form."""
    return _edit_page(request, None, profile_form.new_form(user.email))


@router.get("/profiles/{profile_id}", include_in_schema=False)
def edit_profile(request: Request, profile_id: int, user: SignedInUser) -> Response:
    """The edit form of one of my profiles."""
    profile = _load(_engine(request), user, profile_id)
    values = profile_form.document_to_form(profile.document)
    saved = request.query_params.get("saved") == "1"
    return _edit_page(request, profile_id, values, saved=saved)


async def _post_form(request: Request, user: User, profile_id: int | None) -> Response:
    raw = await form_lists(request)
    try:
        document = profile_form.form_to_document(raw)
        profile = await run_in_threadpool(_save, _engine(request), user, document, profile_id)
    except (ProfileFormError, ProfileError) as exc:
        values = {**profile_form.new_form(user.email), **_echo(raw)}
        message = str(exc).removeprefix("profile: ")
        return _edit_page(request, profile_id, values, error=message, status=422)
    return RedirectResponse(f"/profiles/{profile.id}?saved=1", status_code=303)


def _echo(raw: dict[str, list[str]]) -> dict[str, Any]:
    """What was typed, to show again with the error (lists for the checkbox groups)."""
    lists = {"kinds", "tracks", "areas", "org_exclude_types"}
    values: dict[str, Any] = {k: (v if k in lists else v[-1]) for k, v in raw.items()}
    values["remote_ok"] = bool(raw.get("remote_ok"))
    values["hybrid_ok"] = bool(raw.get("hybrid_ok"))
    return values


@router.post("/profiles/new", include_in_schema=False)
async def create_profile_form(request: Request, user: SignedInUser) -> Response:
    """Save a new profile from the form."""
    return await _post_form(request, user, None)


@router.post("/profiles/{profile_id}", include_in_schema=False)
async def update_profile_form(request: Request, profile_id: int, user: SignedInUser) -> Response:
    """Save my profile from the form."""
    await run_in_threadpool(_load, _engine(request), user, profile_id)
    return await _post_form(request, user, profile_id)


@router.post("/profiles/{profile_id}/delete", include_in_schema=False)
def delete_profile_form(request: Request, profile_id: int, user: SignedInUser) -> Response:
    """Delete my profile (and its digest subscriptions)."""
    with session_scope(_engine(request)) as session:
        profile = records.owned_profile(session, user, profile_id)
        if profile is None:
            raise NotFound(NOT_FOUND)
        records.delete_profile(session, profile)
    return RedirectResponse("/account", status_code=303)


@router.get("/api/profiles")
def api_profiles(request: Request, user: SignedInUser) -> list[dict[str, Any]]:
    """My profiles."""
    with session_scope(_engine(request)) as session:
        return [profile_json(p) for p in records.profiles_of(session, user)]


def _api_save(request: Request, user: User, document: Any, profile_id: int | None) -> Profile:
    try:
        return _save(_engine(request), user, document, profile_id)
    except ProfileError as exc:
        raise BadRequest(str(exc)) from exc


@router.post("/api/profiles", status_code=201)
def api_create_profile(
    request: Request, user: SignedInUser, document: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """Create a profile from a document with the fields of examples/profile.toml."""
    return profile_json(_api_save(request, user, document, None))


@router.get("/api/profiles/{profile_id}")
def api_profile(request: Request, profile_id: int, user: SignedInUser) -> dict[str, Any]:
    """One of my profiles."""
    return profile_json(_load(_engine(request), user, profile_id))


@router.put("/api/profiles/{profile_id}")
def api_update_profile(
    request: Request, profile_id: int, user: SignedInUser, document: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """Replace one of my profiles with a new document."""
    return profile_json(_api_save(request, user, document, profile_id))


@router.delete("/api/profiles/{profile_id}", status_code=204)
def api_delete_profile(request: Request, profile_id: int, user: SignedInUser) -> Response:
    """Delete one of my profiles and its subscriptions."""
    with session_scope(_engine(request)) as session:
        profile = records.owned_profile(session, user, profile_id)
        if profile is None:
            raise NotFound(NOT_FOUND)
        records.delete_profile(session, profile)
    return Response(status_code=204)
