"""Personal API tokens: create (shown once), list and revoke; only a hash is stored."""

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from store.db import session_scope
from store.models import ApiToken
from web.accounts import records
from web.accounts.render import page
from web.errors import NotFound
from web.security import SignedInUser

router = APIRouter(tags=["accounts"])


def token_json(row: ApiToken) -> dict[str, Any]:
    """A token's metadata (never the token)."""
    return {
        "id": row.id,
        "name": row.name,
        "created_at": row.created_at.isoformat(),
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        "revoked": row.revoked_at is not None,
    }


def _tokens_page(
    request: Request, user: Any, *, new_token: str = "", status: int = 200
) -> Response:
    with session_scope(request.app.state.engine) as session:
        rows = records.tokens_of(session, user)
    context = {"tokens": rows, "new_token": new_token}
    response = page(request, "tokens.html", context, status=status)
    if new_token:
        response.headers["Cache-Control"] = "no-store"  # the token must not linger in a cache
    return response


@router.get("/account/tokens", include_in_schema=False)
def tokens(request: Request, user: SignedInUser) -> Response:
    """My API tokens."""
    return _tokens_page(request, user)


@router.post("/account/tokens", include_in_schema=False)
def create_token(request: Request, user: SignedInUser, name: str = Form(default="")) -> Response:
    """Create a token and show it this once."""
    with session_scope(request.app.state.engine) as session:
        _, token = records.create_token(session, user, name or "script")
    return _tokens_page(request, user, new_token=token, status=201)


@router.post("/account/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token(request: Request, token_id: int, user: SignedInUser) -> Response:
    """Revoke one of my tokens."""
    with session_scope(request.app.state.engine) as session:
        row = records.owned_token(session, user, token_id)
        if row is None:
            raise NotFound("There is no API token with this id among yours.")
        records.revoke_token(session, row)
    return RedirectResponse("/account/tokens", status_code=303)


@router.get("/api/tokens")
def api_tokens(request: Request, user: SignedInUser) -> list[dict[str, Any]]:
    """My API tokens' names and dates (never the tokens)."""
    with session_scope(request.app.state.engine) as session:
        return [token_json(r) for r in records.tokens_of(session, user)]
