"""`rolefit run` and `rolefit serve`: the web view, with or without the scheduler."""

import logging

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from rolefit.context import open_database
from rolefit.secrets import secret_key
from rolefit.settings import Settings, load_settings
from store.db import make_engine
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


def app_from_settings() -> FastAPI:
    """The web app over the configured database: uvicorn's factory in each worker process.

    Workers read the same ``ROLEFIT_*`` environment as the command that started them; that
    command has already upgraded the database.
    """
    settings = load_settings()
    engine = make_engine(settings.resolved_database_url)
    return create_app(web_config(settings, database_url=str(engine.url)), engine=engine)


def serve_app(
    settings: Settings,
    engine: Engine,
    *,
    host: str | None,
    port: int | None,
    workers: int = 1,
    demo: bool = False,
) -> None:
    """Serve the web view until Ctrl-C, in ``workers`` processes."""
    host = host or settings.host
    port = port or settings.port
    log_level = settings.log_level.lower()
    logging.getLogger("rolefit").info("serving on http://%s:%s", host, port)
    if workers > 1 and not demo:
        secret_key(settings)  # made here once, so that every worker signs with the same key
        factory = "rolefit.commands.serve:app_from_settings"
        uvicorn.run(
            factory, factory=True, workers=workers, host=host, port=port, log_level=log_level
        )
        return
    config = web_config(settings, database_url=str(engine.url), demo=demo)
    uvicorn.run(create_app(config, engine=engine), host=host, port=port, log_level=log_level)


def run_main(
    settings: Settings,
    *,
    host: str | None,
    port: int | None,
    scheduler: bool,
    workers: int | None = None,
) -> None:
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
        serve_app(settings, engine, host=host, port=port, workers=workers or settings.web_workers)
    finally:
        if background is not None:
            from scheduler.lifecycle import stopping

            stopping.set()
            background.shutdown(wait=False)
