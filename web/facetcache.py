"""A small TTL cache for facet counts, and what it holds.

Counting facets over tens of thousands of postings takes a while; the counts for one query barely
change between crawls, so each distinct query's counts are kept for ``ttl_seconds``.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from web.schemas import Facet


@dataclass(frozen=True)
class Counted:
    """The size of the matching set and the facet counts around it."""

    total: int
    facets: list[Facet]
    open_total: int = 0  # every open posting: how selective the query is (listing plan)
    search_first: bool = True  # few search hits: SQLite should start from them


class FacetCache:
    """A small thread-safe TTL cache of Counted results, keyed by query (not page or sort)."""

    def __init__(self, ttl_seconds: float = 30.0, max_entries: int = 512) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[Any, ...], tuple[float, Counted]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Counted | None:
        """The cached value, or None when missing or stale."""
        with self._lock:
            found = self._items.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: tuple[Any, ...], value: Counted) -> None:
        """Remember ``value`` for ``ttl`` seconds."""
        if self.ttl <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (after a write that should show at once)."""
        with self._lock:
            self._items.clear()
