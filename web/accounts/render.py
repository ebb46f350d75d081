"""Rendering the account pages with the app's templates (or our own when it has none)."""

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from web.config import WebConfig
from web.security import csrf_token, current_user

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def _own_templates() -> Jinja2Templates:
    return Jinja2Templates(directory=TEMPLATES)


def templates_for(request: Request) -> Jinja2Templates:
    """The app's Jinja2Templates when create_app shares one, else a private one."""
    shared = getattr(request.app.state, "templates", None)
    return shared if isinstance(shared, Jinja2Templates) else _own_templates()


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> Response:
    """Render ``name`` with what every account page needs (user, CSRF token, demo flag)."""
    config: WebConfig = request.app.state.config
    values: dict[str, Any] = {
        "user": current_user(request),
        "csrf": csrf_token(request),
        "demo": config.demo,
        "single_user": config.single_user,
        "config": config,
    }
    values.update(context or {})
    return templates_for(request).TemplateResponse(request, name, values, status_code=status)
