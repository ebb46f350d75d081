"""`rolefit sources list|check`: the configured sources and their health."""

from typing import Any

from rolefit.errors import NotYetAvailable


def run_sources_list(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable("'rolefit sources list' arrives with issue #3 (crawlers)")


def run_sources_check(*args: Any, **kwargs: Any) -> None:
    """Not implemented yet."""
    raise NotYetAvailable("'rolefit sources check' arrives with issue #3 (crawlers)")
