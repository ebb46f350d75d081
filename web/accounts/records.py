"""Reading and writing a person's own rows: profiles, subscriptions and API tokens.

Every lookup by id takes the owner and returns None for rows of anyone else, so the routes
answer 404 alike for "not yours" and "does not exist" and ids cannot be probed.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from matcher.profile import ProfileDoc, profile_from_dict
from scheduler.subscriptions import create_subscription
from store.clock import utcnow
from store.db import get_by_id
from store.models import ApiToken, DigestSend, Profile, Subscription, User
from web.accounts.identity import hash_token, new_api_token

# Ids arrive from URLs; beyond a 64-bit integer the databases refuse them with an error (500).


def get_row(session: Session, model: Any, row_id: int) -> Any:
    """The row of ``model`` with ``row_id``, or None (also for ids no database can store)."""
    return get_by_id(session, model, row_id)


def _uid(user: User) -> int:
    if user.id is None:
        raise ValueError("user has no id")
    return user.id


def profiles_of(session: Session, user: User) -> Sequence[Profile]:
    """The user's profiles, oldest first."""
    query = select(Profile).where(Profile.user_id == _uid(user)).order_by(col(Profile.id))
    return session.exec(query).all()


def latest_profile(profiles: Sequence[Profile]) -> Profile | None:
    """The most recently saved profile: the one "my profile", "my matches" and best-fit use."""
    return max(profiles, key=lambda p: (p.updated_at, p.id or 0), default=None)


def owned_profile(session: Session, user: User, profile_id: int) -> Profile | None:
    """The profile with ``profile_id`` if ``user`` owns it."""
    profile = get_row(session, Profile, profile_id)
    return profile if profile is not None and profile.user_id == _uid(user) else None


def validate_document(document: Any) -> ProfileDoc:
    """The matcher's validation of a profile document (ProfileError names the bad field)."""
    return profile_from_dict(document, source="profile")


def save_profile(
    session: Session, user: User, document: Any, profile: Profile | None = None
) -> Profile:
    """Validate ``document`` and store it in ``profile`` (or a new profile of ``user``)."""
    doc = validate_document(document)
    stored = doc.model_dump(mode="json")
    if profile is None:
        profile = Profile(user_id=_uid(user))
    profile.name = doc.name
    profile.email = doc.email
    profile.document = stored
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    return profile


def delete_profile(session: Session, profile: Profile) -> None:
    """Delete a profile with its subscriptions and their digest history."""
    subscription_ids = [s.id for s in subscriptions_for_profile(session, profile)]
    if subscription_ids:
        session.exec(
            delete(DigestSend).where(col(DigestSend.subscription_id).in_(subscription_ids))
        )
        session.exec(delete(Subscription).where(col(Subscription.id).in_(subscription_ids)))
    session.delete(profile)
    session.flush()


def subscriptions_of(session: Session, user: User) -> Sequence[Subscription]:
    """The user's subscriptions (active ones first, then newest)."""
    query = (
        select(Subscription)
        .where(Subscription.user_id == _uid(user))
        .order_by(col(Subscription.active).desc(), col(Subscription.id).desc())
    )
    return session.exec(query).all()


def subscriptions_for_profile(session: Session, profile: Profile) -> Sequence[Subscription]:
    """Subscriptions that send digests for ``profile``."""
    query = select(Subscription).where(Subscription.profile_id == profile.id)
    return session.exec(query.order_by(col(Subscription.id))).all()


def owned_subscription(session: Session, user: User, subscription_id: int) -> Subscription | None:
    """The subscription with ``subscription_id`` if ``user`` owns it."""
    row = get_row(session, Subscription, subscription_id)
    return row if row is not None and row.user_id == _uid(user) else None


def subscribe(
    session: Session,
    user: User,
    profile: Profile,
    *,
    email: str,
    frequency: str,
    min_score: float,
    min_matches: int,
) -> Subscription:
    """Start (or update) the digest of ``profile``; SubscriptionError on a bad field."""
    subscription = create_subscription(
        session,
        email=email,
        frequency=frequency,
        min_score=min_score,
        min_matches=min_matches,
        profile_id=profile.id,
        user_id=_uid(user),
    )
    if not subscription.active:
        subscription.active, subscription.unsubscribed_at = True, None
        session.add(subscription)
        session.flush()
    return subscription


def unsubscribe(session: Session, subscription: Subscription, now: datetime | None = None) -> None:
    """Stop a subscription's digests (kept as history, inactive)."""
    if subscription.active:
        subscription.active = False
        subscription.unsubscribed_at = now or utcnow()
        session.add(subscription)
        session.flush()


def tokens_of(session: Session, user: User) -> Sequence[ApiToken]:
    """The user's API tokens, newest first (revoked ones included, marked)."""
    query = select(ApiToken).where(ApiToken.user_id == _uid(user))
    return session.exec(query.order_by(col(ApiToken.id).desc())).all()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for ``user``: the row (hash only) and the token, shown once."""
    token = new_api_token()
    row = ApiToken(user_id=_uid(user), name=name.strip()[:100], token_hash=hash_token(token))
    session.add(row)
    session.flush()
    return row, token


def owned_token(session: Session, user: User, token_id: int) -> ApiToken | None:
    """The API token with ``token_id`` if ``user`` owns it."""
    row = get_row(session, ApiToken, token_id)
    return row if row is not None and row.user_id == _uid(user) else None


def revoke_token(session: Session, token: ApiToken) -> None:
    """Revoke a token: it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
