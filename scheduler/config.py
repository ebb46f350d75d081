"""What the scheduler needs from outside, in one small object (the scheduler never reads env).

rolefit builds it from its Settings (``rolefit.jobs.scheduler_config``); tests and the
benchmark build it directly.
"""

from dataclasses import dataclass, field
from pathlib import Path

from scheduler.mailer import SmtpConfig


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
