"""Digest settings: subscribe one of my profiles to an emailed digest, or stop it (owner-only)."""

import math
from typing import Any

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from scheduler.errors import SubscriptionError
from store.db import session_scope
from store.models import Subscription
from web.accounts import records
from web.accounts.render import page
from web.errors import BadRequest, NotFound
from web.routes.account_profiles import NOT_FOUND
from web.security import SignedInUser

router = APIRouter(tags=["accounts"])
NO_SUBSCRIPTION = "There is no subscription with this id among yours."


class SubscriptionIn(BaseModel):
    """A digest request: which of my profiles, where to, how often, how picky."""

    profile_id: int
    email: str
    frequency: str = "weekly"
    min_score: float = Field(default=0.0, ge=0, le=1)
    min_matches: int = Field(default=1, ge=1)


def subscription_json(row: Subscription) -> dict[str, Any]:
    """The public form of a subscription."""
    return {
        "id": row.id,
        "profile_id": row.profile_id,
        "email": row.email,
        "frequency": row.frequency,
        "min_score": row.min_score,
        "min_matches": row.min_matches,
        "active": row.active,
        "created_at": row.created_at.isoformat(),
        "last_sent_at": row.last_sent_at.isoformat() if row.last_sent_at else None,
        "last_error": row.last_error,
    }


def _digest_page(
    request: Request,
    user: Any,
    profile_id: int,
    *,
    error: str = "",
    status: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    with session_scope(request.app.state.engine) as session:
        profile = records.owned_profile(session, user, profile_id)
        if profile is None:
            raise NotFound(NOT_FOUND)
        rows = records.subscriptions_for_profile(session, profile)
    active = next((r for r in rows if r.active), None)
    defaults = {
        "email": (active.email if active else profile.email) or user.email,
        "frequency": active.frequency if active else "weekly",
        "min_score": active.min_score if active else 0.0,
        "min_matches": active.min_matches if active else 1,
    }
    context = {
        "profile": profile,
        "subscriptions": rows,
        "active": active,
        "form": {**defaults, **(values or {})},
        "error": error,
        "saved": request.query_params.get("saved") == "1",
    }
    return page(request, "digest.html", context, status=status)


@router.get("/profiles/{profile_id}/digest", include_in_schema=False)
def digest_settings(request: Request, profile_id: int, user: SignedInUser) -> Response:
    """Digest settings of one of my profiles."""
    return _digest_page(request, user, profile_id)


@router.post("/profiles/{profile_id}/digest", include_in_schema=False)
def digest_subscribe(
    request: Request,
    profile_id: int,
    user: SignedInUser,
    email: str = Form(default=""),
    frequency: str = Form(default="weekly"),
    min_score: str = Form(default="0"),
    min_matches: str = Form(default="1"),
) -> Response:
    """Start or update the digest of one of my profiles."""
    values = {
        "email": email,
        "frequency": frequency,
        "min_score": min_score,
        "min_matches": min_matches,
    }
    try:
        score, count = float(min_score or 0), int(min_matches or 1)
        if not math.isfinite(score):
            raise ValueError(min_score)
        with session_scope(request.app.state.engine) as session:
            profile = records.owned_profile(session, user, profile_id)
            if profile is None:
                raise NotFound(NOT_FOUND)
            records.subscribe(
                session,
                user,
                profile,
                email=email,
                frequency=frequency,
                min_score=score,
                min_matches=count,
            )
    except ValueError:
        return _digest_page(
            request,
            user,
            profile_id,
            status=422,
            values=values,
            error="Minimum score and minimum matches must be numbers.",
        )
    except SubscriptionError as exc:
        return _digest_page(
            request, user, profile_id, status=422, values=values, error=str(exc).capitalize() + "."
        )
    return RedirectResponse(f"/profiles/{profile_id}/digest?saved=1", status_code=303)


@router.post("/subscriptions/{subscription_id}/unsubscribe", include_in_schema=False)
def digest_unsubscribe(request: Request, subscription_id: int, user: SignedInUser) -> Response:
    """Stop one of my digests."""
    with session_scope(request.app.state.engine) as session:
        row = records.owned_subscription(session, user, subscription_id)
        if row is None:
            raise NotFound(NO_SUBSCRIPTION)
        records.unsubscribe(session, row)
        target = f"/profiles/{row.profile_id}/digest"
    return RedirectResponse(target, status_code=303)


@router.get("/api/subscriptions")
def api_subscriptions(request: Request, user: SignedInUser) -> list[dict[str, Any]]:
    """My digest subscriptions."""
    with session_scope(request.app.state.engine) as session:
        return [subscription_json(r) for r in records.subscriptions_of(session, user)]


@router.post("/api/subscriptions", status_code=201)
def api_subscribe(
    request: Request, user: SignedInUser, body: SubscriptionIn = Body(...)
) -> dict[str, Any]:
    """Subscribe one of my profiles to a digest (updates an identical active one)."""
    try:
        with session_scope(request.app.state.engine) as session:
            profile = records.owned_profile(session, user, body.profile_id)
            if profile is None:
                raise NotFound(NOT_FOUND)
            row = records.subscribe(
                session,
                user,
                profile,
                email=body.email,
                frequency=body.frequency,
                min_score=body.min_score,
                min_matches=body.min_matches,
            )
            return subscription_json(row)
    except SubscriptionError as exc:
        raise BadRequest(str(exc)) from exc


@router.get("/api/subscriptions/{subscription_id}")
def api_subscription(request: Request, subscription_id: int, user: SignedInUser) -> dict[str, Any]:
    """One of my subscriptions."""
    with session_scope(request.app.state.engine) as session:
        row = records.owned_subscription(session, user, subscription_id)
        if row is None:
            raise NotFound(NO_SUBSCRIPTION)
        return subscription_json(row)


@router.delete("/api/subscriptions/{subscription_id}")
def api_unsubscribe(request: Request, subscription_id: int, user: SignedInUser) -> dict[str, Any]:
    """Stop one of my subscriptions (kept, inactive)."""
    with session_scope(request.app.state.engine) as session:
        row = records.owned_subscription(session, user, subscription_id)
        if row is None:
            raise NotFound(NO_SUBSCRIPTION)
        records.unsubscribe(session, row)
        return subscription_json(row)
