"""What the scheduler needs from outside, in one small object (the scheduler never reads env).

rolefit builds it from its Settings (``rolefit.jobs.scheduler_config``); tests and the
benchmark build it directly.
"""

from dataclasses import dataclass, field
from pathlib import Path

from scheduler.errors import ConfigInvalid
from scheduler.mailer import SmtpConfig

# Fields that are periods or counts: zero or less would crawl or send without pause, or never.
POSITIVE = (
    "crawl_interval_hours",
    "crawl_check_minutes",
    "classify_minutes",
    "retrain_minutes",
    "liveness_hours",
    "digest_minutes",
    "prune_hours",
    "keep_runs_days",
    "sending_stale_after_s",
    "max_send_attempts",
    "retry_base_s",
)


def config_problem(config: "SchedulerConfig") -> ConfigInvalid | None:
    """The first value of ``config`` that cannot work, as an error (None when all can)."""
    for name in POSITIVE:
        value = getattr(config, name)
        if not value > 0:  # also catches NaN
            return ConfigInvalid(name, f"must be more than 0, not {value}")
    if not 0 <= config.digest_hour_utc <= 23:
        return ConfigInvalid("digest_hour_utc", f"must be 0 to 23, not {config.digest_hour_utc}")
    if not config.public_url.startswith(("http://", "https://")):
        # Digest links (unsubscribe above all) are built on it; they must be absolute URLs.
        return ConfigInvalid("public_url", "must start with http:// or https://")
    return None


@dataclass(frozen=True)
class SchedulerConfig:
    """Settings for the jobs and the scheduler.

    Example::

        SchedulerConfig(
            database_url="sqlite:///rolefit.db",
            model_dir=Path("data/model"),
            secret_key="...",
            public_url="https://rolefit.example.org",
            smtp=SmtpConfig.from_url("smtp://127.0.0.1:8025"),
        )

    ``smtp=None`` means digests are built but never sent (single-user local mode).
    ``jobs`` limits the scheduler to some jobs by name (see ``scheduler.main.JOBS``).
    ``sending_stale_after_s`` is how long a DigestSend may stay 'sending' before it is taken to
    have been sent by a process that died (see docs/DIGESTS.md).
    """

    database_url: str
    model_dir: Path
    secret_key: str
    public_url: str = "http://127.0.0.1:8000"
    smtp: SmtpConfig | None = None
    mail_from: str = "rolefit <rolefit@localhost>"
    sources_file: Path | None = None
    crawl_interval_hours: float = 6.0
    crawl_check_minutes: float = 10.0
    classify_minutes: float = 15.0
    retrain_minutes: float = 60.0
    liveness_hours: float = 1.0  # each run checks a batch; each posting at most daily
    digest_minutes: float = 30.0
    prune_hours: float = 24.0
    keep_runs_days: int = 90
    digest_hour_utc: int = 7
    sending_stale_after_s: float = 30 * 60
    max_send_attempts: int = 5
    retry_base_s: float = 5 * 60
    contact_url: str = "https://github.com/rolefit/rolefit"
    jobs: tuple[str, ...] | None = None  # which jobs to schedule; None means all of them
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problem = config_problem(self)
        if problem is not None:
            raise problem
