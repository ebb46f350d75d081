"""In-memory sliding-window rate limits (sign-in requests per IP address and per email).

One process keeps its own counts: enough for the single web process rolefit runs, and nothing
to configure. A restart forgets them, which only ever lets a few more requests through.
"""

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most ``limit`` hits per ``window_s`` seconds for each key.

    Example::

        limiter = RateLimiter(limit=5, window_s=900)
        wait = limiter.hit("ip:203.0.113.9")   # None when allowed, else seconds to wait
    """

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one request for ``key``; None if allowed, else seconds until one is allowed."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self._max_keys:
                    self._prune(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.window_s - now, 0.0)
            hits.append(now)
            return None

    def _prune(self, now: float) -> None:
        # Drop keys whose hits have all expired; if that frees nothing, drop the oldest half so
        # a flood of distinct keys cannot grow memory without bound.
        stale = [k for k, q in self._hits.items() if not q or q[-1] <= now - self.window_s]
        for key in stale:
            del self._hits[key]
        if len(self._hits) >= self._max_keys:
            by_age = sorted(self._hits, key=lambda k: self._hits[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._hits[key]


class SignInLimits:
    """Sign-in requests limited per client address and per email address (5 per 15 min)."""

    def __init__(
        self,
        *,
        limit: int = 5,
        window_s: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_ip = RateLimiter(limit, window_s, clock=clock)
        self.per_email = RateLimiter(limit, window_s, clock=clock)

    def check(self, ip: str, email: str) -> float | None:
        """Count one sign-in request; None if allowed, else seconds to wait."""
        waits = [self.per_ip.hit(ip), self.per_email.hit(email.strip().lower())]
        refused = [w for w in waits if w is not None]
        return max(refused) if refused else None
