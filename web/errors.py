"""Errors the web view raises on purpose, and the one handler that renders them.

Hierarchy::

    WebError            (status 500; a message safe to show)
    ├── BadRequest      (400: the request cannot be answered as asked)
    └── NotFound        (404: no such page, posting or source)

Any of these, Starlette's HTTP errors (an unknown URL) and unexpected exceptions are rendered by
``install_error_handlers``: JSON for API paths and clients asking for JSON, an HTML page (the
404 page, or a plain error page) for browsers.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("rolefit.web")


class WebError(Exception):
    """An error with an HTTP status and a one-line message fit for people."""

    status = 500

    def __init__(self, message: str = "Something went wrong on our side.") -> None:
        super().__init__(message)
        self.message = message


class BadRequest(WebError):
    """The request cannot be answered as asked."""

    status = 400


class NotFound(WebError):
    """No such page or record."""

    status = 404

    def __init__(self, message: str = "There is no page at this address.") -> None:
        super().__init__(message)


def wants_json(request: Request) -> bool:
    """True for API paths, feeds' JSON and clients that prefer JSON to HTML."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def render_error(request: Request, status: int, message: str) -> Response:
    """The error as JSON or as an HTML page, depending on who asks."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    name = "404.html" if status == 404 else "error.html"
    return templates.TemplateResponse(
        request, name, {"status": status, "message": message}, status_code=status
    )


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    return render_error(request, exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return render_error(request, 404, "There is no page at this address.")
    detail = exc.detail if isinstance(exc.detail, str) else "The request was not understood."
    response = render_error(request, exc.status_code, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        return JSONResponse({"detail": exc.errors()}, status_code=422)
    # A browser with a malformed address (/postings/abc) is looking for a page that is not there.
    return render_error(request, 404, "There is no page at this address.")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return render_error(request, 500, "Something went wrong on our side; it has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through ``render_error``."""
    app.add_exception_handler(WebError, _web_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
