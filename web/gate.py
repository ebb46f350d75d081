"""Admission for the list pages: a few at a time per process, the rest wait their turn.

Listing openings (filters, counts, rendering) is pure Python holding the GIL for a few
milliseconds. Run twenty at once from FastAPI's 40-thread pool and they interleave on one core:
each finishes late, and the last ones very late. Letting ``slots`` run while the others wait in
order keeps the same throughput and cuts the tail (see bench/bench_web.py). Other pages, which
mostly wait on mail servers or the matcher, keep the whole pool.

A slot is held while the answer is worked out, not while it is sent: the response is buffered
(list pages are at most a megabyte or so) so that a client reading slowly holds no slot.
"""

from urllib.parse import parse_qsl

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LISTING_PATHS = ("/", "/postings", "/api/postings", "/map", "/api/map", "/deadlines")
LISTING_PREFIXES = ("/feeds/", "/api/deadlines")


def is_listing(path: str, query_string: bytes = b"") -> bool:
    """True for the pages that list openings through the open-postings index.

    A "best fit" list is left out: it first ranks everything for one person's profile, which
    can take seconds after new postings arrive, and must not hold up everybody else's lists.
    """
    if ("sort", "fit") in parse_qsl(query_string.decode("latin-1")):
        return False
    return path in LISTING_PATHS or path.startswith(LISTING_PREFIXES)


class ListingGate:
    """ASGI middleware letting at most ``slots`` listing requests run at once."""

    def __init__(self, app: ASGIApp, slots: int = 2) -> None:
        self.app = app
        self.limiter = anyio.CapacityLimiter(max(slots, 1))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_listing(scope["path"], scope.get("query_string", b"")):
            await self.app(scope, receive, send)
            return
        answer: list[Message] = []

        async def keep(message: Message) -> None:
            answer.append(message)

        async with self.limiter:
            await self.app(scope, receive, keep)
        for message in answer:
            await send(message)
