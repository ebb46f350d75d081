"""The store on SQLite and PostgreSQL: migrations, constraints, upserts that keep history."""

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from store.clock import utcnow
from store.db import make_engine, session_scope
from store.errors import DatabaseUnavailable
from store.ingest import upsert_postings
from store.migrate import alembic_config, current_revision
from store.models import (
    DigestSend,
    Posting,
    PostingChange,
    PostingLink,
    Profile,
    Source,
    Subscription,
)
from store.records import CONTRACT_KEYS, PostingRecord, Salary


def record(external_id: str = "1", **changes: object) -> PostingRecord:
    base: dict[str, object] = {
        "source_format": "greenhouse",
        "external_id": external_id,
        "organisation": "Larkspur Lab",
        "title": "Research Engineer, Interpretability",
        "url": f"https://jobs.example/{external_id}",
        "locations": ["London, UK"],
        "remote": "hybrid",
        "employment_type": "full_time",
        "posted_at": datetime(2026, 11, 1, 9, 0),
        "deadline": date(2027, 1, 15),
        "salary": Salary(min=90000, max=120000, currency="GBP", period="year"),
        "description_text": "Build tools to study model internals.",
        "description_html": "<p>Build tools to study model internals.</p>",
    }
    base.update(changes)
    return PostingRecord.model_validate(base)


def add_source(session: Session, source_id: str = "larkspur") -> Source:
    source = Source(id=source_id, platform="greenhouse", endpoint="larkspur")
    session.add(source)
    session.flush()
    return source


def test_migrations_create_every_table(any_engine: Engine) -> None:
    tables = set(inspect(any_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert current_revision(any_engine) is not None


def test_migrations_match_models(any_engine: Engine) -> None:
    """Autogenerate finds nothing to do: the migrations describe exactly the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with any_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _ours}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert alembic_config(any_engine).get_main_option("script_location")


def _ours(obj: object, name: str, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (type_ == "table" and reflected and compare_to is None)


def test_upsert_new_update_unchanged_keeps_history(any_engine: Engine) -> None:
    with session_scope(any_engine) as session:
        source = add_source(session)
        first = upsert_postings(session=session, source=source, records=[record("1"), record("2")])
        assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    with session_scope(any_engine) as session:
        source = session.get(Source, "larkspur")
        assert source is not None
        again = upsert_postings(
            session=session,
            source=source,
            records=[
                record("1"),
                record("2", title="Senior Research Engineer", deadline=date(2027, 2, 1)),
            ],
        )
        assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    with Session(any_engine) as session:
        changed = session.exec(select(Posting).where(Posting.external_id == "2")).one()
        assert changed.title == "Senior Research Engineer"
        history = session.exec(select(PostingChange)).all()
        assert [(h.old_title, h.old_deadline) for h in history] == [
            ("Research Engineer, Interpretability", date(2027, 1, 15))
        ]
        assert len(session.exec(select(PostingLink)).all()) == 2
        assert changed.first_seen_at.tzinfo is not None


def test_posting_unique_per_source_and_external_id(any_engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        with session_scope(any_engine) as session:
            add_source(session)
            session.add(Posting(source_id="larkspur", external_id="x", title="a"))
            session.add(Posting(source_id="larkspur", external_id="x", title="b"))


def test_foreign_keys_enforced(any_engine: Engine) -> None:
    with pytest.raises(IntegrityError):
        with session_scope(any_engine) as session:
            session.add(Posting(source_id="no-such-source", external_id="x", title="a"))


def test_digest_send_unique_per_period(any_engine: Engine) -> None:
    with session_scope(any_engine) as session:
        profile = Profile(name="p")
        session.add(profile)
        session.flush()
        assert profile.id is not None
        sub = Subscription(profile_id=profile.id, email="a@example.org")
        session.add(sub)
        session.flush()
        assert sub.id is not None
        session.add(DigestSend(subscription_id=sub.id, period_key="2026-W48"))
    with pytest.raises(IntegrityError):
        with session_scope(any_engine) as session:
            session.add(DigestSend(subscription_id=sub.id, period_key="2026-W48"))


def test_sqlite_pragmas(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_bad_database_urls_raise_one_line_errors() -> None:
    with pytest.raises(DatabaseUnavailable):
        make_engine("not a url")
    from store.db import check_connection

    with pytest.raises(DatabaseUnavailable) as info:
        check_connection(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    assert "\n" not in str(info.value)


def test_record_contract_keys_and_validation() -> None:
    rec = PostingRecord.model_validate({**record("7").contract_dict(), "external_id": 7})
    assert list(rec.contract_dict()) == list(CONTRACT_KEYS)
    assert rec.contract_dict()["external_id"] == "7"
    with pytest.raises(ValueError):
        record("8", remote="sometimes")
    with pytest.raises(ValueError):
        record("9", title="   ")


def test_utcnow_is_aware() -> None:
    assert utcnow().tzinfo is not None


def test_database_folder_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseUnavailable, match="is a file, not a folder"):
        make_engine(f"sqlite:///{blocker / 'rolefit.db'}")
