"""Creating subscriptions: validation, profile rows, no duplicates on re-subscribe."""

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from scheduler.errors import SubscriptionError, TokenError
from scheduler.subscriptions import create_subscription
from scheduler.tokens import make_token, read_token
from store.db import session_scope
from store.models import Profile, Subscription


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-address"}, "not an email address"),
        ({"email": "a@b.org", "frequency": "hourly"}, "frequency must be daily or weekly"),
        ({"email": "a@b.org", "min_score": -1}, "min-score must be between 0 and 1"),
        ({"email": "a@b.org", "min_score": 5}, "min-score must be between 0 and 1, not 5"),
        ({"email": "a@b.org", "min_score": float("nan")}, "min-score must be between 0 and 1"),
        ({"email": "a@b.org", "min_score": float("inf")}, "min-score must be between 0 and 1"),
        ({"email": "a@b.org", "min_matches": 0}, "min-matches must be 1 or more"),
        ({"email": "a@b.org", "profile_id": 42}, "no profile with id 42"),
    ],
)
def test_bad_requests_are_refused_with_one_line(
    engine: Engine, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(SubscriptionError, match=message), session_scope(engine) as session:
        if "profile_id" not in kwargs:
            kwargs["profile_doc"] = {"name": "X"}
        create_subscription(session, **kwargs)  # type: ignore[arg-type]
    with Session(engine) as session:
        assert session.exec(select(Subscription)).all() == []
        assert session.exec(select(Profile)).all() == []


def test_resubscribing_the_same_profile_updates_instead_of_duplicating(engine: Engine) -> None:
    doc = {"name": "Sam", "areas": ["evals"]}
    with session_scope(engine) as session:
        first = create_subscription(session, profile_doc=doc, email="sam@example.org")
    with session_scope(engine) as session:
        again = create_subscription(
            session,
            profile_doc=dict(doc),
            email="sam@example.org",
            frequency="daily",
            min_score=0.4,
        )
        other = create_subscription(
            session, profile_doc={"name": "Sam", "areas": ["policy"]}, email="sam@example.org"
        )
    assert again.id == first.id and other.id != first.id
    with Session(engine) as session:
        subs = session.exec(select(Subscription).order_by(Subscription.id)).all()
        assert [(s.frequency, s.min_score) for s in subs] == [("daily", 0.4), ("weekly", 0.0)]
        assert len(session.exec(select(Profile)).all()) == 2
        profile = session.get(Profile, subs[0].profile_id)
        assert profile is not None and profile.document == doc and profile.name == "Sam"


def test_existing_profile_by_id(engine: Engine) -> None:
    with session_scope(engine) as session:
        profile = Profile(name="Kept", document={"name": "Kept"})
        session.add(profile)
        session.flush()
        sub = create_subscription(
            session, profile_id=profile.id, email="k@example.org", frequency="daily", user_id=None
        )
        assert sub.profile_id == profile.id


def test_token_round_trip_and_salt() -> None:
    token = make_token("k", 7, "Sam@Example.org ")
    claim = read_token("k", token)
    assert claim.subscription_id == 7
    assert "sam" not in token.lower()  # the address is hashed, not carried in the URL
    from itsdangerous import URLSafeSerializer

    other_purpose = URLSafeSerializer("k", salt="login").dumps({"s": 7, "e": claim.email_hash})
    with pytest.raises(TokenError):
        read_token("k", str(other_purpose))
