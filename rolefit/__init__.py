"""rolefit: AI-safety jobs, fellowships and grants, tagged by role type and matched to you.

Python API (see docs/MATCHING.md)::

    import rolefit
    results = rolefit.connect().match("profile.toml", limit=10)

Importing this package is cheap: the database and matcher load on first ``connect``.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rolefit.api import Rolefit


def connect(url: str | None = None) -> "Rolefit":
    """Connect to a rolefit database (default: the configured one) for matching."""
    from rolefit.api import connect as _connect

    return _connect(url)


__all__ = ["connect"]
