"""Crawls against a local server playing every platform: fills the database, loses nothing."""

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from crawlers.fetch import make_client
from crawlers.registry import SourceConfig
from crawlers.runner import crawl
from crawlers.settings import CrawlOptions
from store.clock import utcnow
from store.models import CrawlRun, Posting, Source
from tests.crawlers.board_server import BoardServer, Hit, Reply
from tests.crawlers.boards import greenhouse_board, lever_postings
from tests.crawlers.conftest import fixture_bytes

FAST = CrawlOptions(delay_s=0, timeout_s=3, retry_times=1, backoff_base_s=0.05, max_retry_after_s=3)


@pytest.fixture
def board() -> Iterator[BoardServer]:
    with BoardServer() as server:
        yield server


def run(engine: Engine, sources: list[SourceConfig], **options: object):
    opts = CrawlOptions(**{**FAST.to_json(), **options})
    with make_client(opts.user_agent, 3) as client:
        outcomes = crawl(str(engine.url), sources, options=opts, engine=engine, client=client)
    return {o.source_id: o for o in outcomes}


def source(id: str, platform: str, url: str, **extra: object) -> SourceConfig:
    return SourceConfig.model_validate(
        {"id": id, "platform": platform, "url": url, "organisation": "Org " + id, **extra}
    )


def postings(engine: Engine, source_id: str) -> list[Posting]:
    with Session(engine) as session:
        return list(session.exec(select(Posting).where(Posting.source_id == source_id)).all())


def open_ids(engine: Engine, source_id: str) -> set[str]:
    return {p.external_id for p in postings(engine, source_id) if p.closed_at is None}


def source_row(engine: Engine, source_id: str) -> Source:
    with Session(engine) as session:
        row = session.get(Source, source_id)
        assert row is not None
        return row


def _workable_v3(hit: Hit) -> Reply:
    token = json.loads(hit.body or b"{}").get("token")
    name = "workable/v3_page2.json" if token else "workable/v3_page1.json"
    return Reply(body=fixture_bytes(name))


def _algolia(hit: Hit) -> Reply:
    if hit.headers.get("x-algolia-api-key") != "0123456789abcdef0123456789abcdef":
        return Reply(403, b'{"message": "Invalid API key"}')
    page = json.loads(hit.body)["page"]
    return Reply(body=fixture_bytes(f"eightyk/hits_page{page}.json"))


def _lever_pages(hit: Hit) -> Reply:
    everything = lever_postings(150)
    skip = int(hit.path.split("skip=")[1].split("&")[0])
    return Reply(body=json.dumps(everything[skip : skip + 100]).encode())


def serve_every_platform(board: BoardServer) -> list[SourceConfig]:
    """Every format at its real path on the local server; returns the matching sources."""
    board.serve("/v1/boards/examplelab/jobs", fixture_bytes("greenhouse/jobs.json"))
    board.handle("/v0/postings/examplebench", _lever_pages)
    board.serve("/posting-api/job-board/examplefrontier", fixture_bytes("ashby/board.json"))
    board.handle("/api/v3/accounts/exampleinst/jobs", _workable_v3)  # v1 widget 404s
    board.serve(
        "/v1/companies/ExampleCivic/postings?limit=100&offset=0",
        fixture_bytes("smartrecruiters/postings_page1.json"),
    )
    board.serve(
        "/v1/companies/ExampleCivic/postings?limit=100&offset=2",
        fixture_bytes("smartrecruiters/postings_page2.json"),
    )
    board.serve(
        "/v1/companies/ExampleCivic/postings/744000012345678",
        fixture_bytes("smartrecruiters/detail.json"),
    )
    board.serve("/api/offers/", fixture_bytes("recruitee/offers.json"))
    board.serve("/xml", fixture_bytes("personio/feed.xml"), content_type="application/xml")
    board.serve("/jobs.json", fixture_bytes("teamtailor/jobs.json"))
    board.serve("/api/v1/events", fixture_bytes("aisafety/events.json"))
    board.serve("/80k/", fixture_bytes("eightyk/board.html"), content_type="text/html")
    board.handle("/1/indexes/jobs_prod/query", _algolia)
    board.serve("/feed.xml", fixture_bytes("feed/rss.xml"), content_type="application/rss+xml")
    board.serve(
        "/jobs/compute-governance", fixture_bytes("jsonld/graph.html"), content_type="text/html"
    )
    board.serve("/careers/", fixture_bytes("html/careers.html"), content_type="text/html")
    board.serve(
        "/careers/research-manager",
        fixture_bytes("html/research-manager.html"),
        content_type="text/html",
    )
    board.serve(
        "/careers/events-coordinator",
        fixture_bytes("html/events-coordinator.html"),
        content_type="text/html",
    )
    u = board.url
    return [
        source("gh", "greenhouse", f"{u}/v1/boards/examplelab/jobs?content=true"),
        source("lv", "lever", f"{u}/v0/postings/examplebench?mode=json"),
        source(
            "ash", "ashby", f"{u}/posting-api/job-board/examplefrontier?includeCompensation=true"
        ),
        source(
            "wk",
            "workable",
            f"{u}/api/v1/widget/accounts/exampleinst?details=true",
            token="exampleinst",
        ),
        source("sr", "smartrecruiters", f"{u}/v1/companies/ExampleCivic/postings"),
        source("rc", "recruitee", f"{u}/api/offers/"),
        source("pe", "personio", f"{u}/xml?language=en", token="examplerobotics"),
        source("tt", "teamtailor", f"{u}/jobs.json"),
        source("ev", "aisafety", f"{u}/api/v1/events", kind="fellowship"),
        source(
            "ek", "eightyk", f"{u}/1/indexes/jobs_prod/query", options={"key_page": f"{u}/80k/"}
        ),
        source("fd", "feed", f"{u}/feed.xml"),
        source("jl", "jsonld", f"{u}/jobs/compute-governance"),
        source("ht", "html", f"{u}/careers/", selectors={"link": "a.job"}),
    ]


@pytest.mark.slow
def test_every_platform_fills_the_database_and_an_unchanged_board_costs_one_304(engine, board):
    sources = serve_every_platform(board)
    outcomes = run(engine, sources)
    assert {k: o.status for k, o in outcomes.items()} == {s.id: "ok" for s in sources}
    new = {k: o.new + o.linked for k, o in outcomes.items()}
    assert new == {
        "gh": 3, "lv": 150, "ash": 2, "wk": 3, "sr": 3, "rc": 2, "pe": 2, "tt": 2, "ev": 2,
        "ek": 3, "fd": 2, "jl": 1, "ht": 2,
    }  # fmt: skip
    assert outcomes["sr"].errors == 2  # two detail pages 404: noted, listing still complete
    detailed = {p.external_id: p for p in postings(engine, "sr")}["744000012345678"]
    assert "Analyse draft bills" in detailed.description_text
    assert len(board.requests_to("/v0/postings/examplebench")) == 2  # skip=0, skip=100
    assert len(board.requests_to("/api/v3/accounts/exampleinst/jobs")) == 2  # nextPage token
    assert all(h.headers["user-agent"].startswith("rolefit/0.1 (+") for h in board.hits)
    with Session(engine) as session:
        assert session.exec(select(CrawlRun)).all()
        keyless = [h for h in board.hits if "x-algolia-api-key" in h.headers]
        assert (
            keyless and json.dumps(session.get(Source, "ek").config).find("0123456789abcdef") == -1
        )

    before = len(board.hits)
    again = run(engine, sources)
    single = {"gh", "ash", "rc", "pe", "tt", "fd", "jl"}
    assert {k for k, o in again.items() if o.status == "not_modified"} == single
    conditional = [h for h in board.hits[before:] if "if-none-match" in h.headers]
    assert len(conditional) == len(single)
    assert all(o.new == 0 and o.closed == 0 for k, o in again.items() if k != "gh")


@pytest.mark.slow
def test_dropped_postings_close_on_the_second_complete_crawl_and_reopen(engine, board):
    ids = list(range(100, 110))
    path = "/v1/boards/examplelab/jobs"
    board.serve(path, greenhouse_board(ids))
    src = [source("gh", "greenhouse", f"{board.url}{path}?content=true")]
    assert run(engine, src)["gh"].new == 10

    board.serve(path, greenhouse_board(ids[:5]))
    second = run(engine, src)["gh"]
    assert second.status == "ok" and second.closed == 0
    assert len(open_ids(engine, "gh")) == 10
    assert {p.missing_count for p in postings(engine, "gh") if p.external_id in {"105", "109"}} == {
        1
    }

    board.outage = True  # an outage in between is not a "complete crawl without them"
    down = run(engine, src)["gh"]
    assert down.status == "failed" and down.closed == 0 and len(open_ids(engine, "gh")) == 10
    board.outage = False

    third = run(engine, src)["gh"]
    assert third.closed == 5
    assert open_ids(engine, "gh") == {str(i) for i in ids[:5]}
    closed = [p for p in postings(engine, "gh") if p.closed_at is not None]
    assert {p.close_reason for p in closed} == {"missing_from_source"}

    board.serve(path, greenhouse_board(ids))
    fourth = run(engine, src)["gh"]
    assert fourth.reopened == 5 and len(open_ids(engine, "gh")) == 10


@pytest.mark.slow
def test_an_outage_closes_nothing_and_marks_the_source(engine, board):
    path = "/v1/boards/examplelab/jobs"
    board.serve(path, greenhouse_board([1, 2, 3]))
    src = [source("gh", "greenhouse", f"{board.url}{path}?content=true")]
    run(engine, src)
    board.outage = True
    for _ in range(2):
        outcome = run(engine, src)["gh"]
        assert outcome.status == "failed" and outcome.reason == "http_5xx"
    assert open_ids(engine, "gh") == {"1", "2", "3"}
    row = source_row(engine, "gh")
    assert row.error_streak == 2 and row.last_error.startswith("http_5xx: HTTP 503")
    assert row.next_crawl_at > utcnow() + timedelta(minutes=50)  # backoff doubled
    assert row.last_good_count == 3 and row.enabled
    with Session(engine) as session:
        runs = session.exec(select(CrawlRun).order_by(col(CrawlRun.id))).all()
        assert [r.status for r in runs] == ["ok", "failed", "failed"]


@pytest.mark.slow
def test_refused_connections_and_timeouts_are_recorded(engine, board):
    board.serve("/slow", greenhouse_board([1]), delay_s=2.5)
    refused = "http://127.0.0.1:9/v1/boards/x/jobs"  # the discard port: nothing listens
    outcomes = run(
        engine,
        [source("down", "greenhouse", refused), source("slow", "greenhouse", f"{board.url}/slow")],
        timeout_s=1,
        retry_times=0,
    )
    assert (outcomes["down"].status, outcomes["down"].reason) == ("failed", "network")
    assert (outcomes["slow"].status, outcomes["slow"].reason) == ("failed", "timeout")


@pytest.mark.slow
def test_429_with_retry_after_and_500_then_success(engine, board):
    payload = greenhouse_board([7, 8])
    board.sequence(
        "/limited", [Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200, payload)]
    )
    board.sequence("/flaky", [Reply(500, b"oops"), Reply(200, greenhouse_board([17, 18]))])
    board.sequence("/angry", [Reply(429, b"go away", {"Retry-After": "3600"})])
    outcomes = run(
        engine,
        [
            source("limited", "greenhouse", f"{board.url}/limited"),
            source("flaky", "greenhouse", f"{board.url}/flaky"),
            source("angry", "greenhouse", f"{board.url}/angry"),
        ],
    )
    assert outcomes["limited"].status == "ok" and outcomes["limited"].new == 2
    assert outcomes["flaky"].status == "ok" and outcomes["flaky"].new == 2
    limited = board.requests_to("/limited")
    assert len(limited) == 2
    assert limited[1].at - limited[0].at >= 0.9  # Retry-After: 1 was waited out
    assert (outcomes["angry"].status, outcomes["angry"].reason) == ("failed", "rate_limited")
    assert len(board.requests_to("/angry")) == 1  # an hour is not waited out within a crawl


@pytest.mark.slow
def test_robots_disallow_and_size_cap(engine, board):
    board.robots["localhost"] = "User-agent: *\nDisallow: /\n"
    board.serve("/v1/boards/a/jobs", greenhouse_board([1]))
    board.serve("/v1/boards/big/jobs", greenhouse_board(list(range(1, 400))))
    outcomes = run(
        engine,
        [
            source("polite", "greenhouse", f"{board.alt_url}/v1/boards/a/jobs"),
            source("allowed", "greenhouse", f"{board.url}/v1/boards/a/jobs"),
            source("big", "greenhouse", f"{board.url}/v1/boards/big/jobs"),
        ],
        max_bytes=60_000,
    )
    assert (outcomes["polite"].status, outcomes["polite"].reason) == ("failed", "robots_disallowed")
    assert not [h for h in board.hits if h.host.startswith("localhost") and "/boards/" in h.path]
    assert outcomes["allowed"].status == "ok"
    assert (outcomes["big"].status, outcomes["big"].reason) == ("failed", "too_large")


@pytest.mark.slow
def test_malformed_truncated_and_empty_boards_close_nothing(engine, board):
    path = "/v1/boards/examplelab/jobs"
    board.serve(path, greenhouse_board([1, 2, 3, 4]))
    src = [source("gh", "greenhouse", f"{board.url}{path}")]
    run(engine, src)
    for body in (b'{"jobs": [ {"id": 1, "title": "trunc', b"<html>maintenance</html>"):
        board.serve(path, body)
        outcome = run(engine, src)["gh"]
        assert (outcome.status, outcome.reason) == ("failed", "parse_error")
    board.serve(path, b'{"jobs": [], "meta": {"total": 0}}')
    for _ in range(2):
        outcome = run(engine, src)["gh"]
        assert (outcome.status, outcome.reason) == ("suspicious", "zero_results")
    assert open_ids(engine, "gh") == {"1", "2", "3", "4"}
    assert source_row(engine, "gh").error_streak == 4


@pytest.mark.slow
def test_an_empty_board_on_first_sight_is_fine(engine, board):
    board.serve("/posting-api/job-board/quiet", b'{"apiVersion": "1", "jobs": []}')
    outcome = run(engine, [source("quiet", "ashby", f"{board.url}/posting-api/job-board/quiet")])
    assert outcome["quiet"].status == "ok" and outcome["quiet"].new == 0


@pytest.mark.slow
def test_no_network_at_all_records_each_source(engine):
    sources = [
        source("a", "greenhouse", "http://127.0.0.1:9/a"),
        source("k", "eightyk", "http://127.0.0.1:9/q", options={"key_page": "http://127.0.0.1:9/"}),
    ]
    outcomes = run(engine, sources, timeout_s=1, retry_times=0)
    assert {o.status for o in outcomes.values()} == {"failed"}
    assert outcomes["k"].reason == "network"  # the key page could not be read
    assert source_row(engine, "k").last_error.startswith("network: cannot fetch")


@pytest.mark.slow
def test_revalidation_parses_changes_once_and_does_not_hammer_a_429(engine, board):
    path = "/v1/boards/examplelab/jobs"
    board.serve(path, greenhouse_board([1, 2]))
    src = [source("gh", "greenhouse", f"{board.url}{path}")]
    run(engine, src)
    board.serve(path, greenhouse_board([1, 2, 3]))
    before = len(board.requests_to(path))
    changed = run(engine, src)["gh"]
    assert (changed.status, changed.new, changed.unchanged) == ("ok", 1, 2)
    assert len(board.requests_to(path)) == before + 1  # the conditional GET's body was used
    board.sequence(path, [Reply(429, b"slow down", {"Retry-After": "1"})])
    limited = run(engine, src)["gh"]
    assert (limited.status, limited.reason) == ("failed", "rate_limited")
    assert len(board.requests_to(path)) == before + 2
    assert open_ids(engine, "gh") == {"1", "2", "3"}


@pytest.mark.slow
def test_a_crawl_process_that_dies_closes_nothing(engine, board, monkeypatch):
    import sys

    from crawlers import runner

    path = "/v1/boards/examplelab/jobs"
    board.serve(path, greenhouse_board([1, 2]))
    src = [source("gh", "greenhouse", f"{board.url}{path}")]
    run(engine, src)
    board.serve(path, greenhouse_board([3]))
    with Session(engine) as session:  # forget the validators so the crawl process is needed
        row = session.get(Source, "gh")
        row.etag = None
        session.add(row)
        session.commit()
    crash = "import sys; sys.stderr.write('Error: simulated crash\\n'); sys.exit(3)"
    monkeypatch.setattr(runner, "_command", lambda: [sys.executable, "-c", crash])
    for _ in range(2):
        outcome = run(engine, src)["gh"]
        assert (outcome.status, outcome.reason) == ("failed", "crawler_died")
        assert "exited with 3: Error: simulated crash" in outcome.message
    assert open_ids(engine, "gh") == {"1", "2"}
