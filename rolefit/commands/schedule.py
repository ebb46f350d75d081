"""`rolefit schedule`: run the scheduler alone, in the foreground, until Ctrl-C."""

import logging

import click

from rolefit.context import open_database
from rolefit.jobs import scheduler_config
from rolefit.settings import Settings


def run_schedule(settings: Settings) -> None:
    """Crawl, classify, retrain, check links and send digests on schedule until stopped."""
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from scheduler.main import run_forever

    engine = open_database(settings)
    config = scheduler_config(settings, database_url=engine.url.render_as_string(False))
    if config.smtp is None:
        click.echo("ROLEFIT_SMTP_URL is not set: digests will not be sent.", err=True)
    click.echo("Scheduler running; Ctrl-C stops it.", err=True)
    run_forever(config, engine=engine)
