"""Running the matcher (matcher.fit.match) for a stored profile, include the excluded ones."""

from typing import Any

from sqlmodel import Session

from matcher.fit import MatchResults, match
from matcher.profile import profile_from_dict


def find_matches(
    session: Session, document: dict[str, Any], *, limit: int = 20, include_excluded: bool = False
) -> MatchResults:
    """The best open postings for a stored profile document, with the matcher's reasons."""
    profile = profile_from_dict(document, source="profile")
    return match(session, profile, limit=limit, include_excluded=include_excluded)
