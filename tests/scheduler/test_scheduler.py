"""The scheduler: jobs persisted in the database, kept across restarts, one at a time, and jobs."""

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, select

from scheduler import main
from scheduler.config import SchedulerConfig
from scheduler.errors import SchedulerError
from scheduler.jobs import prune_runs
from store.clock import utcnow
from store.db import session_scope
from store.models import CrawlRun, Source
from tests.scheduler.conftest import NOW

QUIET = {"digest_minutes": 600.0, "crawl_check_minutes": 600.0, "prune_hours": 100.0}


def test_jobs_are_persisted_and_keep_their_next_run_across_restarts(
    engine: Engine, config: SchedulerConfig
) -> None:
    config = replace(config, jobs=("send_digests", "prune_runs"), **QUIET)  # type: ignore[arg-type]
    sched = main.build_scheduler(config, engine=engine)
    try:
        jobs = {job.id: job for job in sched.get_jobs()}
        assert set(jobs) == {"send_digests", "prune_runs"}
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time is None  # late by any amount: still runs, once
        # new jobs are due at once: wait for their first runs, then read the persisted next runs
        deadline = time.monotonic() + 20
        soon = utcnow() + timedelta(hours=1)
        while any(j.next_run_time < soon for j in sched.get_jobs()):
            assert time.monotonic() < deadline, "first runs did not happen"
            time.sleep(0.05)
        first = {j.id: j.next_run_time for j in sched.get_jobs()}
    finally:
        sched.shutdown(wait=True)
    assert "apscheduler_jobs" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id FROM apscheduler_jobs ORDER BY id")).scalars().all()
        blob = b"".join(conn.execute(text("SELECT job_state FROM apscheduler_jobs")).scalars())
    assert stored == ["prune_runs", "send_digests"]
    assert config.secret_key.encode() not in blob  # jobs are stored by name, config stays out
    # restart with one interval changed: the other job keeps its persisted next run
    again = main.build_scheduler(replace(config, prune_hours=50.0), engine=engine)
    try:
        again.pause()
        after = {j.id: j for j in again.get_jobs()}
        assert after["send_digests"].next_run_time == first["send_digests"]
        assert after["prune_runs"].trigger.interval == timedelta(hours=50)
    finally:
        again.shutdown(wait=True)


def test_unknown_job_names_are_refused(engine: Engine, config: SchedulerConfig) -> None:
    before = set(threading.enumerate())
    with pytest.raises(SchedulerError, match="unknown job"):
        main.build_scheduler(replace(config, jobs=("crawl_everything",)), engine=engine)
    assert set(threading.enumerate()) <= before  # no scheduler thread left behind


def test_prune_keeps_recent_runs_and_each_sources_latest(
    engine: Engine, config: SchedulerConfig
) -> None:
    with session_scope(engine) as session:
        session.add(Source(id="a", platform="greenhouse"))
        session.add(Source(id="b", platform="lever"))
        session.flush()
        for days_ago in (200, 120, 10):
            session.add(CrawlRun(source_id="a", started_at=NOW - timedelta(days=days_ago)))
        session.add(CrawlRun(source_id="b", started_at=NOW - timedelta(days=300)))
    assert prune_runs(config, engine, now=NOW) == 2
    with Session(engine) as session:
        left = sorted(
            (r.source_id, (NOW - r.started_at.replace(tzinfo=NOW.tzinfo)).days)
            for r in session.exec(select(CrawlRun))
        )
    assert left == [("a", 10), ("b", 300)]
    assert prune_runs(config, engine, now=NOW) == 0


def test_rolefit_builds_the_config_and_starts_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rolefit.context import open_database
    from rolefit.errors import ConfigError
    from rolefit.jobs import scheduler_config, start_background_scheduler

    ran: list[str] = []
    for name in main.JOBS:  # stand-ins: no crawling or training inside a unit test
        monkeypatch.setitem(main.JOBS, name, lambda config, engine, name=name: ran.append(name))
    monkeypatch.setenv("ROLEFIT_SMTP_URL", "smtp://u:p@mail.example.org:587")
    from rolefit.settings import load_settings

    settings = load_settings()
    config = scheduler_config(settings)
    assert config.smtp is not None and (config.smtp.host, config.smtp.port) == (
        "mail.example.org",
        587,
    )
    assert (
        config.smtp.username == "u"
        and config.secret_key
        and config.database_url.startswith("sqlite")
    )
    engine = open_database(settings)
    sched = start_background_scheduler(settings, engine)
    assert sched is not None
    try:
        deadline = time.monotonic() + 20
        while len(set(ran)) < len(main.JOBS):
            assert time.monotonic() < deadline, ran
            time.sleep(0.05)
    finally:
        sched.shutdown(wait=True)
    assert sorted(set(ran)) == sorted(main.JOBS)
    monkeypatch.setenv("ROLEFIT_SMTP_URL", "http://not-smtp")
    with pytest.raises(ConfigError, match="ROLEFIT_SMTP_URL"):
        scheduler_config(load_settings())
