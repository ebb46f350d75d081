"""Wiring shared by the commands: settings in, an upgraded database engine out."""

from sqlalchemy import Engine

from rolefit.settings import Settings
from store.db import make_engine
from store.migrate import upgrade


def open_database(settings: Settings, *, url: str | None = None, migrate: bool = True) -> Engine:
    """An engine for the configured (or given) database, upgraded to the latest schema."""
    engine = make_engine(url or settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return engine
