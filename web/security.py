"""Who is asking, and may they post: session cookie, CSRF, API tokens, single-user local mode.

``install_security(app, config)`` adds two middlewares:

- Starlette's signed session cookie (``rolefit_session``: HttpOnly, SameSite=Lax, Secure when
  the public URL is https), holding the signed-in user id and the CSRF token;
- ``AuthMiddleware``, which sets ``request.state.user`` (a detached ``User`` or None) from an
  ``Authorization: Bearer`` API token, the session, or - without SMTP - the single local user
  ``local@localhost``; and refuses a form POST (urlencoded, multipart or text/plain: what another
  site can send without a CORS preflight) unless it carries the session's CSRF token (field
  ``csrf_token`` or header ``X-CSRF-Token``) and comes from our own origin. Bearer-token calls
  and ``/unsubscribe/<signed token>`` links need no CSRF token.

Routes read the user with the ``current_user`` / ``require_user`` dependencies and put
``csrf_token(request)`` into every form.
"""

import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from store.models import User
from web.accounts.asgi import (
    bearer_token,
    deny,
    form_field,
    headers_of,
    read_body,
    replay,
    same_origin,
    wants_json,
)
from web.accounts.identity import local_user, user_by_id, user_by_token
from web.config import WebConfig
from web.ratelimit import SignInLimits

SESSION_COOKIE = "rolefit_session"
SESSION_MAX_AGE_S = 14 * 24 * 3600
MAX_FORM_BYTES = 1_000_000
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Cross-site pages can send these bodies with a plain <form> (no CORS preflight), so they need
# the CSRF token; a JSON body cannot be sent cross-site without a preflight we never allow.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "")
# Paths whose POSTs carry their own signed token in the URL and need no session: digest
# unsubscribe links, which mail providers also POST to directly (RFC 8058 one-click).
CSRF_EXEMPT_PREFIXES = ("/unsubscribe/",)
CSRF_MESSAGE = "This form has expired or came from another site: reload the page and try again."


class SignInRequired(Exception):
    """Raised by ``require_user`` when nobody is signed in; answered with a redirect or 401."""

    def __init__(self, next_url: str) -> None:
        super().__init__("sign in required")
        self.next_url = next_url


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser session (created on first use); put it in every form."""
    session = request.session
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def sign_in(request: Request, user: User) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too, so no session fixation)."""
    request.session.clear()
    request.session["uid"] = user.id
    request.session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    """Forget the signed-in user in this browser."""
    request.session.clear()


def current_user(request: Request) -> User | None:
    """The signed-in user (or the local user in single-user mode), None when anonymous."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, User) else None


def require_user(request: Request) -> User:
    """The current user; anonymous requests are sent to sign in (HTML) or get 401 (JSON)."""
    user = current_user(request)
    if user is None:
        raise SignInRequired(_return_to(request))
    return user


def _return_to(request: Request) -> str:
    """Where to go after signing in: this page, or for a form post the page the form was on."""
    if request.method in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/account"


async def _current_user_dep(request: Request) -> User | None:
    # async: FastAPI would run a plain ``def`` dependency in the thread pool (a hop per request)
    return current_user(request)


async def _require_user_dep(request: Request) -> User:
    return require_user(request)


CurrentUser = Annotated[User | None, Depends(_current_user_dep)]
SignedInUser = Annotated[User, Depends(_require_user_dep)]


def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if wants_json(request):
        return JSONResponse(
            {"detail": "sign in or send an API token (Authorization: Bearer ...)"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return RedirectResponse(f"/signin?next={quote(exc.next_url, safe='')}", status_code=303)


def install_security(app: FastAPI, config: WebConfig) -> None:
    """Add the session and auth/CSRF middlewares and the sign-in handler to ``app``."""
    app.state.signin_limits = SignInLimits()
    app.add_middleware(AuthMiddleware, config=config)
    # Added last, so it runs first: AuthMiddleware needs the decoded session.
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=config.public_url.startswith("https://"),
    )
    app.add_exception_handler(SignInRequired, _sign_in_required)


class AuthMiddleware:
    """Sets ``request.state.user`` and enforces CSRF on unsafe form requests (see module doc)."""

    def __init__(self, app: ASGIApp, config: WebConfig) -> None:
        self.app = app
        self.config = config
        self._local: User | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        engine: Engine = scope["app"].state.engine
        headers = headers_of(scope)
        state = scope.setdefault("state", {})
        session: dict[str, Any] = scope.get("session", {})
        user, via = None, None
        bearer = bearer_token(headers.get("authorization", ""))
        if bearer is not None:
            user = await anyio.to_thread.run_sync(user_by_token, engine, bearer)
            if user is None:
                await deny(scope, send, 401, "invalid or revoked API token")
                return
            via = "token"
        elif isinstance(session.get("uid"), int):
            user = await anyio.to_thread.run_sync(user_by_id, engine, session["uid"])
            via = "session" if user is not None else None
        if user is None and self.config.single_user:
            if self._local is None:
                self._local = await anyio.to_thread.run_sync(local_user, engine)
            user, via = self._local, "local"
        state["user"], state["auth_via"] = user, via
        exempt = scope["path"].startswith(CSRF_EXEMPT_PREFIXES)
        if scope["method"] in UNSAFE_METHODS and via != "token" and not exempt:
            checked = await self._check_csrf(scope, receive, send, headers, session)
            if checked is None:
                return
            receive = checked
        await self.app(scope, receive, send)

    async def _check_csrf(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[str, str],
        session: dict[str, Any],
    ) -> Receive | None:
        """Return a receive that replays the body when the request may pass, else answer 403."""
        if not same_origin(headers, scope, self.config.public_url):
            await deny(scope, send, 403, "cross-site request refused")
            return None
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        given = headers.get("x-csrf-token")
        if given is None and (scope["method"] != "POST" or ctype not in FORM_TYPES):
            # Only a POST of a form-like body can be sent cross-site without a CORS preflight
            # (which we never grant); PUT, PATCH, DELETE and JSON bodies cannot.
            return receive
        body = await read_body(receive, MAX_FORM_BYTES)
        if body is None:
            await deny(scope, send, 413, "form too large")
            return None
        if given is None:
            given = await form_field(scope, body, "csrf_token")
        expected = session.get("csrf")
        if not (isinstance(expected, str) and given and hmac.compare_digest(given, expected)):
            await deny(scope, send, 403, CSRF_MESSAGE)
            return None
        return replay(body)
