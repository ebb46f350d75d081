"""The scheduler as a child process for the restart test: ``python -m tests.scheduler.child``.

Arguments: database URL, SMTP URL, sources file, model dir. Runs crawl_due and send_digests
every few seconds until SIGTERM (clean stop) or SIGKILL (the test's crash).
"""

import logging
import sys
from pathlib import Path

from scheduler.config import SchedulerConfig
from scheduler.mailer import SmtpConfig
from scheduler.main import run_forever


def main() -> None:
    """Run the scheduler with the test's settings."""
    database_url, smtp_url, sources_file, model_dir = sys.argv[1:5]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    config = SchedulerConfig(
        database_url=database_url,
        model_dir=Path(model_dir),
        secret_key="restart-test-secret",
        public_url="https://rolefit.test",
        smtp=SmtpConfig.from_url(smtp_url),
        sources_file=Path(sources_file),
        jobs=("crawl_due", "send_digests"),
        crawl_check_minutes=0.05,
        digest_minutes=0.05,
        digest_hour_utc=0,
        sending_stale_after_s=2.0,
    )
    run_forever(config)


if __name__ == "__main__":
    main()
