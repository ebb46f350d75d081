"""Security: one person cannot see or change another's rows; CSRF; cookies; rate limits."""

import re
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from store.models import ApiToken, Profile, Subscription
from tests.web.accounts_helpers import Inbox, csrf_from, person
from web.app import create_app
from web.config import WebConfig
from web.ratelimit import RateLimiter, SignInLimits

pytest_plugins = ["tests.web.conftest_accounts"]


def _alice_rows(alice: TestClient) -> dict[str, int]:
    """Alice makes a profile, a subscription and a token; returns their ids."""
    profile = alice.post("/api/profiles", json={"name": "Alice", "areas": ["evals"]}).json()
    sub = alice.post(
        "/api/subscriptions", json={"profile_id": profile["id"], "email": "alice@example.org"}
    ).json()
    alice.post("/account/tokens", data={"name": "a", "csrf_token": csrf_from(alice, "/account")})
    token = alice.get("/api/tokens").json()[0]
    return {"profile": profile["id"], "subscription": sub["id"], "token": token["id"]}


def _snapshot(engine: Engine) -> list[Any]:
    with Session(engine) as session:
        rows: list[Any] = []
        for model in (Profile, Subscription, ApiToken):
            rows += [r.model_dump() for r in session.exec(select(model)).all()]
        return rows


def test_nobody_reads_or_changes_anothers_rows_by_guessing_ids(
    multi_app: FastAPI, inbox: Inbox, engine: Engine, seeded: dict[str, int]
) -> None:
    alice = person(multi_app, inbox, "alice@example.org")
    bob = person(multi_app, inbox, "bob@example.org")
    ids = _alice_rows(alice)
    p, s, t = ids["profile"], ids["subscription"], ids["token"]
    before = _snapshot(engine)
    csrf = csrf_from(bob, "/account")
    form = {"csrf_token": csrf, "name": "Hijacked", "email": "bob@example.org"}
    html_attempts = [
        ("GET", f"/profiles/{p}", None),
        ("GET", f"/profiles/{p}/matches", None),
        ("GET", f"/profiles/{p}/digest", None),
        ("POST", f"/profiles/{p}", form),
        ("POST", f"/profiles/{p}/delete", form),
        ("POST", f"/profiles/{p}/digest", {**form, "frequency": "daily"}),
        ("POST", f"/subscriptions/{s}/unsubscribe", form),
        ("POST", f"/account/tokens/{t}/revoke", form),
    ]
    for method, path, data in html_attempts:
        answer = bob.request(method, path, data=data, follow_redirects=False)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert "Alice" not in answer.text
    json_attempts = [
        ("GET", f"/api/profiles/{p}", None),
        ("PUT", f"/api/profiles/{p}", {"name": "Hijacked"}),
        ("DELETE", f"/api/profiles/{p}", None),
        ("GET", f"/api/profiles/{p}/matches", None),
        ("GET", f"/api/subscriptions/{s}", None),
        ("DELETE", f"/api/subscriptions/{s}", None),
        ("POST", "/api/subscriptions", {"profile_id": p, "email": "bob@example.org"}),
        ("GET", f"/api/match?profile={p}", None),  # the matcher's API keeps owners too
    ]
    for method, path, body in json_attempts:
        answer = bob.request(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert "Alice" not in answer.text
    # A guessed id that exists looks exactly like one that does not.
    assert bob.get(f"/api/profiles/{p}").json() == bob.get("/api/profiles/999999").json()
    assert bob.get("/api/profiles").json() == []
    assert bob.get("/api/subscriptions").json() == []
    assert "Alice" not in bob.get("/account").text
    assert _snapshot(engine) == before
    assert alice.get(f"/api/profiles/{p}").json()["name"] == "Alice"


def test_api_token_reaches_only_its_owners_rows(
    multi_app: FastAPI, inbox: Inbox, engine: Engine
) -> None:
    alice = person(multi_app, inbox, "alice@example.org")
    bob = person(multi_app, inbox, "bob@example.org")
    p = _alice_rows(alice)["profile"]
    made = bob.post("/account/tokens", data={"name": "b", "csrf_token": csrf_from(bob, "/account")})
    token = made.text.split('id="new-token" class="token" readonly value="')[1].split('"')[0]
    script = TestClient(multi_app)
    headers = {"Authorization": f"Bearer {token}"}
    assert script.get(f"/api/profiles/{p}", headers=headers).status_code == 404
    assert script.put(f"/api/profiles/{p}", json={"name": "x"}, headers=headers).status_code == 404
    assert script.get("/api/profiles", headers=headers).json() == []


def test_anonymous_requests_get_nothing(multi_app: FastAPI, inbox: Inbox) -> None:
    alice = person(multi_app, inbox, "alice@example.org")
    p = _alice_rows(alice)["profile"]
    nobody = TestClient(multi_app)
    assert nobody.get(f"/api/profiles/{p}").status_code == 401
    assert nobody.get("/api/subscriptions").status_code == 401
    answer = nobody.get(f"/profiles/{p}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=")


@pytest.mark.parametrize(
    ("headers", "data", "expected"),
    [
        ({}, {}, 403),  # no token
        ({}, {"csrf_token": "x" * 43}, 403),  # a wrong token
        ({"Origin": "https://evil.example"}, "GOOD", 403),  # right token, foreign page
        ({"Origin": "http://testserver"}, "GOOD", 303),
        ({}, "GOOD", 303),
        ({"X-CSRF-Token": "GOOD"}, {}, 303),  # the header works too (for scripts on the page)
    ],
)
def test_forms_need_the_sessions_csrf_token(
    client: TestClient, headers: dict[str, str], data: Any, expected: int
) -> None:
    good = csrf_from(client, "/profiles/new")
    form = {"name": "Csrf"} | ({"csrf_token": good} if data == "GOOD" else data)
    headers = {k: (good if v == "GOOD" else v) for k, v in headers.items()}
    answer = client.post("/profiles/new", data=form, headers=headers, follow_redirects=False)
    assert answer.status_code == expected
    if expected == 403:
        assert "reload the page" in answer.text or "cross-site" in answer.text


def test_a_token_from_another_session_does_not_work(app: FastAPI, seeded: Any) -> None:
    one, two = TestClient(app), TestClient(app)
    stolen = csrf_from(one, "/profiles/new")
    csrf_from(two, "/profiles/new")
    answer = two.post("/profiles/new", data={"name": "x", "csrf_token": stolen})
    assert answer.status_code == 403


def test_json_lookalike_form_posts_are_refused(client: TestClient) -> None:
    # A cross-site <form enctype="text/plain"> can send a JSON-looking body: it needs the token.
    body = '{"name": "Forged", "x": "="}'
    answer = client.post("/api/profiles", content=body, headers={"Content-Type": "text/plain"})
    assert answer.status_code == 403
    assert client.get("/api/profiles").json() == []


def test_multipart_forms_are_checked_too(client: TestClient) -> None:
    good = csrf_from(client, "/profiles/new")
    ok = client.post(
        "/profiles/new",
        files={"name": (None, "Multi"), "csrf_token": (None, good)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    bad = client.post("/profiles/new", files={"name": (None, "Multi")})
    assert bad.status_code == 403


def test_unsubscribe_links_need_no_session(client: TestClient) -> None:
    # RFC 8058 one-click unsubscribe POSTs come from mail providers: the signed link is enough.
    answer = client.post("/unsubscribe/not-a-real-token", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code != 403


def test_session_cookie_flags(client: TestClient, web_config: WebConfig, engine: Engine) -> None:
    cookie = client.get("/account").headers["set-cookie"].lower()
    assert "rolefit_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie
    https = create_app(replace(web_config, public_url="https://jobs.example.org"), engine=engine)
    cookie = TestClient(https).get("/account").headers["set-cookie"].lower()
    assert "; secure" in cookie


def test_a_tampered_session_cookie_is_ignored(multi_app: FastAPI, inbox: Inbox) -> None:
    alice = person(multi_app, inbox, "alice@example.org")
    value = alice.cookies["rolefit_session"]
    forged = TestClient(multi_app)
    forged.cookies.set("rolefit_session", value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB"))
    assert forged.get("/api/me").json() == {"signed_in": False}


def test_rate_limiter_window_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=2, window_s=10, clock=lambda: now[0])
    assert limiter.hit("k") is None and limiter.hit("k") is None
    assert limiter.hit("k") == pytest.approx(10)
    assert limiter.hit("other") is None  # keys are independent
    now[0] = 9.5
    assert limiter.hit("k") == pytest.approx(0.5)
    now[0] = 10.0
    assert limiter.hit("k") is None


def test_rate_limiter_memory_is_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=1, window_s=10, clock=lambda: now[0], max_keys=100)
    for i in range(1000):
        limiter.hit(f"k{i}")
    assert len(limiter._hits) <= 100


def test_sign_in_limits_are_per_ip_and_per_email() -> None:
    now = [0.0]
    limits = SignInLimits(limit=2, window_s=60, clock=lambda: now[0])
    assert limits.check("1.1.1.1", "a@x.org") is None
    assert limits.check("2.2.2.2", "A@x.org ") is None  # same address, other case
    assert limits.check("3.3.3.3", "a@x.org") is not None  # per email
    assert limits.check("4.4.4.4", "b@x.org") is None
    assert limits.check("4.4.4.4", "c@x.org") is None
    assert limits.check("4.4.4.4", "d@x.org") is not None  # per IP


def _post_paths(routes: Any) -> set[str]:
    """Paths of every POST route, looking inside included routers."""
    found: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found |= _post_paths(inner.routes)
        elif "POST" in (getattr(route, "methods", None) or ()):
            found.add(route.path)
    return found


def test_every_form_post_route_needs_the_csrf_token(app: FastAPI, client: TestClient) -> None:
    posts = sorted(_post_paths(app.routes))
    assert "/profiles/new" in posts and "/postings/{posting_id}/labels" in posts
    checked = 0
    for path in posts:
        url = re.sub(r"\{[^}]+\}", "1", path)
        answer = client.post(url, data={"name": "x", "email": "a@example.org"})
        if path.startswith("/unsubscribe/"):
            assert answer.status_code != 403  # the signed token is the proof (see web.security)
            continue
        assert answer.status_code == 403, (path, answer.status_code)
        checked += 1
    assert checked >= 10
