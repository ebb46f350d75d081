"""`rolefit subscribe`: subscribe an address to a digest."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_subscribe(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable(
        "'rolefit subscribe' arrives with issue #7 (digests); it is not available yet"
    )
