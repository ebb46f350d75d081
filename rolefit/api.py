"""The Python API: ``rolefit.connect(url)`` for scripts and notebooks.

    import rolefit
    with rolefit.connect() as db:                    # the configured database
        for m in db.match("profile.toml", limit=10).matches:
            print(m.score, m.title, m.organisation, m.reasons)
        found = db.openings("evals", kind="job", remote=["remote", "hybrid"], sort="closing")
        print(found.total, [p.title for p in found.items])

``match`` calls the same ``matcher.fit.match`` as ``rolefit match`` and ``POST /api/match``, and
``openings`` the same query as ``/api/postings``, so each answers alike everywhere. Heavy
imports (SQLAlchemy, scikit-learn) happen here, not in ``import rolefit``.
"""

from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.datastructures import QueryParams

from matcher.fit import MatchResults, Weights
from matcher.fit import match as fit_match
from matcher.fit.match import coerce_profile
from matcher.profile import ProfileDoc
from rolefit.context import open_database
from rolefit.settings import load_settings
from store.clock import utcnow
from web.filters import PARAM_HELP, parse_query
from web.openindex import OpenIndexCache
from web.queries import find_openings
from web.schemas import OpeningsResult

ProfileLike = ProfileDoc | dict[str, Any] | str | Path


class Rolefit:
    """A connection to one rolefit database; close it (or use ``with``) when done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index = OpenIndexCache(check_seconds=0)  # a script sees its own writes at once

    def openings(self, q: str = "", **filters: Any) -> OpeningsResult:
        """Open postings as ``/api/postings`` lists them, with the same parameters.

        ``filters`` are the URL's: ``kind``, ``track``, ``area``, ``remote`` ... (a value or a
        list of values), ``deadline``, ``posted``, ``sort``, ``page``, ``per_page``.
        """
        unknown = sorted(set(filters) - set(PARAM_HELP))
        if unknown:
            raise TypeError(f"unknown filter {unknown[0]!r}: use one of {', '.join(PARAM_HELP)}")
        params = [("q", q)]
        for name, value in filters.items():
            values = value if isinstance(value, list | tuple | set) else [value]
            params.extend((name, str(v)) for v in values if v is not None)
        query = parse_query(QueryParams(params))
        with Session(self.engine) as session:
            return find_openings(session, self._index.get(session, utcnow().date()), query)

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
