"""Kill the scheduler process mid-run (SIGKILL), start it again: no digest twice, no crawl lost."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from crawlers.registry import load_sources
from scheduler.subscriptions import create_subscription
from store.db import session_scope
from store.models import CrawlRun, DigestSend, Posting, Source
from tests.crawlers.board_server import BoardServer
from tests.crawlers.conftest import fixture_bytes
from tests.scheduler.conftest import add_postings
from tests.scheduler.smtp import Recorder, smtp_server

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 12


def sources_file(tmp_path: Path, board_url: str) -> Path:
    """Every bundled source switched off (no network in tests) plus one local board."""
    lines = [f'[[source]]\nid = "{s.id}"\nenabled = false\n' for s in load_sources()]
    lines.append(
        '[[source]]\nid = "examplelab"\nplatform = "greenhouse"\norganisation = "Example Lab"\n'
        f'url = "{board_url}/v1/boards/examplelab/jobs?content=true"\n'
    )
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(lines))
    return path


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scheduler.child", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the crawl grandchild dies with it
    )


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def digest_rows(engine: Engine) -> list[DigestSend]:
    with Session(engine) as session:
        return list(session.exec(select(DigestSend)).all())


def crawl_state(engine: Engine) -> tuple[Source | None, int, int]:
    with Session(engine) as session:
        source = session.get(Source, "examplelab")
        postings = len(
            session.exec(select(Posting).where(col(Posting.source_id) == "examplelab")).all()
        )
        runs = len(session.exec(select(CrawlRun).where(col(CrawlRun.status) == "ok")).all())
    return source, postings, runs


@pytest.mark.slow
def test_sigkill_mid_run_then_restart_sends_no_digest_twice_and_keeps_crawl_state(
    engine: Engine, sqlite_url: str, tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        for n in range(SUBSCRIBERS):
            create_subscription(
                session,
                profile_doc={"name": "Restart"},
                email=f"p{n}@example.org",
                frequency="daily",
            )
    add_postings(engine, [{"title": "Research Engineer, Evaluations"}, {"title": "Policy Fellow"}])
    log = tmp_path / "child.log"
    with BoardServer() as board, smtp_server(Recorder(delay_s=0.3)) as (smtp_url, recorder):
        board.serve("/v1/boards/examplelab/jobs", fixture_bytes("greenhouse/jobs.json"))
        args = [sqlite_url, smtp_url, str(sources_file(tmp_path, board.url)), str(tmp_path / "m")]
        child = start(args, log)
        try:
            wait_for(lambda: len(recorder.messages) >= 4, 60, "the first digests")
        finally:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(10)
        at_kill = Counter(r.status for r in digest_rows(engine))
        assert at_kill["sent"] < SUBSCRIBERS, "the run was meant to be interrupted"
        time.sleep(0.5)  # let the SMTP server finish the message that was in flight
        child = start(args, log)
        try:
            wait_for(
                lambda: (
                    sum(r.status in ("sent", "unknown") for r in digest_rows(engine)) == SUBSCRIBERS
                    and crawl_state(engine)[2] > 0
                ),
                90,
                "every digest settled and a crawl finished",
            )
        finally:
            child.send_signal(signal.SIGINT)  # Ctrl-C
            code = child.wait(30)
        assert code == 0, log.read_text()[-3000:]  # Ctrl-C stops it cleanly
        assert "scheduler stopped" in log.read_text()
    per_address = Counter(m["To"] for m in recorder.messages)
    assert max(per_address.values()) == 1, per_address  # never twice
    rows = {r.subscription_id: r for r in digest_rows(engine)}
    assert len(rows) == SUBSCRIBERS
    sent = [r for r in rows.values() if r.status == "sent"]
    unknown = [r for r in rows.values() if r.status == "unknown"]
    assert len(sent) + len(unknown) == SUBSCRIBERS and len(unknown) <= 1
    assert len(per_address) >= len(sent)  # every 'sent' row was received
    assert all("not resent" in (r.last_error or "") for r in unknown)
    source, postings, _ = crawl_state(engine)
    assert source is not None and source.last_success_at is not None
    assert source.next_crawl_at is not None and postings > 0
    with engine.connect() as conn:
        jobs = conn.execute(text("SELECT id FROM apscheduler_jobs ORDER BY id")).scalars().all()
    assert jobs == ["crawl_due", "send_digests"]
