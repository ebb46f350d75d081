"""Liveness checks close a posting only after two bad answers on separate runs."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session, select

from crawlers.liveness import check_open_postings, page_verdict
from store.models import Posting, Source

NOW = datetime(2026, 2, 1, 9, tzinfo=UTC)
PAGES = {
    "/gone": (404, ""),
    "/banner": (200, "<p>This position is no longer accepting applications.</p>"),
    "/fine": (200, "<h1>Research Engineer</h1><p>Apply below.</p>"),
    "/flaky": (503, "busy"),
}


def transport() -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        status, text = PAGES[request.url.path]
        return httpx.Response(status, text=text)

    return httpx.MockTransport(handler)


def test_page_verdicts():
    assert page_verdict(410, "") == "page_gone"
    assert page_verdict(200, "Sorry, this job has expired.") == "closed_banner"
    assert page_verdict(200, "We are hiring") == "alive"
    assert page_verdict(500, "") is None and page_verdict(429, "") is None


def test_two_strikes_on_separate_runs_close(engine):
    with Session(engine) as session:
        session.add(Source(id="s", platform="html"))
        session.flush()
        for n, path in enumerate(PAGES):
            session.add(
                Posting(
                    source_id="s",
                    external_id=str(n),
                    title=path,
                    url=f"https://jobs.example.org{path}",
                )
            )
        session.commit()
        with httpx.Client(transport=transport()) as client:
            first = check_open_postings(session, client, NOW, delay_s=0)
            assert first == {
                "checked": 4,
                "alive": 1,
                "suspect": 2,
                "closed": 0,
                "errors": 1,
                "skipped": 0,
            }
            soon = check_open_postings(session, client, NOW + timedelta(hours=1), delay_s=0)
            assert soon["checked"] == 0  # checked within a day: not again yet
            later = check_open_postings(session, client, NOW + timedelta(days=2), delay_s=0)
            assert later["closed"] == 2
        reasons = {p.title: p.close_reason for p in session.exec(select(Posting)).all()}
        assert reasons == {
            "/gone": "page_gone",
            "/banner": "closed_banner",
            "/fine": None,
            "/flaky": None,
        }


def _open_postings(session, urls):
    session.add(Source(id="s", platform="html"))
    session.flush()
    for n, url in enumerate(urls):
        session.add(Posting(source_id="s", external_id=str(n), title=url, url=url))
    session.commit()


def test_an_unreachable_host_is_asked_once_per_run(engine):
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "down.example.org" and request.url.path != "/robots.txt":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(404 if request.url.path == "/robots.txt" else 200, text="open")

    urls = [f"https://down.example.org/job/{n}" for n in range(5)] + ["https://up.example.org/1"]
    with Session(engine) as session:
        _open_postings(session, urls)
        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            counts = check_open_postings(session, client, NOW, delay_s=0)
        assert counts["errors"] == 1 and counts["skipped"] == 4 and counts["alive"] == 1
        assert sum("down.example.org/job" in url for url in asked) == 1
        assert all(p.closed_at is None for p in session.exec(select(Posting)))


def test_should_stop_ends_the_batch_early(engine):
    with Session(engine) as session:
        _open_postings(session, [f"https://jobs.example.org/{n}" for n in range(5)])
        calls = iter([False, False, True])
        with httpx.Client(transport=transport_ok()) as client:
            counts = check_open_postings(
                session, client, NOW, delay_s=0, should_stop=lambda: next(calls, True)
            )
        assert counts["checked"] == 2


def transport_ok() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, text="open"))
