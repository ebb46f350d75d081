"""The Python API: ``rolefit.connect(url).match(profile)`` for scripts and notebooks.

    import rolefit
    with rolefit.connect() as db:                    # the configured database
        for m in db.match("profile.toml", limit=10).matches:
            print(m.score, m.title, m.organisation, m.reasons)

It calls the same ``matcher.fit.match`` as ``rolefit match`` and ``POST /api/match``, so all
three rank alike. Heavy imports (SQLAlchemy, scikit-learn) happen here, not in ``import rolefit``.
"""

from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from matcher.fit import MatchResults, Weights
from matcher.fit import match as fit_match
from matcher.fit.match import coerce_profile
from matcher.profile import ProfileDoc
from rolefit.context import open_database
from rolefit.settings import load_settings

ProfileLike = ProfileDoc | dict[str, Any] | str | Path


class Rolefit:
    """A connection to one rolefit database; close it (or use ``with``) when done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def match(
        self,
        profile: ProfileLike,
        *,
        limit: int = 20,
        include_excluded: bool = False,
        now: datetime | date | None = None,
        weights: Weights | None = None,
    ) -> MatchResults:
        """Rank open postings for a profile (a ProfileDoc, a dict, or a TOML file path)."""
        doc = coerce_profile(profile)
        with Session(self.engine) as session:
            return fit_match(
                session,
                doc,
                limit=limit,
                include_excluded=include_excluded,
                now=now,
                weights=weights,
            )

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> "Rolefit":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def connect(url: str | None = None) -> Rolefit:
    """Open the database at ``url`` (default: the configured one), upgraded to the schema."""
    return Rolefit(open_database(load_settings(), url=url))
