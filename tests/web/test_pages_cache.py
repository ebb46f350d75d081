"""The facet-count cache: fresh within its time, bounded, off at zero."""

import time

from web.facetcache import Counted, FacetCache


def test_cache_expires_and_stays_bounded() -> None:
    cache = FacetCache(ttl_seconds=0.05, max_entries=2)
    one, two, three = (Counted(total=n, facets=[]) for n in (1, 2, 3))
    cache.put(("a",), one)
    assert cache.get(("a",)) is one
    cache.put(("b",), two)
    cache.get(("a",))  # touch: "b" is now the least recently used
    cache.put(("c",), three)
    assert cache.get(("b",)) is None and cache.get(("a",)) is one and cache.get(("c",)) is three
    time.sleep(0.06)
    assert cache.get(("a",)) is None


def test_zero_ttl_caches_nothing() -> None:
    cache = FacetCache(ttl_seconds=0)
    cache.put(("a",), Counted(total=1, facets=[]))
    assert cache.get(("a",)) is None
