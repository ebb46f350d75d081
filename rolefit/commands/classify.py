"""`rolefit classify`: tag postings given as JSON lines."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_classify(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit classify' arrives with issue #4 (role classifier); it is not available yet"
    )
