"""Magic sign-in links: signed with the server's secret, valid 15 minutes, usable once.

Making and reading a link is pure (itsdangerous); ``consume`` records the link's id in
UsedLoginToken and finds or creates the User in the caller's session.
"""

import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from store.clock import utcnow
from store.models import UsedLoginToken, User
from web.accounts.errors import InvalidEmail, LinkExpired, LinkInvalid, LinkUsed

LINK_LIFETIME_S = 15 * 60
SALT = "rolefit-magic-link"
# Deliberately loose: one @, no spaces, a dot in the domain. The mail server is the real test.
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


@dataclass(frozen=True)
class LoginClaim:
    """What a valid link says: who, which link (``jti``) and where to go afterwards."""

    email: str
    jti: str
    next_url: str


def normalise_email(raw: str) -> str:
    """The address lower-cased and trimmed; InvalidEmail when it is not one."""
    email = raw.strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise InvalidEmail("enter an email address like name@example.org")
    return email


def safe_next(url: str | None) -> str:
    """A local path to return to after sign-in; anything else (other sites too) becomes /account."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/account"
    return url


def make_link_token(secret: str, email: str, next_url: str = "/account") -> str:
    """A signed token for ``email``, valid LINK_LIFETIME_S from now."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    return serializer.dumps({"e": email, "j": uuid.uuid4().hex, "n": safe_next(next_url)})


def read_link_token(secret: str, token: str, *, max_age: int = LINK_LIFETIME_S) -> LoginClaim:
    """Check the signature and age of ``token``; raise LinkExpired or LinkInvalid."""
    serializer = URLSafeTimedSerializer(secret, salt=SALT)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired("this sign-in link has expired: ask for a new one") from exc
    except BadSignature as exc:
        raise LinkInvalid("this sign-in link is not valid: ask for a new one") from exc
    if not (isinstance(data, dict) and isinstance(data.get("e"), str) and data.get("j")):
        raise LinkInvalid("this sign-in link is not valid: ask for a new one")
    return LoginClaim(email=data["e"], jti=str(data["j"]), next_url=safe_next(data.get("n")))


def is_used(session: Session, claim: LoginClaim) -> bool:
    """True when the link has signed someone in already."""
    return session.get(UsedLoginToken, claim.jti) is not None


def consume(session: Session, claim: LoginClaim) -> User:
    """Mark the link used and return its user (created on first sign-in); LinkUsed if used."""
    if is_used(session, claim):
        raise LinkUsed("this sign-in link has been used already: ask for a new one")
    session.add(UsedLoginToken(jti=claim.jti))
    try:
        session.flush()
    except IntegrityError as exc:  # two clicks racing: only one may win
        session.rollback()
        raise LinkUsed("this sign-in link has been used already: ask for a new one") from exc
    user = session.exec(select(User).where(User.email == claim.email)).first()
    if user is None:
        user = User(email=claim.email)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user


def sign_in_message(*, sender: str, to: str, link: str, site: str) -> EmailMessage:
    """The sign-in email (plain text: the link, its lifetime, what to do if unexpected)."""
    message = EmailMessage()
    message["Subject"] = "Your rolefit sign-in link"
    message["From"] = sender
    message["To"] = to
    minutes = LINK_LIFETIME_S // 60
    message.set_content(
        f"Someone (hopefully you) asked to sign in to rolefit at {site}.\n\n"
        f"Open this link within {minutes} minutes to sign in. It works once:\n\n"
        f"{link}\n\n"
        "If you did not ask for it, ignore this email; nothing happens without the link.\n"
    )
    return message
