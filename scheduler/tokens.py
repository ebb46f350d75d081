"""Signed unsubscribe tokens: they name one subscription and need no sign-in.

A token is ``itsdangerous``-signed with the app secret and a purpose salt, so a sign-in or
cookie signature can never be replayed as an unsubscribe (or the reverse). It carries the
subscription id and a short hash of the address, so a token stays bound to the address it was
mailed to even if a subscription row were ever re-used. Tokens do not expire: an old digest's
link must still work (RFC 8058 asks for that), and unsubscribing twice is harmless.
"""

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from scheduler.errors import TokenError

SALT = "rolefit-unsubscribe-v1"


@dataclass(frozen=True)
class UnsubscribeClaim:
    """What a verified token says: which subscription, and a hash of its address."""

    subscription_id: int
    email_hash: str


def email_hash(email: str) -> str:
    """A short, stable hash of an address (case-insensitive), so tokens do not expose it."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def make_token(secret_key: str, subscription_id: int, email: str) -> str:
    """The URL-safe unsubscribe token for one subscription."""
    serializer = URLSafeSerializer(secret_key, salt=SALT)
    return str(serializer.dumps({"s": subscription_id, "e": email_hash(email)}))


def read_token(secret_key: str, token: str) -> UnsubscribeClaim:
    """Verify ``token``; raise TokenError when it is forged or malformed."""
    serializer = URLSafeSerializer(secret_key, salt=SALT)
    try:
        data = serializer.loads(token)
    except BadSignature as exc:
        raise TokenError("this unsubscribe link is not valid (it may be cut short)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise TokenError("this unsubscribe link is not valid")
    return UnsubscribeClaim(subscription_id=data["s"], email_hash=str(data.get("e", "")))


def unsubscribe_url(public_url: str, token: str) -> str:
    """The link a digest carries (and List-Unsubscribe points at)."""
    return f"{public_url.rstrip('/')}/unsubscribe/{token}"
