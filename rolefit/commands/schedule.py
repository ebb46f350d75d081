"""`rolefit schedule`: run the scheduler alone."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_schedule(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit schedule' arrives with issue #7 (scheduler); it is not available yet"
    )
