"""Search input never reaches the database as syntax: odd input gives results or a message."""

import sqlite3

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from store.db import session_scope
from store.models import Posting
from tests.web.conftest import seed
from web.filters import OpeningsQuery
from web.openindex import build_index
from web.queries import find_openings
from web.search import MAX_TERMS, Term, fts5_expression, parse_search, websearch_text

HOSTILE_QUERIES = [
    '"',
    '"unbalanced quote',
    "research\"'; DROP TABLE posting; --",
    "NEAR(a b)",
    "title:research",
    "* ^ - + ( ) { } [ ]",
    "AND OR NOT",
    "research OR",
    "OR research",
    "-research",
    "'",
    "\\",
    "\x00research",
    "研究 工程师",
    "é" * 5000,
    "interpretability " * 400,
]


def test_parse_words_phrases_or_not_prefix() -> None:
    query = parse_search('interp* "red teaming" risk OR oversight -intern')
    assert query.groups == (
        (Term(("interp",), prefix=True),),
        (Term(("red", "teaming")),),
        (Term(("risk",)), Term(("oversight",))),
    )
    assert query.excluded == (Term(("intern",), exclude=True),)
    assert fts5_expression(query) == (
        '("interp"* AND "red teaming" AND ("risk" OR "oversight")) NOT ("intern")'
    )
    assert websearch_text(query) == 'interp "red teaming" risk or oversight -intern'


def test_nothing_searchable_gives_a_message() -> None:
    for raw in ("!!!", '"', "-only -negatives", "AND OR NOT", "* ( )"):
        query = parse_search(raw)
        assert not query.searchable
        assert query.message and "Nothing to search for" in query.message
    assert parse_search("").message is None and parse_search("   ").message is None


def test_long_input_is_cut_with_a_note() -> None:
    query = parse_search("word " * 500)
    assert sum(len(g) for g in query.groups) == MAX_TERMS
    assert any("shortened" in note for note in query.notes)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_a_valid_fts5_query(raw: str) -> None:
    query = parse_search(raw)
    if not query.searchable:
        return
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61')")
    conn.execute("INSERT INTO t(body) VALUES ('research engineer on evals')")
    conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_expression(query),)).fetchall()


def test_search_over_http(client: TestClient) -> None:
    data = client.get("/api/postings", params={"q": "theory"}).json()
    assert sorted(i["title"] for i in data["items"]) == [
        "Postdoc: Learning Theory for Safety",
        "Research Scientist, Alignment Theory",
    ]
    assert client.get("/api/postings", params={"q": '"alignment theory"'}).json()["total"] == 1
    assert client.get("/api/postings", params={"q": "theory -postdoc"}).json()["total"] == 1
    # Stemming: "teams" finds "Teaming".
    assert client.get("/api/postings", params={"q": "teams"}).json()["total"] == 1
    by_rank = client.get("/api/postings", params={"q": "research evals", "sort": "relevance"})
    assert by_rank.json()["items"][0]["title"] == "Evals Research Intern"


def test_hostile_search_never_errors(client: TestClient) -> None:
    for raw in HOSTILE_QUERIES:
        for path in ("/postings", "/api/postings", "/feeds/postings.rss"):
            for sort in ("newest", "relevance"):
                response = client.get(path, params={"q": raw, "kind": "job", "sort": sort})
                assert response.status_code == 200, (path, raw, response.text[:300])


def test_unsearchable_input_explains_itself(client: TestClient) -> None:
    page = client.get("/postings", params={"q": "!!! ???"})
    assert page.status_code == 200
    assert "Nothing to search for" in page.text
    data = client.get("/api/postings", params={"q": "!!! ???"}).json()
    assert data["messages"] and data["total"] > 0


def _titles(engine: Engine, q: str) -> list[str]:
    with Session(engine) as session:
        result = find_openings(session, build_index(session), OpeningsQuery(q=q))
    return sorted(item.title for item in result.items)


def test_search_index_follows_edits_on_both_databases(any_engine: Engine) -> None:
    ids = seed(any_engine)
    assert _titles(any_engine, "oversight") == ["PhD in Scalable Oversight"]
    for raw in HOSTILE_QUERIES:
        with Session(any_engine) as session:
            find_openings(
                session, build_index(session), OpeningsQuery(q=raw, facets={"kind": ("job",)})
            )
    with session_scope(any_engine) as session:
        posting = session.get(Posting, ids["Operations Manager"])
        assert posting is not None
        posting.title = "Operations Manager, Oversight Programs"
        session.add(posting)
    assert _titles(any_engine, "oversight") == [
        "Operations Manager, Oversight Programs",
        "PhD in Scalable Oversight",
    ]
    with session_scope(any_engine) as session:
        posting = session.get(Posting, ids["PhD in Scalable Oversight"])
        session.delete(posting)
    assert _titles(any_engine, "oversight") == ["Operations Manager, Oversight Programs"]
    # Facets work the same way on both (JSON list columns unnested per dialect).
    with Session(any_engine) as session:
        result = find_openings(
            session, build_index(session), OpeningsQuery(facets={"area": ("evals",)})
        )
    assert result.total == 2
    areas = {v.value: v.count for f in result.facets if f.name == "area" for v in f.values}
    assert areas["evals"] == 2 and areas["security"] == 1
    with Session(any_engine) as session:
        everything = find_openings(
            session, build_index(session), OpeningsQuery(facets={"kind": ("job",)})
        )
    counts = {(f.name, v.value): v.count for f in everything.facets for v in f.values}
    assert counts[("area", "evals")] == 1 and counts[("area", "interpretability")] == 2
    assert counts[("location", "London, UK")] == 3 and counts[("kind", "postdoc")] == 1


def test_unknown_filter_values_are_explained(client: TestClient) -> None:
    data = client.get("/api/postings", params={"kind": ["job", "bogus"]}).json()
    assert data["total"] > 0  # "job" still matches
    assert [m for m in data["messages"] if "bogus" in m] == [
        "No kind “bogus”: it matches nothing (try job, internship, fellowship, course, phd, "
        "postdoc, grant, other)."
    ]
    moon = client.get("/api/postings", params={"remote": "moon"}).json()
    assert moon["total"] == 0 and any("No remote “moon”" in m for m in moon["messages"])
    page = client.get("/postings", params={"kind": "bogus"})
    assert page.status_code == 200 and "No kind “bogus”" in page.text
    # Organisations and places are open-ended: an unfamiliar one is no mistake.
    assert client.get("/api/postings", params={"org": "Nowhere Labs"}).json()["messages"] == []


def test_field_shorthand_finds_the_long_forms(any_engine: Engine) -> None:
    seed(any_engine)
    with session_scope(any_engine) as session:
        for n, (title, text) in enumerate(
            [
                ("Evaluation Scientist", "You will design evaluations of frontier models."),
                (
                    "Model Behaviour Researcher",
                    "Interpretability work on how models represent goals.",
                ),
            ]
        ):
            session.add(
                Posting(
                    source_id="larkspur-board",
                    external_id=f"shorthand-{n}",
                    title=title,
                    description_text=text,
                )
            )
    assert parse_search("evals").groups[0][0] == Term(words=("evals",))  # the word itself first
    with Session(any_engine) as session:
        index = build_index(session)
        for shorthand, long_form in (("evals", "evaluation"), ("interp", "interpretability")):
            short = find_openings(session, index, OpeningsQuery(q=shorthand))
            full = find_openings(session, index, OpeningsQuery(q=long_form))
            assert full.total and {i.id for i in full.items} <= {i.id for i in short.items}
        # Excluding shorthand excludes its long forms too.
        left = find_openings(session, index, OpeningsQuery(q="research -interp"))
        assert all("nterpretab" not in i.title for i in left.items)
