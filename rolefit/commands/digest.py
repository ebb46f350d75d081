"""`rolefit digest`: build and send email digests."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_digest(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit digest' arrives with issue #7 (digests); it is not available yet"
    )
