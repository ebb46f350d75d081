"""Matching over a real database, and the three interfaces agreeing on one ranking."""

import json
import os
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

import rolefit
from matcher.fit import clear_cache, match, warm
from matcher.profile import load_profile
from store.clock import utcnow
from store.db import session_scope
from store.models import Label, Organisation, Posting, Profile, Source
from web.routes.api_match import router

EXAMPLE = Path(__file__).parents[2] / "examples" / "profile.toml"


def seed(engine: Engine) -> None:
    """A dozen postings that exercise every constraint and factor for the example profile."""
    today = utcnow().date()
    rows: list[dict[str, Any]] = [
        {"title": "Research Engineer, Interpretability", "org": "Acme AI", "locations": ["London, UK"], "kind": "job", "track": "technical", "style": "empirical", "style_p": 0.93, "level": "contributor", "level_p": 0.9, "areas": ["interpretability"], "deadline": today + timedelta(days=6), "text": "Build sparse autoencoder tooling in PyTorch. No PhD required."},
        {"title": "Evals Engineer", "org": "Evals Org", "locations": ["Remote"], "remote": "remote", "kind": "job", "track": "technical", "style": "empirical", "style_p": 0.88, "level": "contributor", "level_p": 0.7, "areas": ["evals"], "salary": (60000, 65000, "GBP"), "text": "Design evaluation harnesses for transformers with Python."},
        {"title": "Research Scientist, Agent Foundations", "org": "Theory Org", "locations": ["Berkeley, CA"], "visa": "no", "kind": "job", "track": "technical", "style": "theoretical", "style_p": 0.9, "level": "lead", "level_p": 0.85, "areas": ["theory"], "text": "Prove theorems about agents. PhD required."},
        {"title": "Policy Fellow", "org": "Gov Think", "locations": ["London"], "kind": "fellowship", "track": "governance", "areas": ["governance"], "text": "Write policy on compute governance."},
        {"title": "Summer Research Intern", "org": "Acme AI", "locations": ["Oxford"], "kind": "internship", "track": "technical", "style": "empirical", "style_p": 0.8, "level": "contributor", "level_p": 0.95, "areas": ["control"], "deadline": today + timedelta(days=200), "text": "Control experiments with monitors."},
        {"title": "Closed Role", "org": "Evals Org", "locations": ["London"], "kind": "job", "track": "technical", "closed": True, "text": "Old role."},
        {"title": "Untagged Posting", "org": "Quiet Org", "locations": [], "text": "Python engineer for research tooling."},
        {"title": "Past Deadline Fellowship", "org": "Program X", "locations": ["London"], "kind": "fellowship", "track": "technical", "deadline": today - timedelta(days=2), "text": "Mentored research."},
    ]  # fmt: skip
    with session_scope(engine) as session:
        session.add(Source(id="test", platform="test"))
        orgs: dict[str, Organisation] = {}
        for name, org_type in [
            ("Acme AI", "frontier-lab"),
            ("Evals Org", "nonprofit"),
            ("Theory Org", "nonprofit"),
            ("Gov Think", "nonprofit"),
            ("Quiet Org", "nonprofit"),
            ("Program X", "program"),
        ]:
            orgs[name] = Organisation(name=name, org_type=org_type)
            session.add(orgs[name])
        session.flush()
        for n, row in enumerate(rows):
            low, high, currency = row.get("salary", (None, None, None))
            tagged = "kind" in row
            session.add(
                Posting(
                    source_id="test",
                    external_id=str(n),
                    url=f"https://jobs.test/{n}",
                    title=row["title"],
                    organisation_id=orgs[row["org"]].id,
                    organisation_name=row["org"],
                    locations=row["locations"],
                    remote=row.get("remote", "onsite"),
                    deadline=row.get("deadline"),
                    visa_sponsorship=row.get("visa", "unknown"),
                    salary_min=low,
                    salary_max=high,
                    salary_currency=currency,
                    salary_period="year" if low else None,
                    description_text=row["text"],
                    closed_at=utcnow() if row.get("closed") else None,
                    kind=row.get("kind"),
                    kind_p=0.9 if tagged else None,
                    track=row.get("track"),
                    track_p=0.9 if tagged else None,
                    style=row.get("style"),
                    style_p=row.get("style_p"),
                    level=row.get("level"),
                    level_p=row.get("level_p"),
                    areas=row.get("areas", []),
                    tagged_at=utcnow() if tagged else None,
                )
            )


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    clear_cache()
    seed(engine)
    return engine


def ranking(payload: dict[str, Any]) -> list[tuple[int, float]]:
    return [(m["posting_id"], m["score"]) for m in payload["matches"]]


def test_match_over_the_database(seeded: Engine) -> None:
    with Session(seeded) as session:
        results = match(session, load_profile(EXAMPLE), include_excluded=True)
    titles = [m.title for m in results.matches]
    assert titles[0] == "Research Engineer, Interpretability"
    assert "Untagged Posting" in titles
    reasons = {m.title: m.excluded_reason for m in results.excluded}
    assert "closed" in (reasons["Closed Role"] or "")
    assert "deadline passed" in (reasons["Past Deadline Fellowship"] or "")
    assert "further ahead than your 120 days" in (reasons["Summer Research Intern"] or "")
    assert "will not sponsor" in (reasons["Research Scientist, Agent Foundations"] or "")
    assert "governance" in (reasons["Policy Fellow"] or "")
    top = results.matches[0]
    assert "closes in 6 days" in top.reasons
    assert any(f.startswith("Acme AI is a frontier-lab") for f in top.flags)


def test_cache_follows_the_database(seeded: Engine) -> None:
    profile = load_profile(EXAMPLE)
    with Session(seeded) as session:
        assert warm(session) == 8  # every posting: the closed one closed just now
    with Session(seeded) as session:
        first = match(session, profile)
    top_id = first.matches[0].posting_id
    with session_scope(seeded) as session:
        posting = session.get(Posting, top_id)
        assert posting is not None
        posting.closed_at = utcnow()
    with Session(seeded) as session:
        assert top_id not in [m.posting_id for m in match(session, profile).matches]
    with session_scope(seeded) as session:
        untagged = session.exec(select(Posting).where(Posting.title == "Untagged Posting")).one()
        untagged.kind = "grant"
        session.add(Label(posting_id=untagged.id or 0, field="kind", value="grant"))
    with Session(seeded) as session:
        again = match(session, profile, include_excluded=True)
    excluded = {m.title: m.excluded_reason for m in again.excluded}
    assert "grant" in (excluded["Untagged Posting"] or "")


def test_match_on_sqlite_and_postgres(any_engine: Engine) -> None:
    clear_cache()
    seed(any_engine)
    with Session(any_engine) as session:
        results = match(session, load_profile(EXAMPLE))
    assert results.matches[0].title == "Research Engineer, Interpretability"


@pytest.mark.slow
def test_three_interfaces_return_the_same_ranking(
    seeded: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = tomllib.loads(EXAMPLE.read_text())

    # 1. The command line, as a user runs it.
    monkeypatch.setenv("ROLEFIT_DATABASE_URL", sqlite_url)
    cli = subprocess.run(
        [sys.executable, "-c", "from rolefit.cli import main; main()", "match",
         "--profile", str(EXAMPLE), "--json", "--show-excluded", "--limit", "10"],
        capture_output=True, text=True, timeout=120, env=dict(os.environ),
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    from_cli = json.loads(cli.stdout)

    # 2. The Python API, given a dict.
    with rolefit.connect(sqlite_url) as db:
        from_python = db.match(document, limit=10, include_excluded=True).to_json()

    # 3. HTTP, posting the profile and asking for a stored one.
    with session_scope(seeded) as session:
        stored = Profile(name="Sam", document=load_profile(EXAMPLE).model_dump(mode="json"))
        session.add(stored)
        session.flush()
        profile_id = stored.id
    app = FastAPI()
    app.state.engine = seeded
    app.include_router(router)
    client = TestClient(app)
    posted = client.post("/api/match?limit=10&show_excluded=true", json=document)
    assert posted.status_code == 200, posted.text
    fetched = client.get(f"/api/match?profile={profile_id}&limit=10&show_excluded=true")
    assert fetched.status_code == 200, fetched.text

    assert ranking(from_cli) and len(ranking(from_cli)) >= 3
    assert ranking(from_cli) == ranking(from_python) == ranking(posted.json())
    assert ranking(fetched.json()) == ranking(from_cli)
    assert from_cli == from_python == posted.json()


def test_python_api_accepts_a_path_and_rejects_bad_profiles(
    seeded: Engine, sqlite_url: str
) -> None:
    with rolefit.connect(sqlite_url) as db:
        results = db.match(EXAMPLE, limit=3)
        assert len(results.matches) == 3
        from matcher.errors import ProfileError

        with pytest.raises(ProfileError, match="style.prefer"):
            db.match({"name": "x", "style": {"prefer": "sideways"}})


def test_http_errors_are_clear(seeded: Engine) -> None:
    app = FastAPI()
    app.state.engine = seeded
    app.include_router(router)
    client = TestClient(app)
    bad = client.post("/api/match", json={"name": "x", "kinds": ["jobs"]})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("profile: kinds[0]: must be job")
    missing = client.get("/api/match?profile=9999")
    assert missing.status_code == 404 and missing.json()["detail"] == "no profile with id 9999"
    with session_scope(seeded) as session:
        session.add(Profile(name="private", user_id=None, document={"name": "x", "colour": 1}))
    broken = client.get("/api/match?profile=1")
    assert broken.status_code == 422 and "colour" in broken.json()["detail"]


@pytest.mark.slow
def test_cli_table_and_bad_profile(seeded: Engine, sqlite_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "ROLEFIT_DATABASE_URL": sqlite_url, "COLUMNS": "160"}
    command = [sys.executable, "-c", "from rolefit.cli import main; main()", "match", "--profile"]
    table = subprocess.run([*command, str(EXAMPLE), "--show-excluded"], capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert table.returncode == 0, table.stderr
    assert "Research Engineer, Interpretability" in table.stdout
    assert "Excluded" in table.stdout and "will not sponsor" in table.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[style]\nprefer = "emp"\n')
    failed = subprocess.run([*command, str(bad)], capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert failed.returncode == 1
    assert failed.stderr.strip() == (
        "rolefit: error: bad.toml: style.prefer: must be empirical, theoretical or either"
    )


def test_import_rolefit_stays_light() -> None:
    code = "import sys, rolefit; print(sorted(m for m in ('sklearn', 'sqlalchemy', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_web_app_serves_the_match_api(seeded: Engine, sqlite_url: str) -> None:
    from web.app import create_app
    from web.config import WebConfig

    app = create_app(WebConfig(database_url=sqlite_url, secret_key="k" * 32), engine=seeded)
    client = TestClient(app)
    document = tomllib.loads(EXAMPLE.read_text())
    response = client.post("/api/match?limit=5", json=document)
    assert response.status_code == 200, response.text
    with Session(seeded) as session:
        direct = match(session, load_profile(EXAMPLE), limit=5).to_json()
    assert response.json() == direct
    assert client.get("/api/match?profile=424242").json() == {"detail": "no profile with id 424242"}


def test_fingerprint_ignores_quiet_crawls_but_sees_edits(seeded: Engine) -> None:
    from matcher.fit.load import fingerprint
    from store.models import PostingChange

    today = utcnow().date()
    with Session(seeded) as session:
        before = fingerprint(session, today)
    with session_scope(seeded) as session:
        for posting in session.exec(select(Posting)).all():
            posting.last_seen_at = utcnow()  # what a crawl that found nothing new does
    with Session(seeded) as session:
        assert fingerprint(session, today) == before
    with session_scope(seeded) as session:
        posting = session.exec(select(Posting)).first()
        assert posting is not None
        session.add(
            PostingChange(posting_id=posting.id or 0, old_title=posting.title, old_content_hash="")
        )
        posting.title = "Renamed Role"
    with Session(seeded) as session:
        assert fingerprint(session, today) != before
        titles = [
            m.title
            for m in match(session, load_profile(EXAMPLE), include_excluded=True, limit=50).matches
        ]
        titles += [
            m.title
            for m in match(session, load_profile(EXAMPLE), include_excluded=True, limit=50).excluded
        ]
    assert "Renamed Role" in titles


def test_cli_on_an_empty_database_and_bad_limit(
    engine: Engine, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from rolefit.cli import cli
    from rolefit.errors import InputError

    clear_cache()
    monkeypatch.setenv("ROLEFIT_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    empty = runner.invoke(cli, ["match", "--profile", str(EXAMPLE)])
    assert empty.exit_code == 0, empty.output
    assert "No open postings fit Sam Example's hard constraints." in empty.output
    as_json = runner.invoke(cli, ["match", "--profile", str(EXAMPLE), "--json"])
    assert json.loads(as_json.output)["matches"] == []
    bad = runner.invoke(cli, ["match", "--profile", str(EXAMPLE), "--limit", "0"])
    assert isinstance(bad.exception, InputError) and "--limit" in str(bad.exception)


def test_tag_changes_reuse_the_text_index_and_reopenings_rebuild_it(seeded: Engine) -> None:
    from matcher.fit.load import CorpusCache

    cache = CorpusCache()
    today = utcnow().date()
    with session_scope(seeded) as session:
        old = session.exec(select(Posting).where(Posting.title == "Closed Role")).one()
        old.closed_at = utcnow() - timedelta(days=60)  # long closed: never loaded or indexed
    with Session(seeded) as session:
        first = cache.get(session, today)
    with session_scope(seeded) as session:
        untagged = session.exec(select(Posting).where(Posting.title == "Untagged Posting")).one()
        untagged.kind, untagged.track, untagged.tagged_at = "job", "technical", utcnow()
    with Session(seeded) as session:
        second = cache.get(session, today)
    assert second.text is first.text  # only the tags changed: TF-IDF is not refitted
    assert second.fingerprint != first.fingerprint
    retagged = next(f for f in second.corpus.facts if f.title == "Untagged Posting")
    assert retagged.kind == "job" and retagged.phd == 0
    assert "Closed Role" not in [f.title for f in second.corpus.facts]
    with Session(seeded) as session:
        results = match(session, load_profile(EXAMPLE), limit=50)
        row = next(m for m in results.matches if m.title == "Untagged Posting")
        assert row.factors["text"] > 0  # text still lines up with the right posting
    with session_scope(seeded) as session:
        reopened = session.exec(select(Posting).where(Posting.title == "Closed Role")).one()
        reopened.closed_at = None
    with Session(seeded) as session:
        third = cache.get(session, today)
    assert third.text is not second.text  # a posting the index never saw: rebuilt in full
    assert "Closed Role" in [f.title for f in third.corpus.facts]
