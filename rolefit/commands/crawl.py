"""`rolefit crawl`: crawl sources and store what changed."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_crawl(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit crawl' arrives with issue #3 (crawlers); it is not available yet"
    )
