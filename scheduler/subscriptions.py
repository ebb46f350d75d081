"""Creating subscriptions and ending them by token; used by the CLI, the web view and the jobs."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from scheduler.errors import SubscriptionError, TokenError
from scheduler.tokens import email_hash, read_token
from store.clock import utcnow
from store.models import Profile, Subscription

FREQUENCIES = ("daily", "weekly")
# Deliberately loose: one @, something on both sides, a dot in the domain, no spaces. The SMTP
# server is the real judge; this only catches typos such as a missing @ before anything is stored.
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _document(profile_doc: Any) -> dict[str, Any]:
    if hasattr(profile_doc, "model_dump"):
        dumped = profile_doc.model_dump(mode="json")
        if isinstance(dumped, dict):
            return dumped
    if isinstance(profile_doc, dict):
        return dict(profile_doc)
    raise SubscriptionError("profile must be a profile document (matcher.profile.ProfileDoc)")


def validate_request(email: str, frequency: str, min_score: float, min_matches: int) -> str:
    """Check the subscription fields; return the cleaned address or raise SubscriptionError."""
    address = email.strip()
    if not EMAIL_RE.match(address):
        raise SubscriptionError(f"not an email address: {email!r}")
    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"frequency must be daily or weekly, not {frequency!r}")
    # Scores run from 0 to 1; NaN fails both comparisons, so it is refused here too.
    if not 0 <= min_score <= 1:
        raise SubscriptionError(f"min-score must be between 0 and 1, not {min_score}")
    if min_matches < 1:
        raise SubscriptionError(f"min-matches must be 1 or more, not {min_matches}")
    return address


def _profile_row(
    session: Session, profile_doc: Any, profile_id: int | None, user_id: int | None, email: str
) -> Profile:
    if profile_id is not None:
        profile = session.get(Profile, profile_id)
        if profile is None:
            raise SubscriptionError(f"no profile with id {profile_id}")
        return profile
    if profile_doc is None:
        raise SubscriptionError("give a profile document or a profile id")
    document = _document(profile_doc)
    profile = Profile(
        user_id=user_id, name=str(document.get("name") or ""), email=email, document=document
    )
    session.add(profile)
    session.flush()
    return profile


def _same_active(session: Session, email: str, profile: Profile) -> Subscription | None:
    """An active subscription of this address to an identical profile, if one exists."""
    rows = session.exec(
        select(Subscription, Profile)
        .join(Profile, col(Profile.id) == col(Subscription.profile_id))
        .where(col(Subscription.email) == email, col(Subscription.active).is_(True))
    ).all()
    for subscription, other in rows:
        if other.id == profile.id or other.document == profile.document:
            return subscription
    return None


def create_subscription(
    session: Session,
    *,
    email: str,
    frequency: str = "weekly",
    min_score: float = 0.0,
    min_matches: int = 1,
    profile_doc: Any = None,
    profile_id: int | None = None,
    user_id: int | None = None,
) -> Subscription:
    """Store a subscription (and its profile); re-subscribing the same profile updates it.

    Give either ``profile_doc`` (a ProfileDoc or its dict; a Profile row is created) or the id
    of an existing Profile. An active subscription of the same address to an identical profile is
    updated in place rather than duplicated, so running the command twice sends one digest.
    """
    address = validate_request(email, frequency, min_score, min_matches)
    profile = _profile_row(session, profile_doc, profile_id, user_id, address)
    existing = _same_active(session, address, profile)
    if existing is not None:
        if profile_id is None and existing.profile_id != profile.id:
            session.delete(profile)
        subscription = existing
    else:
        subscription = Subscription(user_id=user_id, profile_id=profile.id or 0, email=address)
    subscription.frequency = frequency
    subscription.min_score = min_score
    subscription.min_matches = min_matches
    session.add(subscription)
    session.flush()
    return subscription


@dataclass(frozen=True)
class UnsubscribeOutcome:
    """The result of using an unsubscribe token."""

    subscription: Subscription
    already: bool  # True when it had been unsubscribed before this request


def subscription_for_token(session: Session, secret_key: str, token: str) -> Subscription:
    """The subscription a token names; raise TokenError if forged or for no (matching) row."""
    claim = read_token(secret_key, token)
    subscription = session.get(Subscription, claim.subscription_id)
    if subscription is None or email_hash(subscription.email) != claim.email_hash:
        raise TokenError("this unsubscribe link names no subscription")
    return subscription


def unsubscribe_by_token(
    session: Session, secret_key: str, token: str, *, now: datetime | None = None
) -> UnsubscribeOutcome:
    """End the subscription a token names; using the token again changes nothing."""
    subscription = subscription_for_token(session, secret_key, token)
    if not subscription.active:
        return UnsubscribeOutcome(subscription=subscription, already=True)
    subscription.active = False
    subscription.unsubscribed_at = now or utcnow()
    session.add(subscription)
    session.flush()
    return UnsubscribeOutcome(subscription=subscription, already=False)
