"""`rolefit match`: rank postings for a profile."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_match(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit match' arrives with issue #5 (fit matching); it is not available yet"
    )
