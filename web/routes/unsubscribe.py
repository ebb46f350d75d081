"""Unsubscribe links from digests: they work without signing in, by a signed token.

GET shows a confirmation button (link scanners and mail previews fetch GETs, so a GET must not
unsubscribe anyone). POST unsubscribes; it is also the RFC 8058 one-click target that mail
clients call with the body ``List-Unsubscribe=One-Click`` (the body is not needed, the token
says everything). Using a link twice is harmless. Included by ``web.app.create_app``; it needs
``app.state.engine`` and ``app.state.config.secret_key``.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.responses import Response

from scheduler.errors import TokenError
from scheduler.subscriptions import subscription_for_token, unsubscribe_by_token
from store.db import session_scope
from web.accounts.render import templates_for

router = APIRouter(tags=["digests"])


def _page(request: Request, title: str, status: int = 200, **values: Any) -> Response:
    # No sign-in, session or CSRF token here: the signed token in the URL is the authority.
    # base.html and the site stylesheets style it; the CSP forbids inline styles.
    context = {"title": title, **values}
    return templates_for(request).TemplateResponse(
        request, "unsubscribe.html", context, status_code=status
    )


def _invalid(request: Request, exc: TokenError) -> Response:
    return _page(request, "Link not valid", status=400, state="invalid", message=str(exc))


def _engine_and_secret(request: Request) -> tuple[Engine, str]:
    return request.app.state.engine, str(request.app.state.config.secret_key)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def confirm_unsubscribe(token: str, request: Request) -> Response:
    """Ask to confirm unsubscribing from the digest this link names."""
    engine, secret = _engine_and_secret(request)
    try:
        with Session(engine) as session:
            subscription = subscription_for_token(session, secret, token)
    except TokenError as exc:
        return _invalid(request, exc)
    email = subscription.email
    if not subscription.active:
        return _page(request, "Already unsubscribed", state="already", email=email)
    return _page(
        request,
        "Unsubscribe",
        state="confirm",
        email=email,
        frequency=subscription.frequency,
        token=token,
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def do_unsubscribe(token: str, request: Request) -> Response:
    """Unsubscribe (also the RFC 8058 one-click target); a second use changes nothing."""
    engine, secret = _engine_and_secret(request)
    try:
        with session_scope(engine) as session:
            outcome = unsubscribe_by_token(session, secret, token)
            email = outcome.subscription.email
    except TokenError as exc:
        return _invalid(request, exc)
    if outcome.already:
        return _page(request, "Already unsubscribed", state="already", email=email)
    return _page(request, "Unsubscribed", state="done", email=email)
