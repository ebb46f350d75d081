"""The signed-in person's profile and fit scores, when the matcher is available.

The web view works without the matcher (issue 5); then "best fit" sorting is simply not offered
and the role map shows no preference marker.
"""

import logging
from typing import Any

from sqlmodel import Session, col, select

from matcher.errors import ProfileError
from matcher.fit import match
from store.models import Profile, User

log = logging.getLogger("rolefit.web")
FIT_LIMIT = 1000


def profile_of(session: Session, user: User | None) -> Profile | None:
    """The user's most recently updated profile, if any."""
    if user is None or user.id is None:
        return None
    statement = (
        select(Profile)
        .where(col(Profile.user_id) == user.id)
        .order_by(col(Profile.updated_at).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def fit_scores(session: Session, user: User | None) -> dict[int, float] | None:
    """Posting id -> fit score for the user's profile, best first; None when not possible."""
    profile = profile_of(session, user)
    if profile is None:
        return None
    try:
        results = match(session, dict(profile.document), limit=FIT_LIMIT)
    except ProfileError as exc:
        log.info("profile %s cannot be used for fit: %s", profile.id, exc)
        return None
    return {int(r.posting_id): float(r.score) for r in results.matches}


def preference_point(session: Session, user: User | None) -> tuple[float, float] | None:
    """The user's stated (theoretical, lead) preference in 0..1, from their profile document."""
    profile = profile_of(session, user)
    if profile is None:
        return None
    doc = profile.document or {}
    x = _axis(doc.get("style"), "theoretical", "empirical")
    y = _axis(doc.get("level"), "lead", "contributor")
    if x is None and y is None:
        return None
    return (0.5 if x is None else x, 0.5 if y is None else y)


def _axis(section: Any, high: str, low: str) -> float | None:
    if not isinstance(section, dict):
        return None
    prefer = section.get("prefer")
    try:
        strength = float(section.get("strength", 1.0))
    except (TypeError, ValueError):
        strength = 1.0
    strength = min(max(strength, 0.0), 1.0)
    if prefer == high:
        return 0.5 + strength / 2
    if prefer == low:
        return 0.5 - strength / 2
    if prefer == "either":
        return 0.5
    return None
