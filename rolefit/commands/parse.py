"""`rolefit parse`: parse one saved payload into normalised records."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_parse(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit parse' arrives with issue #3 (crawlers); it is not available yet"
    )
