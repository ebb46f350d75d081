"""`rolefit demo`: the full site over invented sample postings, on its own database."""

import logging
from pathlib import Path

import click

from rolefit.commands.serve import serve_app
from rolefit.context import open_database
from rolefit.demo_data import load_demo
from rolefit.settings import Settings
from store.clock import utcnow


def prepare_demo_database(settings: Settings) -> str:
    """(Re)build the demo database when it was not built today; return its URL."""
    url = settings.demo_database_url
    stamp = Path(settings.data_dir) / "demo.loaded"
    today = utcnow().date().isoformat()
    if stamp.exists() and stamp.read_text().strip() == today:
        return url
    db_file = Path(settings.data_dir) / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    engine = open_database(settings, url=url)
    count = load_demo(engine)
    from rolefit.tagging import tag_all

    tag_all(settings, engine)
    engine.dispose()
    stamp.write_text(today)
    click.echo(f"demo database ready: {count} sample postings (invented organisations)")
    return url


def run_demo(settings: Settings, *, host: str | None, port: int | None) -> None:
    """Build the demo database if needed and serve it."""
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    url = prepare_demo_database(settings)
    engine = open_database(settings, url=url)
    serve_app(settings, engine, host=host, port=port, demo=True)
