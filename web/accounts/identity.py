"""Who a request belongs to: API tokens (hashed), user lookups, the single local user."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from store.clock import as_utc, utcnow
from store.models import ApiToken, User

LOCAL_EMAIL = "local@localhost"
TOKEN_PREFIX = "rf_"


def hash_token(token: str) -> str:
    """The stored form of an API token (SHA-256 hex); the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_token() -> str:
    """A fresh random API token, shown to its owner once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def local_user(engine: Engine) -> User:
    """The single local user of a server without SMTP, created on first use."""
    with Session(engine, expire_on_commit=False) as session:
        user = session.exec(select(User).where(User.email == LOCAL_EMAIL)).first()
        if user is None:
            user = User(email=LOCAL_EMAIL)
            session.add(user)
            session.commit()
            session.refresh(user)
        return user


def user_by_id(engine: Engine, user_id: int) -> User | None:
    """The user with ``user_id``, detached from its session."""
    with Session(engine) as session:
        return session.get(User, user_id)


def user_by_token(engine: Engine, token: str) -> User | None:
    """The owner of an unrevoked API token; notes when it was last used (at most every 5 min)."""
    with Session(engine, expire_on_commit=False) as session:
        row = session.exec(
            select(ApiToken).where(
                ApiToken.token_hash == hash_token(token), col(ApiToken.revoked_at).is_(None)
            )
        ).first()
        if row is None:
            return None
        now = utcnow()
        if row.last_used_at is None or now - as_utc(row.last_used_at) > timedelta(minutes=5):
            row.last_used_at = now
            session.add(row)
            session.commit()
        return session.get(User, row.user_id)
