"""/docs: the API reference, rendered on the server from the OpenAPI description."""

from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from web.apidoc import describe

router = APIRouter()


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request) -> Response:
    """Every JSON route, its parameters and answers, and the shapes they use."""
    operations, schemas = describe(request.app.openapi())
    operations.sort(key=lambda op: op.tag)  # stable: keeps the description's order per tag
    groups = [(tag, list(ops)) for tag, ops in groupby(operations, key=lambda op: op.tag)]
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "api_docs.html", {"groups": groups, "schemas": schemas}
    )
