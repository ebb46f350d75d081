"""Small ASGI helpers for the auth middleware: headers, body buffering and replay, refusals."""

from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send


def wants_json(request: Request) -> bool:
    """True for API paths and clients that ask for JSON rather than HTML."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def headers_of(scope: Scope) -> dict[str, str]:
    """The request headers, names lower-cased (the last of repeated headers wins)."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def bearer_token(value: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, else None."""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def same_origin(headers: dict[str, str], scope: Scope, public_url: str) -> bool:
    """False when the request's Origin is another site (no Origin header passes)."""
    # Browsers send Origin on cross-site POSTs; a mismatch is a forged request whatever the body.
    origin = headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    allowed = {_origin(public_url)}
    host = headers.get("host")
    if host:
        allowed.add(f"{scope.get('scheme', 'http')}://{host}")
    return origin.rstrip("/") in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None when it is larger than ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    """A receive callable that hands ``body`` to the app as if it had just arrived."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def form_field(scope: Scope, body: bytes, name: str) -> str | None:
    """One field of an urlencoded or multipart form body."""
    ctype = headers_of(scope).get("content-type", "").lower()
    if ctype.startswith("multipart/form-data"):
        request = Request(scope, replay(body))
        form = await request.form()
        value = form.get(name)
        await form.close()
        return value if isinstance(value, str) else None
    values = parse_qs(body.decode("utf-8", errors="replace")).get(name)
    return values[0] if values else None


async def deny(scope: Scope, send: Send, status: int, message: str) -> None:
    """Answer with ``status`` and ``message`` (JSON or a small HTML page, by who asks)."""
    request = Request(scope)
    response: Response
    if wants_json(request):
        response = JSONResponse({"detail": message}, status_code=status)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
    else:
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Request refused - rolefit</title></head><body><h1>Request refused</h1>"
            f'<p>{message}</p><p><a href="/">Back to openings</a></p></body></html>'
        )
        response = Response(page, status_code=status, media_type="text/html")
    await response(scope, _noop_receive, send)


async def _noop_receive() -> Message:
    return {"type": "http.disconnect"}
