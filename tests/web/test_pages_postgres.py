"""The list pages answer the same on PostgreSQL as on SQLite, from the same seeded postings."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from store.db import make_engine
from store.migrate import upgrade
from tests.web.conftest import seed
from web.app import create_app
from web.config import WebConfig

# No full-text search here: the two engines stem words differently (Porter vs PostgreSQL's
# English dictionary), which test_search.py covers term by term.
URLS = [
    "/api/postings",
    "/api/postings?kind=job&kind=phd&remote=remote&remote=hybrid",
    "/api/postings?area=evals&sort=closing&per_page=2&page=2",
    "/api/postings?org_type=frontier-lab&deadline=30&posted=7",
    "/api/deadlines",
    "/api/map",
    "/feeds/postings.csv?track=technical",
]


def _answers(engine: Engine, url: str) -> dict[str, str]:
    seed(engine)
    config = WebConfig(database_url=url, secret_key="k" * 40, index_check_seconds=0)
    client = TestClient(create_app(config, engine=engine))
    out = {}
    for path in URLS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        # Each database was seeded a moment apart: times of day differ, nothing else may.
        out[path] = re.sub(r"(\d{4}-\d\d-\d\d)[T ][\d:.]+(Z|[+-]\d\d:?\d\d)?", r"\1", response.text)
    assert client.get("/postings?kind=job").status_code == 200
    return out


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_list_pages_agree_across_databases(
    engine: Engine, sqlite_url: str, postgres_engine: Engine, postgres_url: str
) -> None:
    on_sqlite = _answers(engine, sqlite_url)
    on_postgres = _answers(postgres_engine, postgres_url)
    for path in URLS:
        assert on_postgres[path] == on_sqlite[path], path
