"""A local HTTP server that plays job boards: fixture payloads at the platforms' real paths.

Runs in a thread inside the test (or benchmark) process. Routes match ``path?query`` first,
then the bare path. A route is a static payload (served with an ETag and honouring
If-None-Match, so an unchanged board costs a 304), a list of responses served in turn (the
last repeats), or a callable. robots.txt can differ per Host header, so ``localhost`` and
``127.0.0.1`` act as two hosts.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One canned response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content_type: str = "application/json"


@dataclass
class Hit:
    """One request the server saw."""

    method: str
    path: str
    host: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)


Handler = Callable[[Hit], Reply]


class BoardServer:
    """Start with ``with BoardServer() as server:``; ``server.url`` is the base URL."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.robots: dict[str, str] = {}
        self.hits: list[Hit] = []
        self.outage = False
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL on 127.0.0.1."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def alt_url(self) -> str:
        """Base URL on localhost: the same server seen as a second host."""
        return f"http://localhost:{self.port}"

    def __enter__(self) -> "BoardServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/json",
        etag: bool = True,
        delay_s: float = 0.0,
    ) -> None:
        """Serve a static payload at path (with an ETag unless etag=False)."""
        data = body.encode() if isinstance(body, str) else body
        headers = {"ETag": '"' + hashlib.sha256(data).hexdigest()[:16] + '"'} if etag else {}
        self.routes[path] = Reply(200, data, headers, delay_s, content_type)

    def sequence(self, path: str, replies: list[Reply]) -> None:
        """Serve these replies in turn; the last one repeats."""
        self.routes[path] = list(replies)

    def handle(self, path: str, handler: Handler) -> None:
        """Answer path with a function of the request."""
        self.routes[path] = handler

    def requests_to(self, path: str) -> list[Hit]:
        """Hits whose path (with or without query) starts with ``path``."""
        return [hit for hit in self.hits if hit.path.startswith(path)]

    def _reply(self, hit: Hit) -> Reply:
        if self.outage:
            return Reply(503, b'{"error": "down for maintenance"}')
        if hit.path.split("?")[0] == "/robots.txt":
            text = self.robots.get(hit.host.split(":")[0])
            return (
                Reply(200, text.encode(), content_type="text/plain")
                if text is not None
                else Reply(404, b"")
            )
        route = self.routes.get(hit.path, self.routes.get(hit.path.split("?")[0]))
        if route is None:
            return Reply(404, b'{"error": "not found"}')
        if callable(route):
            return route(hit)
        if isinstance(route, list):
            with self._lock:
                return route.pop(0) if len(route) > 1 else route[0]
        etag = route.headers.get("ETag")
        if etag and hit.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag}, route.delay_s)
        return route

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                hit = Hit(
                    self.command,
                    self.path,
                    self.headers.get("Host", ""),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with server._lock:
                    server.hits.append(hit)
                reply = server._reply(hit)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if reply.body and self.command != "HEAD":
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_HEAD = _any

            def log_message(self, format: str, *args: Any) -> None:
                return

        return _Handler
