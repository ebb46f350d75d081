"""`rolefit db upgrade`: bring the database schema up to date."""

import click

from rolefit.context import open_database
from rolefit.settings import Settings
from store.migrate import current_revision


def run_upgrade(settings: Settings) -> None:
    """Apply all migrations and say which revision the database is at."""
    engine = open_database(settings)
    where = engine.url.render_as_string(hide_password=True)
    click.echo(f"database {where} is at revision {current_revision(engine)}")
