"""`rolefit run` and `rolefit serve`: the web view, with or without the scheduler."""

import logging

import uvicorn
from sqlalchemy import Engine

from rolefit.context import open_database
from rolefit.secrets import secret_key
from rolefit.settings import Settings
from web.app import create_app
from web.config import WebConfig


def web_config(settings: Settings, *, database_url: str, demo: bool = False) -> WebConfig:
    """The web app's config, taken from rolefit's settings."""
    return WebConfig(
        database_url=database_url,
        secret_key=secret_key(settings),
        public_url=settings.public_url,
        demo=demo,
        smtp_url=settings.smtp_url,
        smtp_username=settings.smtp_username,
        smtp_password=settings.smtp_password,
        mail_from=settings.mail_from,
        model_dir=settings.model_dir,
    )


def serve_app(
    settings: Settings,
    engine: Engine,
    *,
    host: str | None,
    port: int | None,
    demo: bool = False,
) -> None:
    """Serve the web view until Ctrl-C."""
    config = web_config(settings, database_url=str(engine.url), demo=demo)
    app = create_app(config, engine=engine)
    host = host or settings.host
    port = port or settings.port
    logging.getLogger("rolefit").info("serving on http://%s:%s", host, port)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower())


def run_main(settings: Settings, *, host: str | None, port: int | None, scheduler: bool) -> None:
    """Upgrade the database, optionally start the background scheduler, and serve."""
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    engine = open_database(settings)
    background = None
    if scheduler:
        from rolefit.jobs import start_background_scheduler

        background = start_background_scheduler(settings, engine)
    try:
        serve_app(settings, engine, host=host, port=port)
    finally:
        if background is not None:
            from scheduler.lifecycle import stopping

            stopping.set()
            background.shutdown(wait=False)
