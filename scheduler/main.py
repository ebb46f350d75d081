"""Building and running the scheduler (APScheduler 3.x, jobs persisted in the project database).

Jobs are stored by name (``scheduler.main:run_job`` with the job's name as its only argument),
so the job table holds no secrets and a restart picks up each job's persisted next run time.
The config and engine the jobs use are held in this process by ``build_scheduler``.
"""

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from scheduler import jobs, lifecycle
from scheduler.config import SchedulerConfig
from scheduler.errors import SchedulerError
from store.clock import utcnow
from store.db import make_engine

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
JobFn = Callable[[SchedulerConfig, Engine], Any]
JOBS: dict[str, JobFn] = {
    "crawl_due": jobs.crawl_due,
    "classify_new": jobs.classify_new,
    "retrain_if_labels": jobs.retrain_if_labels,
    "check_links": jobs.check_links,
    "send_digests": jobs.send_digests,
    "prune_runs": jobs.prune_runs,
}
# The running process's config and engine. The job store persists only job names, so secrets
# (SMTP password, signing key) never reach the jobs table and a new config applies on restart.
_RUNTIME: dict[str, tuple[SchedulerConfig, Engine]] = {}


def intervals(config: SchedulerConfig) -> dict[str, timedelta]:
    """How often each job runs (only the jobs the config asks for)."""
    every = {
        "crawl_due": timedelta(minutes=config.crawl_check_minutes),
        "classify_new": timedelta(minutes=config.classify_minutes),
        "retrain_if_labels": timedelta(minutes=config.retrain_minutes),
        "check_links": timedelta(hours=config.liveness_hours),
        "send_digests": timedelta(minutes=config.digest_minutes),
        "prune_runs": timedelta(hours=config.prune_hours),
    }
    unknown = set(config.jobs or ()) - set(JOBS)
    if unknown:
        raise SchedulerError(f"unknown job(s): {', '.join(sorted(unknown))}")
    return {name: t for name, t in every.items() if config.jobs is None or name in config.jobs}


def run_job(name: str) -> Any:
    """Run one job by name with this process's config (what the job store calls)."""
    config, engine = _RUNTIME["current"]
    return JOBS[name](config, engine)


def _trigger(every: timedelta) -> IntervalTrigger:
    # Jitter spreads runs a little so several instances (or jobs) do not start in lockstep.
    jitter = int(min(60, every.total_seconds() / 10))
    return IntervalTrigger(seconds=int(every.total_seconds()), jitter=jitter or None, timezone=UTC)


def _reconcile(sched: BackgroundScheduler, wanted: dict[str, timedelta]) -> None:
    """Add missing jobs (due now); keep persisted next-run times; apply changed intervals."""
    for job in sched.get_jobs():
        if job.id not in wanted:  # a job this config does not run (any more)
            sched.remove_job(job.id)
    for name, every in wanted.items():
        job = sched.get_job(name)
        if job is None:
            sched.add_job(
                run_job, _trigger(every), args=[name], id=name, name=name, next_run_time=utcnow()
            )
        elif getattr(job.trigger, "interval", None) != every:
            sched.reschedule_job(name, trigger=_trigger(every))


def build_scheduler(
    config: SchedulerConfig, *, engine: Engine | None = None
) -> BackgroundScheduler:
    """A started scheduler (in background threads) with every job in the persistent store.

    Missed runs coalesce into one, each job runs at most once at a time, and a run that is late
    by any amount (the process was down) still happens, once.
    """
    wanted = intervals(config)  # refuses unknown job names before any thread starts
    engine = engine or make_engine(config.database_url)
    _RUNTIME["current"] = (config, engine)
    sched = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=3)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    sched.start(paused=True)
    try:
        _reconcile(sched, wanted)
    except BaseException:
        sched.shutdown(wait=False)  # e.g. the job store's database is unreachable
        raise
    sched.resume()
    log.info("scheduler started with jobs: %s", ", ".join(j.id for j in sched.get_jobs()))
    return sched


def run_forever(config: SchedulerConfig, *, engine: Engine | None = None) -> None:
    """Run the scheduler in the foreground until Ctrl-C or SIGTERM, then stop cleanly."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sched = build_scheduler(config, engine=engine)
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        log.info("stopping: waiting for running jobs (Ctrl-C again to quit at once)")
    finally:
        signal.signal(signal.SIGTERM, previous)
        lifecycle.stopping.set()
        try:
            sched.shutdown(wait=True)
        except KeyboardInterrupt:
            log.info("quitting without waiting for running jobs")
    log.info("scheduler stopped")
