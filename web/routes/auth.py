"""Sign-in by emailed magic link, and sign-out.

GET /signin shows the form; POST /signin emails a link (rate-limited per IP and per address);
the link opens GET /signin/verify, a confirmation page whose button (POST) spends the link.
The extra click is on purpose: mail scanners fetch links in emails, and a GET that signed in
would let them burn the single-use link before the person clicks it.
"""

import logging

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from sqlmodel import Session

from scheduler.mailer import MailError, PermanentMailError, SmtpConfig, send_message
from store.db import session_scope
from web.accounts import magic
from web.accounts.errors import InvalidEmail, LinkUsed, LoginLinkError
from web.accounts.render import page
from web.config import WebConfig
from web.ratelimit import SignInLimits
from web.security import current_user, sign_in, sign_out

log = logging.getLogger(__name__)
router = APIRouter(tags=["accounts"])


def _config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


def _form(
    request: Request,
    *,
    error: str = "",
    email: str = "",
    next_url: str = "/account",
    status: int = 200,
) -> Response:
    context = {"state": "form", "error": error, "email": email, "next": next_url}
    return page(request, "signin.html", context, status=status)


@router.get("/signin", include_in_schema=False)
def signin_form(request: Request, next: str = Query(default="/account")) -> Response:
    """The sign-in form (or, without SMTP, a note that this is a single-user server)."""
    next_url = magic.safe_next(next)
    if _config(request).single_user:
        return page(request, "signin.html", {"state": "local", "next": next_url})
    return _form(request, next_url=next_url)


@router.post("/signin", include_in_schema=False)
def signin_request(
    request: Request, email: str = Form(default=""), next: str = Form(default="/account")
) -> Response:
    """Email a sign-in link to ``email``; the same answer whether or not the address is known."""
    config = _config(request)
    next_url = magic.safe_next(next)
    if config.single_user:
        return RedirectResponse(next_url, status_code=303)
    try:
        address = magic.normalise_email(email)
    except InvalidEmail as exc:
        return _form(request, error=str(exc), email=email[:254], next_url=next_url, status=422)
    limits: SignInLimits = request.app.state.signin_limits
    wait = limits.check(request.client.host if request.client else "unknown", address)
    if wait is not None:
        minutes = max(1, round(wait / 60))
        error = f"Too many sign-in requests: try again in {minutes} minute(s)."
        response = _form(request, error=error, email=address, next_url=next_url, status=429)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    token = magic.make_link_token(config.secret_key, address, next_url)
    link = f"{config.public_url.rstrip('/')}/signin/verify?token={token}"
    message = magic.sign_in_message(
        sender=config.mail_from, to=address, link=link, site=config.public_url
    )
    try:
        smtp = SmtpConfig.from_url(
            config.smtp_url or "", username=config.smtp_username, password=config.smtp_password
        )
        send_message(smtp, message)
    except MailError as exc:
        log.warning("sign-in mail to %s failed: %s", address, exc)
        status = 502 if isinstance(exc, PermanentMailError) else 503
        error = "The sign-in email could not be sent just now: try again in a few minutes."
        return _form(request, error=error, email=address, next_url=next_url, status=status)
    return page(request, "signin.html", {"state": "sent", "email": address})


@router.get("/signin/verify", include_in_schema=False)
def signin_confirm(request: Request, token: str = Query(default="")) -> Response:
    """Check the link and ask for one click to sign in (see module docstring for why)."""
    config = _config(request)
    engine: Engine = request.app.state.engine
    try:
        claim = magic.read_link_token(config.secret_key, token)
        with Session(engine) as session:
            if magic.is_used(session, claim):
                raise LinkUsed("this sign-in link has been used already: ask for a new one")
    except LoginLinkError as exc:
        return _form(request, error=str(exc).capitalize() + ".", status=400)
    context = {"state": "confirm", "email": claim.email, "token": token}
    response = page(request, "signin.html", context)
    response.headers["Cache-Control"] = "no-store"  # the page holds a live sign-in token
    return response


@router.post("/signin/verify", include_in_schema=False)
def signin_complete(request: Request, token: str = Form(default="")) -> Response:
    """Spend the link: sign in (creating the account on first use) and go where it said."""
    config = _config(request)
    try:
        claim = magic.read_link_token(config.secret_key, token)
        with session_scope(request.app.state.engine) as session:
            user = magic.consume(session, claim)
    except LoginLinkError as exc:
        return _form(request, error=str(exc).capitalize() + ".", status=400)
    sign_in(request, user)
    return RedirectResponse(claim.next_url, status_code=303)


@router.post("/signout", include_in_schema=False)
def signout(request: Request) -> Response:
    """Forget the signed-in user in this browser."""
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/api/me", tags=["accounts"])
def me(request: Request) -> dict[str, object]:
    """Who the request is authenticated as (session, API token or local mode)."""
    user = current_user(request)
    via = getattr(request.state, "auth_via", None)
    if user is None:
        return {"signed_in": False}
    return {"signed_in": True, "id": user.id, "email": user.email, "via": via}
