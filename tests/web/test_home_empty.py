"""A site with no postings yet says why: which sources failed, and with what error."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from store.clock import utcnow
from store.db import session_scope
from store.models import Source


def test_empty_home_page_lists_failed_sources(app: FastAPI, engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(
            Source(
                id="larkspur",
                platform="greenhouse",
                last_attempt_at=utcnow(),
                last_error="network: DNS lookup failed for boards.example",
                error_streak=2,
            )
        )
        session.add(Source(id="fresh", platform="lever"))
    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "No openings yet" in page.text
    assert "1 of 2 sources without postings failed on their last crawl" in page.text
    assert "DNS lookup failed for boards.example" in page.text
    assert 'class="facets"' not in page.text


def test_empty_home_page_before_any_crawl(app: FastAPI, engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(Source(id="fresh", platform="lever"))
    with TestClient(app) as client:
        page = client.get("/")
    assert "1 source has not been crawled yet" in page.text


def test_filtered_empty_page_keeps_facets_and_hides_source_errors(
    app: FastAPI, engine: Engine
) -> None:
    with session_scope(engine) as session:
        session.add(Source(id="bad", platform="lever", last_error="boom", error_streak=1))
    with TestClient(app) as client:
        page = client.get("/postings?kind=grant")
    assert "No openings match" in page.text
    assert "boom" not in page.text


def test_impossible_ids_are_not_found_not_server_errors(app: FastAPI) -> None:
    huge = "99999999999999999999999"
    with TestClient(app) as client:
        for path in (f"/postings/{huge}", f"/api/postings/{huge}", f"/api/match?profile={huge}"):
            assert client.get(path).status_code == 404, path
