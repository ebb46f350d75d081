"""`rolefit subscribe`: subscribe an address to a digest of new matches for a profile."""

from pathlib import Path

import click

from rolefit.commands.match import read_profile
from rolefit.context import open_database
from rolefit.errors import InputError
from rolefit.settings import Settings
from scheduler.errors import SchedulerError
from scheduler.subscriptions import create_subscription, validate_request
from store.db import session_scope


def run_subscribe(
    settings: Settings,
    profile_file: Path,
    *,
    email: str,
    frequency: str,
    min_score: float,
    min_matches: int,
) -> None:
    """Store the profile and the subscription; re-running with the same profile updates it."""
    profile = read_profile(profile_file)
    try:
        validate_request(email, frequency, min_score, min_matches)  # before any database work
    except SchedulerError as exc:
        raise InputError(str(exc)) from exc
    engine = open_database(settings)
    try:
        with session_scope(engine) as session:
            subscription = create_subscription(
                session,
                profile_doc=profile,
                email=email,
                frequency=frequency,
                min_score=min_score,
                min_matches=min_matches,
            )
            sub_id = subscription.id
    except SchedulerError as exc:
        raise InputError(str(exc)) from exc
    click.echo(
        f"Subscribed {email.strip()} to a {frequency} digest for {profile.name} "
        f"(subscription {sub_id}; min score {min_score}, at least {min_matches} "
        f"match{'' if min_matches == 1 else 'es'})."
    )
    if not settings.smtp_url:
        click.echo("Note: ROLEFIT_SMTP_URL is not set, so nothing can be sent yet.", err=True)
