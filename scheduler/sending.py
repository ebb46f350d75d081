"""Sending due digests exactly once per (subscription, period), as a small state machine.

    (none) --(digest built)--> sending --(SMTP accepted)--> sent
       |                         |--(temporary failure)--> pending --(retry due)--> sending ...
       |                         |--(permanent failure / out of attempts)--> failed
       |                         '--(process died; lease ran out)--> unknown
       '--(nothing qualifies)--> skipped

The DigestSend row (unique on subscription + period) is committed as 'sending' *before* the
SMTP call and marked after it. A process that dies in between leaves 'sending' with a lease
(``next_attempt_at``); once the lease has run out the row becomes 'unknown' and is never resent:
we prefer a possibly-missing digest to a duplicate (docs/DIGESTS.md). Its postings count as
delivered, so they are not offered again either. Two processes racing for the same digest meet
at the unique key (insert) or the conditional UPDATE (retry): exactly one of them sends.
"""

import logging
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from datetime import datetime, timedelta
from email.message import Message
from urllib.parse import urlsplit

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from scheduler.compose import build_message, new_message_id
from scheduler.config import SchedulerConfig
from scheduler.digests import Digest
from scheduler.mailer import Mailer, PermanentMailError, TemporaryMailError
from scheduler.planning import (
    DigestReport,
    Planned,
    PlanRun,
    current_rows,
    digest_links,
    due_subscriptions,
    plan_digest,
    row_state,
)
from scheduler.selection import Ranker, fit_ranker, is_send_time, period_key
from store.clock import as_utc, utcnow
from store.db import session_scope
from store.models import DigestSend, Profile, Subscription

log = logging.getLogger(__name__)

SendFn = Callable[[Message], None]
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
            lease = row.next_attempt_at
            if row.status == "sending" and (lease is None or as_utc(lease) <= now):
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


def _claim(engine: Engine, row: DigestSend | None, new: DigestSend) -> DigestSend | None:
    """Write ``new``'s state before anything is sent; None when another process got there first.

    A first attempt inserts the row (the unique key stops a twin); a retry moves the existing
    row on from 'pending' with a conditional UPDATE (only one process can win it).
    """
    try:
        with session_scope(engine) as session:
            if row is None:
                session.add(new)
                session.flush()
                return new
            values = {
                "status": new.status,
                "attempts": new.attempts,
                "next_attempt_at": new.next_attempt_at,
                "message_id": new.message_id,
                "posting_ids": new.posting_ids,
            }
            result = session.execute(
                update(DigestSend)
                .where(col(DigestSend.id) == row.id, col(DigestSend.status) == "pending")
                .values(**values)
            )
            if getattr(result, "rowcount", 0) != 1:
                return None
            new.id = row.id
            return new
    except IntegrityError:
        return None


def _finish(
    engine: Engine,
    row_id: int,
    subscription_id: int,
    row_values: Mapping[str, object],
    subscription_values: Mapping[str, object],
) -> None:
    """Record an attempt's result on the DigestSend and the Subscription in one transaction."""
    with session_scope(engine) as session:
        if row_values:
            session.execute(
                update(DigestSend)
                .where(col(DigestSend.id) == row_id, col(DigestSend.status) == "sending")
                .values(**row_values)
            )
        if subscription_values:
            session.execute(
                update(Subscription)
                .where(col(Subscription.id) == subscription_id)
                .values(**subscription_values)
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
    """Send a claimed ('sending') row's digest and record the outcome."""
    sub_id, key, email = subscription.id or 0, row.period_key, subscription.email
    message = build_message(
        digest,
        to=email,
        mail_from=config.mail_from,
        links=digest_links(config, subscription),
        message_id=row.message_id or "",
    )
    try:
        send(message)
    except TemporaryMailError as exc:
        if row.attempts < config.max_send_attempts:
            retry = {
                "status": "pending",
                "next_attempt_at": now + retry_delay(config, row.attempts),
                "last_error": str(exc),
            }
            _finish(engine, row.id or 0, sub_id, retry, {})
            return Planned(sub_id, email, key, "retrying", digest, str(exc))
        error = f"gave up after {row.attempts} tries: {exc}"
    except PermanentMailError as exc:
        error = str(exc)
    else:
        done = {"status": "sent", "sent_at": utcnow(), "next_attempt_at": None, "last_error": None}
        _finish(engine, row.id or 0, sub_id, done, {"last_sent_at": utcnow(), "last_error": None})
        return Planned(sub_id, email, key, "sent", digest)
    failed = {"status": "failed", "next_attempt_at": None, "last_error": error}
    _finish(engine, row.id or 0, sub_id, failed, {"last_error": f"digest {key}: {error}"})
    log.warning("digest to subscription %s failed: %s", sub_id, error)
    return Planned(sub_id, email, key, "failed", digest, error)


def _handle(
    engine: Engine,
    session: Session,
    config: SchedulerConfig,
    subscription: Subscription,
    profile: Profile,
    *,
    send: SendFn,
    run: PlanRun,
    rows: dict[tuple[int, str], DigestSend],
) -> Planned:
    """Take one subscription through the state machine for the current period."""
    sub_id, now = subscription.id or 0, run.now
    key = period_key(subscription.frequency, now)
    row = rows.get((sub_id, key))
    state = row_state(row, now)
    if state != "go":
        return Planned(sub_id, subscription.email, key, state)
    digest = plan_digest(session, subscription, profile, run)
    new = DigestSend(subscription_id=sub_id, period_key=key, created_at=now)
    if digest is None:
        new.status = "skipped"
        return Planned(
            sub_id, subscription.email, key, "skipped" if _claim(engine, row, new) else "busy"
        )
    domain = urlsplit(config.public_url).hostname or "rolefit.local"
    new.status, new.attempts = "sending", (row.attempts if row else 0) + 1
    # The lease counts from the moment of sending: a long run must not write stale leases.
    lease_from = max(now, utcnow())
    new.next_attempt_at = lease_from + timedelta(seconds=config.sending_stale_after_s)
    new.message_id = (row.message_id if row else None) or new_message_id(domain)
    new.posting_ids = digest.posting_ids
    claimed = _claim(engine, row, new)
    if claimed is None:
        return Planned(sub_id, subscription.email, key, "busy")
    return _deliver(engine, config, claimed, subscription, digest, send, now)


def _errored(engine: Engine, subscription: Subscription, exc: Exception) -> Planned:
    """Log a subscriber's failed digest and show it on the subscription (web view)."""
    log.exception("digest for subscription %s failed", subscription.id)
    message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    _finish(engine, 0, subscription.id or 0, {}, {"last_error": f"digest not built: {message}"})
    return Planned(subscription.id or 0, subscription.email, "", "error", error=message)


def send_due_digests(
    engine: Engine,
    config: SchedulerConfig,
    *,
    ranker: Ranker = fit_ranker,
    send: SendFn | None = None,
    now: datetime | None = None,
) -> DigestReport:
    """Send every digest due now, at most once per (subscription, period); return what happened.

    ``send`` defaults to one SMTP connection (``Mailer``) kept open for the whole run.
    """
    now = as_utc(now or utcnow())
    report = DigestReport()
    if config.smtp is None or not is_send_time(now, config.digest_hour_utc):
        return report
    recover(engine, now)
    pairs = due_subscriptions(engine)
    with ExitStack() as stack, Session(engine) as session:
        if send is None:
            send = stack.enter_context(Mailer(config.smtp)).send
        # Rankings and histories are read once per run and shared by every subscriber.
        run = PlanRun.start(session, ranker, now)
        rows = current_rows(session, {period_key(s.frequency, now) for s, _ in pairs})
        for subscription, profile in pairs:
            try:
                item = _handle(
                    engine, session, config, subscription, profile, send=send, run=run, rows=rows
                )
            except Exception as exc:  # one bad profile must not stop everyone else's digest
                item = _errored(engine, subscription, exc)
            report.items.append(item)
    return report
