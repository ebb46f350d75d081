"""Feeds take the openings page's query string and parse as what they claim to be."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date

from fastapi.testclient import TestClient

from store.db import session_scope
from store.models import Posting
from tests.web.conftest import HOSTILE_TITLE, SEEDED
from web.feedformats import _fold

ATOM = "{http://www.w3.org/2005/Atom}"


def api_ids(client: TestClient, query: str) -> list[int]:
    data = client.get(f"/api/postings{query}{'&' if query else '?'}per_page=100").json()
    return [item["id"] for item in data["items"]]


def test_rss_has_the_same_postings_as_the_page(client: TestClient) -> None:
    for query in ("", "?kind=job", "?q=research&track=technical"):
        response = client.get(f"/feeds/postings.rss{query}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/rss+xml")
        channel = ET.fromstring(response.content).find("channel")
        assert channel is not None
        links = [item.findtext("link") or "" for item in channel.findall("item")]
        ids = [int(link.rsplit("/", 1)[1]) for link in links]
        assert ids == api_ids(client, query)
        assert all(link.startswith("http://127.0.0.1:8000/postings/") for link in links)


def test_feeds_survive_control_characters(client: TestClient, seeded: dict[str, int]) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        posting = session.get(Posting, seeded["AI Governance Fellow"])
        assert posting is not None
        posting.title = "Fellow\x0b with \x00 control\x1f characters & <tags>"
        session.add(posting)
    for fmt in ("rss", "atom"):
        root = ET.fromstring(client.get(f"/feeds/postings.{fmt}").content)
        assert "Fellow with  control characters & <tags>" in ET.tostring(
            root, encoding="unicode"
        ).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    assert "\x0b" not in client.get("/feeds/postings.ics").text


def test_atom_parses_and_escapes_hostile_titles(client: TestClient) -> None:
    response = client.get("/feeds/postings.atom")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == SEEDED["open"]
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert any(t.startswith(HOSTILE_TITLE) for t in titles)  # text survives, as text
    assert b"<script>" not in response.content


def _events(text: str) -> list[dict[str, str]]:
    unfolded = text.replace("\r\n ", "")
    events, current = [], None
    for line in unfolded.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current[name] = value
    return events


def test_ics_has_one_all_day_event_per_deadline(client: TestClient) -> None:
    response = client.get("/feeds/postings.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    events = _events(text)
    with_deadline = [
        i for i in client.get("/api/postings?per_page=100").json()["items"] if i["deadline"]
    ]
    assert len(events) == len(with_deadline) == 5
    starts = [e["DTSTART;VALUE=DATE"] for e in events]
    assert starts == sorted(starts)  # soonest first
    by_uid = {e["UID"].split("-")[1]: e for e in events}
    for item in with_deadline:
        event = by_uid[str(item["id"])]
        day = date.fromisoformat(item["deadline"])
        assert event["DTSTART;VALUE=DATE"] == f"{day:%Y%m%d}"
        assert event["SUMMARY"].startswith("Deadline: ")
    only_phd = _events(client.get("/feeds/postings.ics?kind=phd").content.decode())
    assert [e["SUMMARY"] for e in only_phd] == [
        "Deadline: PhD in Scalable Oversight – Fenwick University"
    ]


def test_ics_text_is_escaped_and_folded() -> None:
    line = "SUMMARY:" + "é" * 80
    pieces = _fold(line)
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert "".join(p.removeprefix(" ") if i else p for i, p in enumerate(pieces)) == line


def test_csv_rows_and_formula_injection(client: TestClient, seeded: dict[str, int]) -> None:
    from sqlalchemy import Engine

    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        posting = session.get(Posting, seeded["Operations Manager"])
        assert posting is not None
        posting.title = '=HYPERLINK("http://evil.example")'
        session.add(posting)
    response = client.get("/feeds/postings.csv?kind=job")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["id"]) for r in rows] == api_ids(client, "?kind=job")
    titles = {r["title"] for r in rows}
    assert '\'=HYPERLINK("http://evil.example")' in titles
    assert all(r["page"].endswith(f"/postings/{r['id']}") for r in rows)


def test_json_feed_matches_api(client: TestClient) -> None:
    data = json.loads(client.get("/feeds/postings.json?area=evals").content)
    assert [i["id"] for i in data["items"]] == api_ids(client, "?area=evals")
    assert data["items"][0]["page"].startswith("http://127.0.0.1:8000/postings/")


def test_unknown_feed_format_is_a_404(client: TestClient) -> None:
    assert client.get("/feeds/postings.xlsx").status_code == 404
