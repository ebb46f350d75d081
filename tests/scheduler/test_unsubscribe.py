"""Unsubscribe links: signed, no sign-in, once, and only for their own subscription."""

import warnings
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from scheduler.config import SchedulerConfig
from scheduler.sending import send_due_digests
from scheduler.subscriptions import create_subscription
from scheduler.tokens import make_token
from store.db import session_scope
from store.models import Subscription
from tests.scheduler.conftest import NOW, SECRET, add_postings, fake_ranker
from tests.scheduler.smtp import Recorder
from web.config import WebConfig
from web.routes.unsubscribe import router

with warnings.catch_warnings():
    # starlette announces a rename of its httpx dependency on import; not ours to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def app_for(engine: Engine) -> TestClient:
    app = FastAPI()
    app.state.engine = engine
    app.state.config = WebConfig(database_url=str(engine.url), secret_key=SECRET)
    app.include_router(router)
    return TestClient(app)


def make_subs(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        a = create_subscription(
            session, profile_doc={"name": "A"}, email="a@example.org", frequency="daily"
        )
        b = create_subscription(
            session, profile_doc={"name": "B"}, email="b@example.org", frequency="daily"
        )
        return a.id or 0, b.id or 0


def active(engine: Engine, sub_id: int) -> bool:
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub is not None
        return sub.active


def test_link_from_the_email_unsubscribes_with_one_click(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    a, b = make_subs(engine)
    add_postings(engine, [{"title": "Research Engineer"}])
    send_due_digests(engine, config, ranker=fake_ranker, now=NOW)
    [message] = smtp[1].to("a@example.org")
    url = message["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("https://rolefit.test")
    client = app_for(engine)
    page = client.get(path)  # GET only asks: mail scanners prefetch links
    assert page.status_code == 200 and "<form" in page.text and active(engine, a)
    done = client.post(
        path,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "Unsubscribed" in done.text
    assert not active(engine, a) and active(engine, b)
    again = client.post(path)
    assert again.status_code == 200 and "Already unsubscribed" in again.text
    assert "Already unsubscribed" in client.get(path).text
    with Session(engine) as session:
        sub = session.get(Subscription, a)
        assert sub is not None and sub.unsubscribed_at is not None
    # unsubscribed: the next digest run sends nothing more to a
    add_postings(engine, [{"title": "Evals Lead"}], seen=NOW.replace(day=30, hour=12))
    send_due_digests(engine, config, ranker=fake_ranker, now=NOW + timedelta(days=1))
    assert len(smtp[1].to("a@example.org")) == 1 and len(smtp[1].to("b@example.org")) == 2


def test_forged_tampered_or_mismatched_tokens_change_nothing(engine: Engine) -> None:
    a, b = make_subs(engine)
    client = app_for(engine)
    good = make_token(SECRET, a, "a@example.org")
    forged = make_token("another-secret", a, "a@example.org")
    wrong_address = make_token(SECRET, b, "a@example.org")  # b's id, a's address
    missing = make_token(SECRET, 999, "a@example.org")
    for token in (forged, good[:-3] + "xyz", wrong_address, missing, "garbage"):
        assert client.post(f"/unsubscribe/{token}").status_code == 400
        assert client.get(f"/unsubscribe/{token}").status_code == 400
    assert active(engine, a) and active(engine, b)
    assert client.post(f"/unsubscribe/{good}").status_code == 200
    assert not active(engine, a) and active(engine, b)


def test_works_inside_the_real_app_without_sign_in_or_csrf_token(engine: Engine) -> None:
    from web.app import create_app

    a, b = make_subs(engine)
    app = create_app(
        WebConfig(database_url=str(engine.url), secret_key=SECRET, smtp_url="smtp://127.0.0.1:9"),
        engine=engine,
    )
    if not any(getattr(r, "path", "") == "/unsubscribe/{token}" for r in app.routes):
        app.include_router(router)  # until create_app includes it
    token = make_token(SECRET, a, "a@example.org")
    with TestClient(app) as client:
        page = client.get(f"/unsubscribe/{token}")
        assert page.status_code == 200 and "<form" in page.text
        done = client.post(f"/unsubscribe/{token}", content="List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert done.status_code == 200, done.text
    assert not active(engine, a) and active(engine, b)


def test_pages_render_styled_under_the_site_csp(engine: Engine) -> None:
    """Every state of the page: site layout, own stylesheets, no inline style the CSP would block."""
    from web.app import create_app

    a, _ = make_subs(engine)
    app = create_app(WebConfig(database_url=str(engine.url), secret_key=SECRET), engine=engine)
    token = make_token(SECRET, a, "a@example.org")
    with TestClient(app) as client:
        pages = [
            client.get(f"/unsubscribe/{token}"),
            client.post(f"/unsubscribe/{token}"),
            client.post(f"/unsubscribe/{token}"),
            client.get(f"/unsubscribe/{token}x"),
        ]
        for page in pages:
            csp = page.headers["content-security-policy"]
            assert "style-src 'self'" in csp and "unsafe-inline" not in csp
            assert "style=" not in page.text and "<style" not in page.text
            assert 'href="/static/site.css"' in page.text and 'class="site"' in page.text
            assert client.get("/static/accounts.css").status_code == 200
        assert [p.status_code for p in pages] == [200, 200, 200, 400]
        assert "Stop sending the daily rolefit digest" in pages[0].text
        assert "will get no more" in pages[1].text and "Already unsubscribed" in pages[2].text
        assert "Link not valid" in pages[3].text
