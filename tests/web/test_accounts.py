"""Accounts: magic-link sign-in, sessions, local mode, profiles, matches, digests, tokens, labels."""

import hashlib
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from matcher.profile import load_profile
from store.models import ApiToken, Label, Posting, Profile, Subscription, UsedLoginToken, User
from tests.web.accounts_helpers import CSRF_RE, Inbox, csrf_from, person
from web.accounts import profile_form

pytest_plugins = ["tests.web.conftest_accounts"]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile.toml"


def _rows(engine: Engine, model: Any) -> list[Any]:
    with Session(engine) as session:
        return list(session.exec(select(model)).all())


def _normal(document: dict[str, Any]) -> dict[str, Any]:
    """What the form cannot keep: the order of ticked boxes, whitespace around the bio."""
    out = dict(document)
    for name in ("kinds", "tracks", "areas"):
        out[name] = sorted(out[name])
    out["bio"] = out["bio"].strip()
    return out


def _example_form() -> dict[str, Any]:
    doc = load_profile(EXAMPLE).model_dump(mode="json")
    values = profile_form.document_to_form(doc)
    form: dict[str, Any] = {k: v for k, v in values.items() if v not in ("", False, [])}
    form["remote_ok"] = "1" if values["remote_ok"] else ""
    form["hybrid_ok"] = "1" if values["hybrid_ok"] else ""
    return form


# --- magic-link sign-in ---------------------------------------------------------------------


def test_magic_link_signs_in_once_and_creates_the_user(
    multi_app: FastAPI, inbox: Inbox, engine: Engine, seeded: dict[str, int]
) -> None:
    client = TestClient(multi_app)
    assert client.get("/api/me").json() == {"signed_in": False}
    token = csrf_from(client)
    sent = client.post("/signin", data={"email": " Ada@Example.org ", "csrf_token": token})
    assert sent.status_code == 200 and "ada@example.org" in sent.text
    mail = inbox.messages[-1]
    assert mail["To"] == "ada@example.org" and "sign-in" in mail["Subject"]
    link = inbox.last_link()
    assert link.startswith("http://testserver/signin/verify?token=")
    assert _rows(engine, User) == []  # nothing is created before the link is used

    sign_in_page = client.get(link.removeprefix("http://testserver"))
    assert "Sign in to rolefit as" in sign_in_page.text
    assert _rows(engine, User) == []  # a GET (a mail scanner) does not spend the link
    form = {
        "csrf_token": CSRF_RE.findall(sign_in_page.text)[0],
        "token": link.split("token=")[1],
    }
    done = client.post("/signin/verify", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/account"
    me = client.get("/api/me").json()
    assert me["signed_in"] and me["email"] == "ada@example.org" and me["via"] == "session"
    users = _rows(engine, User)
    assert [u.email for u in users] == ["ada@example.org"] and users[0].last_login_at
    assert len(_rows(engine, UsedLoginToken)) == 1

    old_csrf = form["csrf_token"]
    assert client.post("/signin/verify", data=form).status_code == 403  # the token rotated
    form["csrf_token"] = csrf_from(client, "/account")
    assert form["csrf_token"] != old_csrf
    again = client.post("/signin/verify", data=form)
    assert again.status_code == 400 and "used already" in again.text
    other = TestClient(multi_app)
    assert "used already" in other.get(link.removeprefix("http://testserver")).text


def test_expired_and_forged_links_are_refused(
    multi_app: FastAPI, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(multi_app)
    client.post("/signin", data={"email": "bo@example.org", "csrf_token": csrf_from(client)})
    path = inbox.last_link().removeprefix("http://testserver")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert "not valid" in client.get(forged).text
    assert client.get("/signin/verify?token=").status_code == 400
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() + 16 * 60)
    expired = client.get(path)
    assert expired.status_code == 400 and "expired" in expired.text


def test_link_returns_to_a_local_page_only(multi_app: FastAPI, inbox: Inbox) -> None:
    client = TestClient(multi_app)
    anonymous = client.get("/profiles/new", follow_redirects=False)
    assert anonymous.headers["location"] == "/signin?next=%2Fprofiles%2Fnew"
    for next_url, expected in [
        ("/profiles/new", "/profiles/new"),
        ("//evil.example", "/account"),
        ("https://evil.example/", "/account"),
    ]:
        client.cookies.clear()
        data = {"email": "cy@example.org", "next": next_url, "csrf_token": csrf_from(client)}
        client.post("/signin", data=data)
        confirm = client.get(inbox.last_link().removeprefix("http://testserver"))
        form = {
            "csrf_token": CSRF_RE.findall(confirm.text)[0],
            "token": re.findall(r'name="token" value="([^"]+)"', confirm.text)[0],
        }
        done = client.post("/signin/verify", data=form, follow_redirects=False)
        assert done.headers["location"] == expected


def test_sign_in_rejects_bad_addresses_and_is_rate_limited(
    multi_app: FastAPI, inbox: Inbox
) -> None:
    client = TestClient(multi_app)
    token = csrf_from(client)
    bad = client.post("/signin", data={"email": "not an address", "csrf_token": token})
    assert bad.status_code == 422 and "email address" in bad.text
    statuses = [
        client.post("/signin", data={"email": "dee@example.org", "csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert len(inbox.messages) == 5
    # Per IP too: a sixth different address from the same client is refused.
    refused = client.post("/signin", data={"email": "eve@example.org", "csrf_token": token})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many sign-in requests" in refused.text


def test_mail_failure_is_a_clear_message(multi_config: Any, engine: Engine) -> None:
    from dataclasses import replace

    from tests.web.accounts_helpers import free_port
    from web.app import create_app

    app = create_app(replace(multi_config, smtp_url=f"smtp://127.0.0.1:{free_port()}"), engine)
    client = TestClient(app)
    answer = client.post(
        "/signin", data={"email": "f@example.org", "csrf_token": csrf_from(client)}
    )
    assert answer.status_code == 503 and "could not be sent" in answer.text


def test_sign_out_ends_the_session(multi_app: FastAPI, inbox: Inbox) -> None:
    client = person(multi_app, inbox, "gus@example.org")
    assert client.get("/account").status_code == 200
    token = csrf_from(client, "/account")
    assert (
        client.post("/signout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/api/profiles").status_code == 401


def test_single_user_local_mode(client: TestClient, engine: Engine) -> None:
    assert "single-user local mode" in client.get("/signin").text
    page = client.get("/account")
    assert page.status_code == 200 and "local@localhost" in page.text
    assert client.get("/api/me").json()["via"] == "local"
    assert [u.email for u in _rows(engine, User)] == ["local@localhost"]


# --- profile, matches, digest ---------------------------------------------------------------


def test_profile_form_round_trips_the_example_profile() -> None:
    original = load_profile(EXAMPLE).model_dump(mode="json")
    form = {k: [v] if isinstance(v, str) else v for k, v in _example_form().items()}
    rebuilt = profile_form.form_to_document({k: v for k, v in form.items() if v != [""]})
    assert _normal(load_profile(EXAMPLE).model_validate(rebuilt).model_dump(mode="json")) == (
        _normal(original)
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("style_strength", "2", "style.strength: must be at most 1"),
        ("experience_years", "four", "experience_years: must be a number"),
        ("within_days", "1.5", "within_days: must be a whole number"),
        ("kinds", "janitor", "kinds: 'janitor' is not one of"),
        ("name", "   ", "name"),
    ],
)
def test_invalid_profile_form_names_the_field_and_saves_nothing(
    client: TestClient, engine: Engine, field: str, value: str, message: str
) -> None:
    form = {**_example_form(), field: value, "csrf_token": csrf_from(client, "/profiles/new")}
    answer = client.post("/profiles/new", data=form)
    assert answer.status_code == 422
    assert message in answer.text.replace("&#39;", "'")
    assert 'value="Sam Example"' in answer.text or field == "name"  # typed values come back
    assert _rows(engine, Profile) == []


def _current_menu_item(html: str) -> str:
    menu = html.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    current = re.findall(r'aria-current="page">([^<]+)</a>', menu)
    assert len(current) == 1, current
    return current[0]


def test_profile_is_saved_shown_and_matched(client: TestClient, engine: Engine) -> None:
    token = csrf_from(client, "/profiles/new")
    saved = client.post(
        "/profiles/new", data={**_example_form(), "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303
    profile = _rows(engine, Profile)[0]
    assert _normal(profile.document) == _normal(load_profile(EXAMPLE).model_dump(mode="json"))
    assert (
        client.get("/profile", follow_redirects=False).headers["location"]
        == f"/profiles/{profile.id}"
    )
    page = client.get(saved.headers["location"])
    assert "Saved." in page.text and 'value="Sam Example"' in page.text
    assert 'value="interpretability" checked' in page.text
    assert _current_menu_item(page.text) == "My profile"

    matches = client.get(f"/profiles/{profile.id}/matches")
    assert matches.status_code == 200
    assert _current_menu_item(matches.text) == "My matches"
    assert "Research Engineer, Interpretability" in matches.text
    assert '<ul class="reasons"><li>' in matches.text  # the matcher's reasons are shown
    data = client.get(f"/api/profiles/{profile.id}/matches?limit=3").json()
    assert data["profile_id"] == profile.id and len(data["matches"]) <= 3
    assert all(m["reasons"] for m in data["matches"])
    first = data["matches"][0]["title"]
    assert first in matches.text


def test_profile_json_api(client: TestClient, engine: Engine) -> None:
    document = load_profile(EXAMPLE).model_dump(mode="json")
    created = client.post("/api/profiles", json=document)
    assert created.status_code == 201
    pid = created.json()["id"]
    bad = client.put(f"/api/profiles/{pid}", json={**document, "kinds": ["nope"]})
    assert bad.status_code == 400 and "kinds[0]" in bad.json()["detail"]
    changed = client.put(f"/api/profiles/{pid}", json={**document, "name": "Renamed"})
    assert changed.json()["name"] == "Renamed"
    assert [p["name"] for p in client.get("/api/profiles").json()] == ["Renamed"]
    assert client.delete(f"/api/profiles/{pid}").status_code == 204
    assert client.get(f"/api/profiles/{pid}").status_code == 404


def test_digest_subscribe_and_unsubscribe(client: TestClient, engine: Engine) -> None:
    pid = client.post("/api/profiles", json={"name": "Digest person"}).json()["id"]
    token = csrf_from(client, f"/profiles/{pid}/digest")
    bad = client.post(
        f"/profiles/{pid}/digest", data={"email": "nope", "frequency": "daily", "csrf_token": token}
    )
    assert bad.status_code == 422 and "Not an email address" in bad.text
    for field, value in (("min_score", "nan"), ("min_matches", "two")):
        odd = client.post(
            f"/profiles/{pid}/digest",
            data={"email": "me@example.org", field: value, "csrf_token": token},
        )
        assert odd.status_code == 422 and "must be numbers" in odd.text
    done = client.post(
        f"/profiles/{pid}/digest",
        follow_redirects=False,
        data={
            "email": "me@example.org",
            "frequency": "daily",
            "min_score": "0.3",
            "min_matches": "2",
            "csrf_token": token,
        },
    )
    assert done.status_code == 303
    [row] = _rows(engine, Subscription)
    assert (
        row.profile_id,
        row.email,
        row.frequency,
        row.min_score,
        row.min_matches,
        row.active,
    ) == (pid, "me@example.org", "daily", 0.3, 2, True)
    assert row.user_id is not None
    page = client.get(f"/profiles/{pid}/digest").text
    assert "Active: a <strong>daily</strong>" in page and "a fit of 30% or more" in page
    assert "No mail server is configured" in page  # the test app has no SMTP: say nothing is sent
    client.post(f"/subscriptions/{row.id}/unsubscribe", data={"csrf_token": token})
    [row] = _rows(engine, Subscription)
    assert not row.active and row.unsubscribed_at is not None
    api = client.post("/api/subscriptions", json={"profile_id": pid, "email": "me@example.org"})
    assert api.status_code == 201 and api.json()["active"]
    assert client.delete(f"/api/subscriptions/{api.json()['id']}").json()["active"] is False


def test_digest_min_score_is_a_fraction_not_a_percentage(
    client: TestClient, engine: Engine
) -> None:
    pid = client.post("/api/profiles", json={"name": "Percent person"}).json()["id"]
    token = csrf_from(client, f"/profiles/{pid}/digest")
    assert "a fit of 40% is 0.4" in client.get(f"/profiles/{pid}/digest").text
    form = {"email": "me@example.org", "min_score": "48", "csrf_token": token}
    page = client.post(f"/profiles/{pid}/digest", data=form)
    assert page.status_code == 422 and "Min-score must be between 0 and 1, not 48" in page.text
    api = client.post(
        "/api/subscriptions", json={"profile_id": pid, "email": "me@example.org", "min_score": 48}
    )
    assert api.status_code == 422
    assert _rows(engine, Subscription) == []


# --- API tokens -----------------------------------------------------------------------------


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(
    client: TestClient, app: FastAPI, engine: Engine
) -> None:
    csrf = csrf_from(client, "/account/tokens")
    created = client.post("/account/tokens", data={"name": "laptop", "csrf_token": csrf})
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    token = re.findall(r'value="(rf_[A-Za-z0-9_\-]+)"', created.text)[0]
    [row] = _rows(engine, ApiToken)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in client.get("/account/tokens").text  # shown once

    script = TestClient(app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/me", headers=bearer).json()["via"] == "token"
    made = script.post("/api/profiles", json={"name": "From a script"}, headers=bearer)
    assert made.status_code == 201  # no CSRF token needed with a Bearer token
    assert _rows(engine, ApiToken)[0].last_used_at is not None
    wrong = script.get("/api/profiles", headers={"Authorization": "Bearer rf_wrong"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"

    client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert script.get("/api/profiles", headers=bearer).status_code == 401
    assert "revoked" in client.get("/account/tokens").text


# --- wrong tag? ----------------------------------------------------------------------------


def test_tag_correction_is_recorded_and_shown_at_once(
    client: TestClient, engine: Engine, seeded: dict[str, int]
) -> None:
    pid = seeded["Operations Manager"]
    # Lists check the database rarely; the correction itself must refresh them.
    client.app.state.open_index.check_seconds = 3600  # type: ignore[attr-defined]

    def internships() -> list[int]:
        listed = client.get("/api/postings", params={"kind": "internship"}).json()
        return [item["id"] for item in listed["items"]]

    assert pid not in internships()
    csrf = csrf_from(client, f"/postings/{pid}")
    done = client.post(
        f"/postings/{pid}/labels",
        follow_redirects=False,
        data={"field": "kind", "value": "internship", "csrf_token": csrf},
    )
    assert done.status_code == 303 and done.headers["location"].startswith(f"/postings/{pid}")
    assert pid in internships()
    areas = client.post(
        f"/postings/{pid}/labels",
        data={"field": "areas", "value": ["evals", "control"], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert areas.status_code == 303
    with Session(engine) as session:
        posting = session.get(Posting, pid)
        assert posting is not None
        assert (posting.kind, posting.kind_p, posting.areas) == (
            "internship",
            1.0,
            ["evals", "control"],
        )
        labels = session.exec(select(Label)).all()
        assert [(x.field, x.value) for x in labels] == [
            ("kind", "internship"),
            ("areas", "evals,control"),
        ]
        assert all(x.user_id is not None and x.author == "local@localhost" for x in labels)
    bad = client.post(
        f"/postings/{pid}/labels", data={"field": "kind", "value": "wizard", "csrf_token": csrf}
    )
    assert bad.status_code == 400 and "kind must be one of" in bad.text
    assert (
        client.post(
            "/postings/999999/labels", data={"field": "kind", "value": "job", "csrf_token": csrf}
        ).status_code
        == 404
    )
    api = client.post(f"/api/postings/{pid}/labels", json={"field": "track", "value": "technical"})
    assert api.status_code == 201 and api.json()["value"] == "technical"


def test_anonymous_tag_correction_asks_to_sign_in(
    multi_app: FastAPI, seeded: dict[str, int], engine: Engine
) -> None:
    client = TestClient(multi_app)
    pid = seeded["Operations Manager"]
    answer = client.post(
        f"/postings/{pid}/labels",
        follow_redirects=False,
        headers={"Referer": f"http://testserver/postings/{pid}"},
        data={"field": "kind", "value": "job", "csrf_token": csrf_from(client)},
    )
    # Back to the posting after signing in (not to the POST-only address of the form).
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/signin?next=%2Fpostings%2F{pid}"
    assert _rows(engine, Label) == []


def test_a_link_signs_in_once_even_when_clicked_twice_at_the_same_moment(
    any_engine: Engine,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from store.db import session_scope
    from web.accounts import magic
    from web.accounts.errors import LinkUsed

    claim = magic.read_link_token("k" * 32, magic.make_link_token("k" * 32, "race@example.org"))

    def click() -> str:
        try:
            with session_scope(any_engine) as session:
                magic.consume(session, claim)
            return "in"
        except LinkUsed:
            return "used"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(lambda _: click(), range(4)))
    assert outcomes == ["in", "used", "used", "used"]
    assert [u.email for u in _rows(any_engine, User)] == ["race@example.org"]


def test_account_json_routes_are_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/me",
        "/api/profiles",
        "/api/profiles/{profile_id}",
        "/api/profiles/{profile_id}/matches",
        "/api/subscriptions",
        "/api/tokens",
        "/api/postings/{posting_id}/labels",
    ):
        assert path in paths, path


@pytest.mark.parametrize("row_id", ["0", "-1", "99999999999999999999999", str(2**63)])
def test_ids_no_database_can_store_are_not_found_not_an_error(
    client: TestClient, row_id: str
) -> None:
    token = csrf_from(client, "/account/tokens")
    answers = [
        client.get(f"/profiles/{row_id}"),
        client.get(f"/profiles/{row_id}/matches"),
        client.get(f"/profiles/{row_id}/digest"),
        client.get(f"/api/profiles/{row_id}"),
        client.get(f"/api/subscriptions/{row_id}"),
        client.post(f"/subscriptions/{row_id}/unsubscribe", data={"csrf_token": token}),
        client.post(f"/account/tokens/{row_id}/revoke", data={"csrf_token": token}),
        client.post(f"/api/postings/{row_id}/labels", json={"field": "kind", "value": "job"}),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers), [a.url for a in answers]
