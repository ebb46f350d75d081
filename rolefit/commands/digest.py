"""`rolefit digest`: show (--dry-run) or send (--send) the email digests due now."""

import click
from sqlalchemy import Engine
from sqlmodel import Session

from rolefit.context import open_database
from rolefit.errors import ConfigError, RolefitError
from rolefit.jobs import scheduler_config
from rolefit.settings import Settings
from scheduler.config import SchedulerConfig
from scheduler.digests import render_text, subject
from scheduler.planning import DigestReport, Planned, digest_links, plan_due_digests
from scheduler.selection import is_send_time
from scheduler.sending import send_due_digests
from store.clock import utcnow
from store.models import Subscription

REASONS = {
    "done": "already handled this period",
    "nothing": "nothing qualifies, nothing would be sent",
    "busy": "being sent by another process",
    "waiting": "waiting to retry after a temporary failure",
}
# Outcomes of a --send run that mean mail did not go out now: the command then exits non-zero.
FAILED = ("retrying", "failed", "error")


def _header(item: Planned) -> str:
    return f"subscription {item.subscription_id} <{item.email}> {item.period_key}"


def _print_plan(engine: Engine, config: SchedulerConfig) -> None:
    report = plan_due_digests(engine)
    if not report.items:
        click.echo("No active subscriptions.")
    with Session(engine) as session:
        for item in report.items:
            subscription = session.get(Subscription, item.subscription_id)
            if item.digest is None or subscription is None:
                click.echo(f"{_header(item)}: {REASONS.get(item.outcome, item.outcome)}")
                continue
            click.echo(f"{_header(item)}: would send {item.digest.count} postings")
            click.echo(f"Subject: {subject(item.digest)}")
            click.echo(render_text(item.digest, digest_links(config, subscription)))


def _failure(report: DigestReport) -> str | None:
    """One line about the digests this run could not send, or None when all went out."""
    failed = [i for i in report.items if i.outcome in FAILED]
    if not failed:
        return None
    retried = sum(1 for i in failed if i.outcome == "retrying")
    first = next((i.error for i in failed if i.error), "no reason recorded")
    later = f"; {retried} will be retried" if retried else ""
    return f"{len(failed)} of {len(report.items)} digests not sent ({first}){later}"


def run_digest(settings: Settings, *, dry_run: bool, send: bool) -> None:
    """Print what would be sent (the default), or send what is due now and say what happened."""
    engine = open_database(settings)
    config = scheduler_config(settings, database_url=engine.url.render_as_string(False))
    if not send or dry_run:
        _print_plan(engine, config)
        return
    if config.smtp is None:
        raise ConfigError("ROLEFIT_SMTP_URL is not set, so digests cannot be sent")
    if not is_send_time(utcnow(), config.digest_hour_utc):
        click.echo(f"Digests go out from {config.digest_hour_utc:02d}:00 UTC; none are due yet.")
        return
    report = send_due_digests(engine, config)
    for item in report.items:
        extra = f" ({item.error})" if item.error else ""
        click.echo(f"{_header(item)}: {item.outcome}{extra}")
    totals = ", ".join(f"{n} {k}" for k, n in sorted(report.totals().items()))
    click.echo(f"Digests: {totals or 'no active subscriptions'}.")
    failure = _failure(report)
    if failure:
        raise RolefitError(failure)
