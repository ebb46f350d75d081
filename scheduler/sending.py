"""Sending due digests exactly once per (subscription, period), as a small state machine.

    pending --(digest built, row leased)--> sending --(SMTP accepted)--> sent
       |                                       |--(temporary failure)--> pending (retry later)
       |                                       |--(permanent / out of attempts)--> failed
       |                                       '--(process died; lease ran out)--> unknown
       '--(nothing qualifies)--> skipped

The DigestSend row (unique on subscription + period) is committed *before* the SMTP call and
marked after it. A process that dies in between leaves 'sending' with a lease
(``next_attempt_at``); once the lease has run out the row becomes 'unknown' and is never resent:
we prefer a possibly-missing digest to a duplicate (docs/DIGESTS.md). Its postings count as
delivered, so they are not offered again either.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from scheduler.compose import build_message, new_message_id
from scheduler.config import SchedulerConfig
from scheduler.digests import Digest
from scheduler.mailer import (
    PermanentMailError,
    SmtpConfig,
    TemporaryMailError,
    send_message,
)
from scheduler.planning import (
    FINAL,
    DigestReport,
    Planned,
    PlanRun,
    digest_links,
    due_subscriptions,
    plan_digest,
)
from scheduler.selection import (
    Ranker,
    fit_ranker,
    is_send_time,
    period_key,
)
from store.clock import as_utc, utcnow
from store.db import session_scope
from store.models import DigestSend, Profile, Subscription

log = logging.getLogger(__name__)

SendFn = Callable[[SmtpConfig, EmailMessage], None]
UNKNOWN_NOTE = "process stopped while sending; not resent (delivery unknown)"
PERIOD_OVER_NOTE = "its period ended before it could be sent"


def retry_delay(config: SchedulerConfig, attempts: int) -> timedelta:
    """Backoff after the ``attempts``-th temporary failure: base, x3, x9, ... capped at a day."""
    return timedelta(seconds=min(config.retry_base_s * 3 ** max(0, attempts - 1), 86_400))


def recover(engine: Engine, now: datetime) -> int:
    """Settle rows a dead process or an ended period left; return how many were settled.

    An expired 'sending' lease becomes 'unknown' (never resent); a 'pending' retry whose period
    has ended becomes 'failed' (its postings are offered in the next period's digest instead).
    """
    settled = 0
    with session_scope(engine) as session:
        rows = session.exec(
            select(DigestSend, Subscription)
            .join(Subscription, col(Subscription.id) == col(DigestSend.subscription_id))
            .where(col(DigestSend.status).in_(("sending", "pending")))
        ).all()
        for row, subscription in rows:
            if row.status == "sending" and (
                row.next_attempt_at is None or as_utc(row.next_attempt_at) <= now
            ):
                row.status, row.last_error = "unknown", UNKNOWN_NOTE
            elif row.status == "pending" and row.period_key != period_key(
                subscription.frequency, now
            ):
                row.status, row.last_error = "failed", PERIOD_OVER_NOTE
            else:
                continue
            session.add(row)
            settled += 1
            log.warning(
                "digest %s (subscription %s): %s", row.id, row.subscription_id, row.last_error
            )
    return settled


def _row(engine: Engine, subscription_id: int, key: str, now: datetime) -> DigestSend:
    """The DigestSend for (subscription, period), created 'pending' if missing (race-safe)."""
    query = select(DigestSend).where(
        col(DigestSend.subscription_id) == subscription_id, col(DigestSend.period_key) == key
    )
    for _ in range(2):
        try:
            with session_scope(engine) as session:
                row = session.exec(query).first()
                if row is None:
                    row = DigestSend(
                        subscription_id=subscription_id, period_key=key, created_at=now
                    )
                    session.add(row)
                    session.flush()
                return row
        except IntegrityError:  # another process inserted it between our read and write
            continue
    raise RuntimeError(f"cannot create DigestSend for subscription {subscription_id} {key}")


def _state(row: DigestSend, now: datetime) -> str:
    if row.status in FINAL:
        return "done"
    if row.status == "sending":
        return "busy"
    if row.next_attempt_at is not None and as_utc(row.next_attempt_at) > now:
        return "waiting"
    return "go"


def _set(engine: Engine, row_id: int, from_status: str, **values: object) -> bool:
    """Move one row on from ``from_status``; False when someone else moved it first."""
    with session_scope(engine) as session:
        result = session.execute(
            update(DigestSend)
            .where(col(DigestSend.id) == row_id, col(DigestSend.status) == from_status)
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


def _note_subscription(engine: Engine, subscription_id: int, **values: object) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(Subscription).where(col(Subscription.id) == subscription_id).values(**values)
        )


def _deliver(
    engine: Engine,
    config: SchedulerConfig,
    row: DigestSend,
    subscription: Subscription,
    digest: Digest,
    send: SendFn,
    now: datetime,
) -> Planned:
    """Lease the row, send, record the result."""
    sub_id, key = subscription.id or 0, row.period_key
    domain = urlsplit(config.public_url).hostname or "rolefit.local"
    message_id = row.message_id or new_message_id(domain)
    lease = now + timedelta(seconds=config.sending_stale_after_s)
    if not _set(
        engine,
        row.id or 0,
        "pending",
        status="sending",
        attempts=row.attempts + 1,
        next_attempt_at=lease,
        message_id=message_id,
        posting_ids=digest.posting_ids,
    ):
        return Planned(sub_id, subscription.email, key, "busy")
    attempts = row.attempts + 1
    message = build_message(
        digest,
        to=subscription.email,
        mail_from=config.mail_from,
        links=digest_links(config, subscription),
        message_id=message_id,
    )
    assert config.smtp is not None  # checked by send_due_digests
    try:
        send(config.smtp, message)
    except TemporaryMailError as exc:
        if attempts < config.max_send_attempts:
            retry_at = now + retry_delay(config, attempts)
            _set(
                engine,
                row.id or 0,
                "sending",
                status="pending",
                next_attempt_at=retry_at,
                last_error=str(exc),
            )
            return Planned(sub_id, subscription.email, key, "retrying", digest, str(exc))
        return _failed(engine, row, subscription, digest, f"gave up after {attempts} tries: {exc}")
    except PermanentMailError as exc:
        return _failed(engine, row, subscription, digest, str(exc))
    _set(
        engine,
        row.id or 0,
        "sending",
        status="sent",
        sent_at=utcnow(),
        next_attempt_at=None,
        last_error=None,
    )
    _note_subscription(engine, sub_id, last_sent_at=utcnow(), last_error=None)
    return Planned(sub_id, subscription.email, key, "sent", digest)


def _failed(
    engine: Engine, row: DigestSend, subscription: Subscription, digest: Digest, error: str
) -> Planned:
    _set(engine, row.id or 0, "sending", status="failed", next_attempt_at=None, last_error=error)
    _note_subscription(engine, subscription.id or 0, last_error=f"digest {row.period_key}: {error}")
    log.warning("digest to subscription %s failed: %s", subscription.id, error)
    return Planned(
        subscription.id or 0, subscription.email, row.period_key, "failed", digest, error
    )


def _handle(
    engine: Engine,
    session: Session,
    config: SchedulerConfig,
    subscription: Subscription,
    profile: Profile,
    *,
    send: SendFn,
    run: PlanRun,
) -> Planned:
    """Take one subscription through the state machine for the current period."""
    sub_id, now = subscription.id or 0, run.now
    key = period_key(subscription.frequency, now)
    row = _row(engine, sub_id, key, now)
    state = _state(row, now)
    if state != "go":
        return Planned(sub_id, subscription.email, key, state)
    digest = plan_digest(session, subscription, profile, run)
    if digest is None:
        _set(engine, row.id or 0, "pending", status="skipped", next_attempt_at=None)
        return Planned(sub_id, subscription.email, key, "skipped")
    return _deliver(engine, config, row, subscription, digest, send, now)


def send_due_digests(
    engine: Engine,
    config: SchedulerConfig,
    *,
    ranker: Ranker = fit_ranker,
    send: SendFn = send_message,
    now: datetime | None = None,
) -> DigestReport:
    """Send every digest due now, at most once per (subscription, period); return what happened."""
    now = as_utc(now or utcnow())
    report = DigestReport()
    if config.smtp is None or not is_send_time(now, config.digest_hour_utc):
        return report
    recover(engine, now)
    # One read session for the run: rankings and histories are read once and shared.
    with Session(engine) as session:
        run = PlanRun.start(session, ranker, now)
        for subscription, profile in due_subscriptions(engine):
            try:
                item = _handle(engine, session, config, subscription, profile, send=send, run=run)
            except Exception as exc:  # one bad profile must not stop everyone else's digest
                log.exception("digest for subscription %s failed", subscription.id)
                item = Planned(
                    subscription.id or 0, subscription.email, "", "error", error=str(exc)
                )
            report.items.append(item)
    return report
