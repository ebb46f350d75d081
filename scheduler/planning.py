"""Planning digests: what each due subscriber would get now, shared by dry runs and sending."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from scheduler.config import SchedulerConfig
from scheduler.digests import Candidate, Digest, DigestLinks, build_digest
from scheduler.selection import (
    Ranker,
    active_subscriptions,
    fit_ranker,
    history,
    period_key,
    profile_key,
)
from scheduler.tokens import make_token, unsubscribe_url
from store.clock import as_utc, utcnow
from store.models import DigestSend, Profile, Subscription

# A DigestSend in one of these states is settled for its period: nothing more is sent for it.
FINAL = ("sent", "skipped", "failed", "unknown")


@dataclass
class Planned:
    """One subscription's digest as planned (dry run) or as handled (send run)."""

    subscription_id: int
    email: str
    period_key: str
    outcome: str  # would-send | sent | skipped | retrying | failed | waiting | busy | done | error
    digest: Digest | None = None
    error: str | None = None


@dataclass
class DigestReport:
    """What a digest run did, per subscription and in totals."""

    items: list[Planned] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many subscriptions ended with ``outcome``."""
        return sum(1 for i in self.items if i.outcome == outcome)

    def totals(self) -> dict[str, int]:
        """Outcome -> number of subscriptions."""
        out: dict[str, int] = {}
        for item in self.items:
            out[item.outcome] = out.get(item.outcome, 0) + 1
        return out


def digest_links(config: SchedulerConfig, subscription: Subscription) -> DigestLinks:
    """Unsubscribe, manage and site links for one subscriber's digest."""
    token = make_token(config.secret_key, subscription.id or 0, subscription.email)
    base = config.public_url.rstrip("/")
    return DigestLinks(
        unsubscribe=unsubscribe_url(base, token), manage=f"{base}/subscriptions", site=base
    )


def plan_digest(
    session: Session,
    subscription: Subscription,
    profile: Profile,
    *,
    ranker: Ranker,
    now: datetime,
    cache: dict[str, list[Candidate]],
    exclude_send_id: int | None = None,
) -> Digest | None:
    """The digest this subscriber would get now, or None; identical profiles share a ranking."""
    key = profile_key(profile.document)
    if key not in cache:
        cache[key] = ranker(session, profile.document, now)
    past = history(session, subscription.id or 0, exclude_id=exclude_send_id)
    return build_digest(
        cache[key],
        today=as_utc(now).date(),
        min_score=subscription.min_score,
        min_matches=subscription.min_matches,
        already_sent=past.already_sent,
        since=past.since,
        profile_name=profile.name,
    )


def due_subscriptions(engine: Engine) -> list[tuple[Subscription, Profile]]:
    """Every active subscription with its profile."""
    with Session(engine) as session:
        return active_subscriptions(session)


def plan_due_digests(
    engine: Engine, *, ranker: Ranker = fit_ranker, now: datetime | None = None
) -> DigestReport:
    """What a send run would do now, without writing anything (``rolefit digest --dry-run``)."""
    now = as_utc(now or utcnow())
    report = DigestReport()
    cache: dict[str, list[Candidate]] = {}
    with Session(engine) as session:
        pairs = due_subscriptions(engine)
        done = _decided(session, {period_key(s.frequency, now) for s, _ in pairs})
        for subscription, profile in pairs:
            key = period_key(subscription.frequency, now)
            if (subscription.id, key) in done:
                report.items.append(Planned(subscription.id or 0, subscription.email, key, "done"))
                continue
            digest = plan_digest(
                session, subscription, profile, ranker=ranker, now=now, cache=cache
            )
            outcome = "would-send" if digest else "nothing"
            report.items.append(
                Planned(subscription.id or 0, subscription.email, key, outcome, digest)
            )
    return report


def _decided(session: Session, keys: set[str]) -> set[tuple[int, str]]:
    rows = session.exec(
        select(DigestSend.subscription_id, DigestSend.period_key).where(
            col(DigestSend.period_key).in_(sorted(keys)), col(DigestSend.status).in_(FINAL)
        )
    ).all()
    return {(int(s), str(k)) for s, k in rows}
