"""The FastAPI application, built by ``create_app``; nothing is built at import time.

Serve it with ``rolefit serve``, or ``uvicorn --factory`` around a function that builds a
WebConfig and calls ``create_app``.
"""

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store.db import make_engine
from web.config import WebConfig
from web.errors import install_error_handlers
from web.gate import ListingGate
from web.openindex import OpenIndexCache
from web.security import install_security
from web.templating import make_templates

HERE = Path(__file__).parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}
ROUTERS = (
    "openings", "postings", "rolemap", "deadlines", "sources", "feeds",
    "auth", "account", "api_match", "unsubscribe", "apidocs",
)  # fmt: skip


class SecurityHeaders:
    """ASGI middleware adding the Content-Security-Policy and friends to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = {"content-security-policy": CSP, **SECURITY_HEADERS}
                for name, value in extra.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _include_routers(app: FastAPI) -> None:
    for name in ROUTERS:
        app.include_router(importlib.import_module(f"web.routes.{name}").router)


def create_app(config: WebConfig, engine: Engine | None = None) -> FastAPI:
    """Build the web app for ``config``; pass ``engine`` to share one with the caller."""
    app = FastAPI(
        title="rolefit",
        summary="AI-safety jobs, fellowships and grants, tagged and matched.",
        docs_url=None,  # /docs is our own page (web/routes/apidocs.py): no third-party script
        redoc_url=None,
    )
    app.state.config = config
    app.state.engine = engine or make_engine(config.database_url)
    app.state.templates = make_templates()
    app.state.open_index = OpenIndexCache(check_seconds=config.index_check_seconds)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_error_handlers(app)
    app.add_middleware(ListingGate, slots=config.listing_slots)  # innermost: after sign-in
    install_security(app, config)
    app.add_middleware(SecurityHeaders)  # added last: runs outermost, so errors get headers too
    _include_routers(app)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app
