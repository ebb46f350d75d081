"""The role map, deadlines and sources pages and their JSON twins."""

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from store.db import session_scope
from store.models import Profile, User
from tests.web.conftest import SEEDED
from web.app import create_app
from web.config import WebConfig
from web.svg import MapPoint, layout, role_map_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_role_map_links_every_technical_posting(client: TestClient) -> None:
    page = client.get("/map")
    assert page.status_code == 200 and "<title>Role map · rolefit</title>" in page.text
    svg_text = page.text[
        page.text.index("<svg xmlns") : page.text.index("</svg>", page.text.index("<svg xmlns")) + 6
    ]
    svg = ET.fromstring(svg_text)
    links = [a.get("href") for a in svg.iter(f"{SVG}a")]
    points = client.get("/api/map").json()["points"]
    assert len(links) == len(points) == 7  # technical postings with style and level (incl. hostile)
    assert sorted(links) == sorted(f"/postings/{p['id']}" for p in points)
    groups = {g.get("class") for g in svg.iter(f"{SVG}g")}
    assert {"kind kind-job", "kind kind-phd", "kind kind-internship", "kind kind-postdoc"} <= groups
    theory = next(p for p in points if p["title"] == "Research Scientist, Alignment Theory")
    assert theory["x"] == 0.7 and theory["y"] == 0.65
    assert "your preference" not in page.text


def test_role_map_marks_the_signed_in_preference(client: TestClient) -> None:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        user = session.query(User).filter(User.email == "local@localhost").one_or_none()
        if user is None:
            user = User(email="local@localhost")
            session.add(user)
            session.flush()
        session.add(
            Profile(
                user_id=user.id,
                name="Sam",
                document={
                    "name": "Sam",
                    "style": {"prefer": "theoretical", "strength": 1.0},
                    "level": {"prefer": "contributor", "strength": 0.5},
                },
            )
        )
    client.get("/")  # single-user mode: the local user is signed in
    data = client.get("/api/map").json()
    assert data["preference"] == {"x": 1.0, "y": 0.25}
    assert "your preference" in client.get("/map").text


def test_map_layout_never_stacks_marks() -> None:
    points = [
        MapPoint(id=i, title=f"t{i}", organisation="o", kind="job", x=0.99, y=0.01)
        for i in range(60)
    ]
    placed = layout(points)
    assert len(set(placed.values())) == 60
    svg = role_map_svg(points)
    assert svg.count("<circle") == 60 and "<script" not in svg


def test_deadlines_by_week(client: TestClient) -> None:
    weeks = client.get("/api/deadlines").json()
    days = [item["deadline"] for week in weeks for item in week["items"]]
    assert len(days) == 5 and days == sorted(days)
    for week in weeks:
        monday = date.fromisoformat(week["week_start"])
        assert monday.weekday() == 0
        assert all(
            0 <= (date.fromisoformat(i["deadline"]) - monday).days < 7 for i in week["items"]
        )
    html = client.get("/deadlines").text
    assert "<title>Deadlines · rolefit</title>" in html
    assert html.count('<li><span class="day">') == 5
    assert 'href="/feeds/postings.ics"' in html
    assert [w["label"] for w in client.get("/api/deadlines?kind=phd").json()][0].startswith(
        "Week of"
    )


def test_sources_health(client: TestClient) -> None:
    sources = client.get("/api/sources").json()
    assert [s["id"] for s in sources] == ["broken-board", "larkspur-board"]  # failing first
    broken, good = sources
    assert broken["status"] == "failing" and broken["error_streak"] == 3
    assert good["status"] == "ok" and good["open_postings"] == SEEDED["open"]
    html = client.get("/sources").text
    assert "HTTP 500 from the board" in html and "Failing" in html
    assert re.search(r'<td class="num">3</td>', html)


def test_best_fit_sort_uses_the_matcher(client: TestClient) -> None:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    client.get("/")  # single-user mode creates the local user
    with session_scope(engine) as session:
        user = session.query(User).filter(User.email == "local@localhost").one()
        session.add(
            Profile(
                user_id=user.id,
                name="Sam",
                document={
                    "name": "Sam",
                    "kinds": ["job", "internship"],
                    "tracks": ["technical"],
                    "areas": ["evals"],
                    "style": {"prefer": "empirical", "strength": 0.8},
                },
            )
        )
    data = client.get("/api/postings?sort=fit").json()
    assert data["sort"] == "fit" and not data["messages"]
    scores = [item["fit_score"] for item in data["items"]]
    assert scores and all(s is not None for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert "Best fit for me" in client.get("/postings").text


def test_anonymous_visitor_gets_sign_in_links_not_forms(
    engine: Engine, seeded: dict[str, int], web_config: WebConfig
) -> None:
    config = replace(web_config, smtp_url="smtp://127.0.0.1:1025")
    with TestClient(create_app(config, engine=engine)) as anonymous:
        page = anonymous.get(f"/postings/{seeded['AI Governance Fellow']}").text
        assert "to correct a wrong tag" in page and 'action="/postings/' not in page
        listing = anonymous.get("/postings").text
        assert ">Sign in</a>" in listing and "Best fit for me" not in listing
        assert anonymous.get("/api/postings?sort=fit").json()["messages"] == [
            "Best fit needs you signed in with a saved profile; showing newest."
        ]
    with TestClient(create_app(web_config, engine=engine)) as local:
        page = local.get(f"/postings/{seeded['AI Governance Fellow']}").text
        assert 'action="/postings/' in page and 'name="csrf_token"' in page
