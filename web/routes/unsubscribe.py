"""Unsubscribe links from digests: they work without signing in, by a signed token.

GET shows a confirmation button (link scanners and mail previews fetch GETs, so a GET must not
unsubscribe anyone). POST unsubscribes; it is also the RFC 8058 one-click target that mail
clients call with the body ``List-Unsubscribe=One-Click`` (the body is not needed, the token
says everything). Using a link twice is harmless. Included by ``web.app.create_app``; it needs
``app.state.engine`` and ``app.state.config.secret_key``.
"""

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine
from sqlmodel import Session

from scheduler.errors import TokenError
from scheduler.subscriptions import subscription_for_token, unsubscribe_by_token
from store.db import session_scope

router = APIRouter(tags=["digests"])

# Self-contained on purpose (no sign-in, no session, no template context); styled by the site
# stylesheet only, since the app's Content-Security-Policy forbids inline styles.
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title} - rolefit</title><link rel="stylesheet" href="/static/site.css"></head>
<body><main><h1>{title}</h1>{body}<p><a href="/">rolefit</a></p></main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=escape(title), body=body), status_code=status)


def _invalid(exc: TokenError) -> HTMLResponse:
    return _page("Link not valid", f"<p>{escape(str(exc))}.</p>", status=400)


def _engine_and_secret(request: Request) -> tuple[Engine, str]:
    return request.app.state.engine, str(request.app.state.config.secret_key)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def confirm_unsubscribe(token: str, request: Request) -> HTMLResponse:
    """Ask to confirm unsubscribing from the digest this link names."""
    engine, secret = _engine_and_secret(request)
    try:
        with Session(engine) as session:
            subscription = subscription_for_token(session, secret, token)
    except TokenError as exc:
        return _invalid(exc)
    address = escape(subscription.email)
    if not subscription.active:
        return _page("Already unsubscribed", f"<p>{address} gets no more of these digests.</p>")
    body = (
        f"<p>Stop sending the {escape(subscription.frequency)} rolefit digest to {address}?</p>"
        f'<form method="post" action="/unsubscribe/{escape(token)}">'
        '<button type="submit">Unsubscribe</button>'
        "</form>"
    )
    return _page("Unsubscribe", body)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def do_unsubscribe(token: str, request: Request) -> HTMLResponse:
    """Unsubscribe (also the RFC 8058 one-click target); a second use changes nothing."""
    engine, secret = _engine_and_secret(request)
    try:
        with session_scope(engine) as session:
            outcome = unsubscribe_by_token(session, secret, token)
            address = escape(outcome.subscription.email)
    except TokenError as exc:
        return _invalid(exc)
    if outcome.already:
        return _page("Already unsubscribed", f"<p>{address} gets no more of these digests.</p>")
    return _page("Unsubscribed", f"<p>{address} will get no more of these digests.</p>")
