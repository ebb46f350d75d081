"""Web fixtures: an app over a temp SQLite database seeded with a known set of postings.

``SEEDED`` describes the seeded postings; tests count on these figures, so change both together.
Hostile postings (script tags, event handlers, javascript: links) are part of the seed on
purpose: every page must render them harmlessly.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from store.clock import utcnow
from store.db import session_scope
from store.models import Organisation, Posting, PostingLink, Source
from web.app import create_app
from web.config import WebConfig

HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert(1)>'
HOSTILE_HTML = (
    '<p>Real text.</p><script>alert("desc")</script>'
    '<a href="javascript:alert(2)" onclick="alert(3)">click</a>'
    '<svg onload="alert(4)"><circle r="5"/></svg><style>body{display:none}</style>'
    '<p style="background:url(javascript:alert(5))">styled</p>'
)

ORGS = [
    ("Larkspur Labs", "frontier-lab"),
    ("Quill Institute", "nonprofit"),
    ("Fenwick University", "academic"),
]
# (title, org index, kind, track, style, level, areas, locations, remote, visa, days old,
#  deadline in days or None)
ROWS: list[tuple[Any, ...]] = [
    (
        "Research Engineer, Interpretability",
        0,
        "job",
        "technical",
        "empirical",
        "contributor",
        ["interpretability"],
        ["London, UK"],
        "hybrid",
        "yes",
        1,
        None,
    ),
    (
        "Research Scientist, Alignment Theory",
        0,
        "job",
        "technical",
        "theoretical",
        "lead",
        ["theory"],
        ["San Francisco, CA, USA"],
        "onsite",
        "yes",
        3,
        20,
    ),
    (
        "AI Governance Fellow",
        1,
        "fellowship",
        "governance",
        None,
        None,
        ["governance"],
        ["Remote"],
        "remote",
        "unknown",
        5,
        10,
    ),
    (
        "Operations Manager",
        1,
        "job",
        "operations",
        None,
        None,
        [],
        ["London, UK"],
        "onsite",
        "no",
        8,
        None,
    ),
    (
        "PhD in Scalable Oversight",
        2,
        "phd",
        "technical",
        "empirical",
        "contributor",
        ["oversight", "evals"],
        ["Oxford, UK"],
        "onsite",
        "unknown",
        12,
        45,
    ),
    (
        "Evals Research Intern",
        0,
        "internship",
        "technical",
        "empirical",
        "contributor",
        ["evals"],
        ["London, UK"],
        "hybrid",
        "yes",
        20,
        5,
    ),
    (
        "Red Teaming Contractor",
        1,
        "job",
        "technical",
        "empirical",
        "contributor",
        ["security", "evals"],
        ["Remote"],
        "remote",
        "no",
        40,
        None,
    ),
    (
        "Postdoc: Learning Theory for Safety",
        2,
        "postdoc",
        "technical",
        "theoretical",
        "lead",
        ["theory"],
        ["Oxford, UK"],
        "onsite",
        "unknown",
        60,
        100,
    ),
]
SEEDED = {"open": len(ROWS) + 1, "closed": 1, "london": 4, "no_deadline": 4, "posted_week": 4}


def _posting(row: tuple[Any, ...], org: Organisation, index: int) -> Posting:
    title, _, kind, track, style, level, areas, locations, remote, visa, age, deadline = row
    now = utcnow()
    text = f"{title}. We are hiring at {org.name}. Work on {', '.join(areas) or 'operations'}."
    return Posting(
        source_id="larkspur-board",
        external_id=f"ext-{index}",
        url=f"https://jobs.example.org/{index}",
        title=title,
        organisation_id=org.id,
        organisation_name=org.name,
        locations=locations,
        remote=remote,
        visa_sponsorship=visa,
        visa_evidence="We can sponsor visas for this role." if visa == "yes" else None,
        posted_at=now - timedelta(days=age),
        deadline=(now + timedelta(days=deadline)).date() if deadline is not None else None,
        salary_min=90000.0 if index % 2 == 0 else None,
        salary_max=120000.0 if index % 2 == 0 else None,
        salary_currency="GBP" if index % 2 == 0 else None,
        salary_period="year" if index % 2 == 0 else None,
        description_html=f"<p>{text}</p>",
        description_text=text,
        kind=kind,
        kind_p=0.91,
        track=track,
        track_p=0.88,
        style=style,
        style_p=0.7 if style else None,
        level=level,
        level_p=0.65 if level else None,
        areas=areas,
        tag_probabilities={
            "kind": {kind: 0.91, "other": 0.09},
            "style": {"empirical": 0.7, "theoretical": 0.3}
            if style == "empirical"
            else {"empirical": 0.3, "theoretical": 0.7},
        },
        tag_evidence={"kind": ["we are hiring"], "track": ["research"]},
        model_version="test-model",
    )


def seed(engine: Engine) -> dict[str, int]:
    """Write the known postings; return title -> id."""
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        orgs = [Organisation(name=n, org_type=t) for n, t in ORGS]
        session.add_all(orgs)
        session.add(
            Source(
                id="larkspur-board",
                platform="greenhouse",
                endpoint="larkspur",
                last_success_at=utcnow(),
                last_good_count=9,
            )
        )
        session.add(
            Source(
                id="broken-board",
                platform="lever",
                endpoint="nowhere",
                last_error="HTTP 500 from the board",
                error_streak=3,
            )
        )
        session.flush()
        rows = [_posting(row, orgs[row[1]], i) for i, row in enumerate(ROWS)]
        hostile = _posting(ROWS[0], orgs[0], 99)
        hostile.title = HOSTILE_TITLE
        hostile.organisation_name = "Evil <b>Org</b>"
        hostile.description_html = HOSTILE_HTML
        hostile.description_text = "Real text. hostile payload"
        hostile.url = "javascript:alert(6)"
        closed = _posting(ROWS[3], orgs[1], 100)
        closed.title = "Closed Finance Lead"
        closed.closed_at = utcnow()
        closed.close_reason = "page_gone"
        session.add_all([*rows, hostile, closed])
        session.flush()
        for p in [*rows, hostile, closed]:
            ids[p.title] = p.id or 0
        session.add(
            PostingLink(
                posting_id=rows[0].id or 0,
                source_id="larkspur-board",
                external_id="ext-0",
                url=rows[0].url,
            )
        )
        session.add(
            PostingLink(
                posting_id=rows[0].id or 0,
                source_id="broken-board",
                external_id="dup-0",
                url="https://mirror.example.org/0",
                reason="duplicate_title",
            )
        )
    return ids


@pytest.fixture
def seeded(engine: Engine) -> dict[str, int]:
    """The test database with the known postings in it (title -> id)."""
    return seed(engine)


@pytest.fixture
def web_config(sqlite_url: str) -> WebConfig:
    """Config for a single-user app (no SMTP) without facet caching."""
    return WebConfig(
        database_url=sqlite_url, secret_key="test-secret-key-" + "x" * 32, index_check_seconds=0
    )


@pytest.fixture
def app(web_config: WebConfig, engine: Engine) -> FastAPI:
    """The app over the test database."""
    return create_app(web_config, engine=engine)


@pytest.fixture
def client(app: FastAPI, seeded: dict[str, int]) -> Iterator[TestClient]:
    """A TestClient over the seeded app."""
    with TestClient(app) as test_client:
        yield test_client
