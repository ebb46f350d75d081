"""Fixtures for scheduler tests: an SMTP server, a config, postings and a stand-in ranking."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from scheduler.config import SchedulerConfig
from scheduler.digests import Candidate
from scheduler.mailer import SmtpConfig
from scheduler.selection import candidates_from_results
from store.db import session_scope
from store.models import Organisation, Posting, Source
from tests.scheduler.smtp import Recorder, smtp_server

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
SECRET = "test-secret-key-for-digests"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Recorder]]:
    """A recording SMTP server on a local port."""
    with smtp_server() as pair:
        yield pair


@pytest.fixture
def config(smtp: tuple[str, Recorder], tmp_path: Path, sqlite_url: str) -> SchedulerConfig:
    """A scheduler config that sends to the test SMTP server."""
    return SchedulerConfig(
        database_url=sqlite_url,
        model_dir=tmp_path / "model",
        secret_key=SECRET,
        public_url="https://rolefit.test",
        smtp=SmtpConfig.from_url(smtp[0]),
        mail_from="rolefit <digests@rolefit.test>",
        digest_hour_utc=0,
        retry_base_s=60,
    )


def add_postings(engine: Engine, rows: list[dict[str, Any]], *, seen: datetime = NOW) -> list[int]:
    """Store postings (title, org, score in extras, optional deadline); return their ids."""
    ids: list[int] = []
    with session_scope(engine) as session:
        if session.get(Source, "test") is None:
            session.add(Source(id="test", platform="greenhouse", endpoint="https://x.test"))
            session.flush()
        for n, row in enumerate(rows):
            name = row.get("org", "Acme Safety")
            org = session.exec(select(Organisation).where(Organisation.name == name)).first()
            if org is None:
                org = Organisation(name=name)
                session.add(org)
                session.flush()
            posting = Posting(
                source_id="test",
                external_id=row.get("external_id", f"{name}-{row['title']}-{n}-{seen.isoformat()}"),
                url=f"https://jobs.test/{name.replace(' ', '-')}/{n}",
                title=row["title"],
                organisation_id=org.id,
                organisation_name=name,
                deadline=row.get("deadline"),
                first_seen_at=seen,
                last_seen_at=seen,
                extras={"score": row.get("score", 0.5)},
            )
            session.add(posting)
            session.flush()
            ids.append(posting.id or 0)
    return ids


def fake_ranker(session: Session, document: dict[str, Any], now: datetime) -> list[Candidate]:
    """Stand-in for matcher.fit: every open posting, scored by extras['score'], via the adapter."""
    postings = session.exec(select(Posting).where(col(Posting.closed_at).is_(None))).all()
    results = [
        SimpleNamespace(
            posting_id=p.id,
            title=p.title,
            organisation=p.organisation_name,
            url=p.url,
            score=float(p.extras.get("score", 0.5)),
            reasons=[f"Matches your areas: {p.title.split()[-1].lower()}"],
            excluded_reason="excluded by test" if p.extras.get("score", 0.5) < 0 else None,
            deadline=p.deadline,
            locations=p.locations,
        )
        for p in postings
    ]
    return candidates_from_results(session, results)


def days(n: int) -> date:
    """A date ``n`` days after NOW."""
    return (NOW + timedelta(days=n)).date()
