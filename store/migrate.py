"""Bring a database's schema up to date with Alembic, on start and via ``rolefit db upgrade``."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from store.db import check_connection
from store.errors import MigrationError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to ``engine``; no alembic.ini is needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``; raise a one-line error if that fails."""
    check_connection(engine)
    try:
        command.upgrade(alembic_config(engine), revision)
    except (OperationalError, ProgrammingError) as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        raise MigrationError(f"database upgrade failed: {first}") from exc


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
