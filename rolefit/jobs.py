"""The scheduler as rolefit runs it: Settings in, a SchedulerConfig and a running scheduler out.

The scheduler package never imports rolefit; this module is the one place that translates.
"""

from typing import Protocol

from sqlalchemy import Engine

from rolefit.errors import ConfigError
from rolefit.secrets import secret_key
from rolefit.settings import Settings
from scheduler.config import SchedulerConfig
from scheduler.errors import ConfigInvalid
from scheduler.mailer import MailError, SmtpConfig


class Stoppable(Protocol):
    """Anything with a ``shutdown`` method, such as an APScheduler scheduler."""

    def shutdown(self, wait: bool = ...) -> None: ...


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The SMTP config from ROLEFIT_SMTP_URL (and separate credentials), or None when unset."""
    if not settings.smtp_url:
        return None
    try:
        return SmtpConfig.from_url(
            settings.smtp_url, username=settings.smtp_username, password=settings.smtp_password
        )
    except MailError as exc:
        raise ConfigError(f"invalid setting ROLEFIT_SMTP_URL: {exc}") from exc


# SchedulerConfig fields whose setting is not simply ROLEFIT_<FIELD>.
SETTING_NAMES = {"public_url": "ROLEFIT_BASE_URL (or ROLEFIT_HOST/ROLEFIT_PORT)"}


def scheduler_config(settings: Settings, *, database_url: str | None = None) -> SchedulerConfig:
    """What the scheduler and digest jobs need, taken from rolefit's settings."""
    try:
        return SchedulerConfig(
            database_url=database_url or settings.resolved_database_url,
            model_dir=settings.model_dir,
            secret_key=secret_key(settings),
            public_url=settings.public_url,
            smtp=smtp_config(settings),
            mail_from=settings.mail_from,
            sources_file=settings.sources,
            crawl_interval_hours=settings.crawl_interval_hours,
            contact_url=settings.contact_url,
            digest_hour_utc=settings.digest_hour_utc,
        )
    except ConfigInvalid as exc:
        name = SETTING_NAMES.get(exc.field, f"ROLEFIT_{exc.field.upper()}")
        raise ConfigError(f"invalid setting {name}: {exc.reason}") from exc


def start_background_scheduler(settings: Settings, engine: Engine) -> Stoppable | None:
    """Start the scheduler in background threads beside the web server (``rolefit run``)."""
    from scheduler.main import build_scheduler

    config = scheduler_config(settings, database_url=engine.url.render_as_string(False))
    scheduler: Stoppable = build_scheduler(config, engine=engine)
    return scheduler
