"""Shared fixtures: a clean environment, temp SQLite and PostgreSQL databases, settings."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from rolefit.settings import Settings
from store.db import make_engine
from store.migrate import upgrade
from tests.support.postgres import postgres_server


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ROLEFIT_* from the developer's shell leaks into a test; data goes to a temp folder."""
    for name in list(os.environ):
        if name.startswith("ROLEFIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ROLEFIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a temp data folder."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of an empty SQLite file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated SQLite database."""
    eng = make_engine(sqlite_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the whole test session (skips/fails when missing, see support)."""
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Engine]:
    """The same test on a migrated SQLite database and on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        eng = make_engine(sqlite_url)
    else:
        base = request.getfixturevalue("postgres_url")
        eng = make_engine(base)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(eng)
    yield eng
    eng.dispose()
