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
