"""`rolefit train`: train the role classifier and re-tag postings."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_train(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit train' arrives with issue #4 (role classifier); it is not available yet"
    )
