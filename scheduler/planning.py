"""Planning digests: what each due subscriber would get now, shared by dry runs and sending."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from scheduler.config import SchedulerConfig
from scheduler.digests import Candidate, Digest, DigestLinks, build_digest
from scheduler.selection import (
    NO_HISTORY,
    History,
    Ranker,
    active_subscriptions,
    fit_ranker,
    histories,
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
        unsubscribe=unsubscribe_url(base, token),
        manage=f"{base}/profiles/{subscription.profile_id}/digest",  # the web view's settings page
        site=base,
    )


@dataclass
class PlanRun:
    """One digest run's shared work: histories read once, one ranking per distinct profile."""

    ranker: Ranker
    now: datetime
    past: dict[int, History]
    rankings: dict[str, list[Candidate]] = field(default_factory=dict)

    @classmethod
    def start(cls, session: Session, ranker: Ranker, now: datetime) -> "PlanRun":
        """Read every subscription's history for a run starting ``now``."""
        return cls(ranker=ranker, now=now, past=histories(session))

    def ranking(self, session: Session, document: dict[str, Any]) -> list[Candidate]:
        """The ranked candidates for a profile document, computed once per distinct document."""
        key = profile_key(document)
        if key not in self.rankings:
            self.rankings[key] = self.ranker(session, document, self.now)
        return self.rankings[key]


def plan_digest(
    session: Session, subscription: Subscription, profile: Profile, run: PlanRun
) -> Digest | None:
    """The digest this subscriber would get now, or None when nothing qualifies."""
    past = run.past.get(subscription.id or 0, NO_HISTORY)
    return build_digest(
        run.ranking(session, profile.document),
        today=as_utc(run.now).date(),
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


def current_rows(session: Session, keys: set[str]) -> dict[tuple[int, str], DigestSend]:
    """The DigestSend rows of the given periods, by (subscription id, period key)."""
    rows = session.exec(select(DigestSend).where(col(DigestSend.period_key).in_(sorted(keys))))
    return {(row.subscription_id, row.period_key): row for row in rows}


def row_state(row: DigestSend | None, now: datetime) -> str:
    """'go' when a digest may be built and sent now; else done, busy (being sent) or waiting."""
    if row is None:
        return "go"
    if row.status in FINAL:
        return "done"
    if row.status == "sending":
        return "busy"
    if row.next_attempt_at is not None and as_utc(row.next_attempt_at) > now:
        return "waiting"
    return "go"


def plan_due_digests(
    engine: Engine, *, ranker: Ranker = fit_ranker, now: datetime | None = None
) -> DigestReport:
    """What a send run would do now, without writing anything (``rolefit digest --dry-run``)."""
    now = as_utc(now or utcnow())
    report = DigestReport()
    pairs = due_subscriptions(engine)
    with Session(engine) as session:
        run = PlanRun.start(session, ranker, now)
        rows = current_rows(session, {period_key(s.frequency, now) for s, _ in pairs})
        for subscription, profile in pairs:
            sub_id, key = subscription.id or 0, period_key(subscription.frequency, now)
            state = row_state(rows.get((sub_id, key)), now)
            if state != "go":
                report.items.append(Planned(sub_id, subscription.email, key, state))
                continue
            digest = plan_digest(session, subscription, profile, run)
            outcome = "would-send" if digest else "nothing"
            report.items.append(Planned(sub_id, subscription.email, key, outcome, digest))
    return report
