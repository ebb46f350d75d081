"""The openings list, the posting page and the error pages, over the seeded test database."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.web.conftest import HOSTILE_TITLE, SEEDED
from web.apidoc import type_of


def api(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get("/api/postings" + query)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def facet(data: dict[str, Any], name: str) -> dict[str, int]:
    for f in data["facets"]:
        if f["name"] == name:
            return {v["value"]: v["count"] for v in f["values"]}
    raise AssertionError(f"no facet {name}")


def titles(data: dict[str, Any]) -> list[str]:
    return [item["title"] for item in data["items"]]


def html_titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/postings/\d+">([^<]*)</a></h3>', html)


def test_home_and_postings_list_every_open_posting(client: TestClient) -> None:
    for path in ("/", "/postings"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<title>Openings · rolefit</title>" in page.text
        assert f"{SEEDED['open']} open openings" in page.text
        assert "Closed Finance Lead" not in page.text
    assert api(client)["total"] == SEEDED["open"]


def test_facet_counts_ignore_their_own_selection(client: TestClient) -> None:
    everything = api(client)
    assert facet(everything, "kind") == {
        "job": 5,
        "internship": 1,
        "fellowship": 1,
        "phd": 1,
        "postdoc": 1,
    }
    assert facet(everything, "location")["London, UK"] == SEEDED["london"]
    assert facet(everything, "org_type") == {"frontier-lab": 4, "nonprofit": 3, "academic": 2}
    assert facet(everything, "deadline")["none"] == SEEDED["no_deadline"]
    assert facet(everything, "posted")["7"] == SEEDED["posted_week"]
    jobs = api(client, "?kind=job")
    assert jobs["total"] == 5
    # Choosing "job" still shows the other kinds, counted under the other filters only.
    assert facet(jobs, "kind")["fellowship"] == 1
    # Other facets are narrowed by the selection.
    assert facet(jobs, "track") == {"technical": 4, "operations": 1}
    selected = [v for f in jobs["facets"] for v in f["values"] if v["selected"]]
    assert [(v["value"], v["count"]) for v in selected] == [("job", 5)]


def test_filters_combine_with_or_inside_and_across(client: TestClient) -> None:
    data = api(client, "?kind=phd&kind=postdoc")
    assert sorted(titles(data)) == [
        "PhD in Scalable Oversight",
        "Postdoc: Learning Theory for Safety",
    ]
    assert api(client, "?kind=phd&kind=postdoc&style=theoretical")["total"] == 1
    assert api(client, "?org_type=academic")["total"] == 2
    assert titles(api(client, "?area=evals&remote=remote")) == ["Red Teaming Contractor"]
    assert titles(api(client, "?visa=no&location=Remote")) == ["Red Teaming Contractor"]
    assert titles(api(client, "?deadline=7")) == ["Evals Research Intern"]
    assert api(client, "?posted=7")["total"] == SEEDED["posted_week"]
    assert api(client, "?org=Quill+Institute")["total"] == 3


def test_unknown_filter_values_are_ignored_not_errors(client: TestClient) -> None:
    data = api(client, "?deadline=yesterday&posted=-1&sort=random&page=abc&per_page=9999")
    assert data["total"] == SEEDED["open"]
    assert data["sort"] == "newest" and data["page"] == 1 and data["per_page"] == 100
    assert api(client, "?kind=nonsense")["total"] == 0


def test_sorting_newest_and_closing_soon(client: TestClient) -> None:
    newest = titles(api(client))
    assert newest[-1] == "Postdoc: Learning Theory for Safety"
    closing = titles(api(client, "?sort=closing"))
    assert closing[:3] == [
        "Evals Research Intern",
        "AI Governance Fellow",
        "Research Scientist, Alignment Theory",
    ]


def test_pagination_walks_the_whole_list_once(client: TestClient) -> None:
    first = api(client, "?per_page=4")
    assert first["pages"] == 3
    seen = []
    for page in (1, 2, 3):
        seen += titles(api(client, f"?per_page=4&page={page}"))
    assert len(seen) == len(set(seen)) == SEEDED["open"]
    assert api(client, "?per_page=4&page=9")["items"] == []
    html = client.get("/postings?per_page=4&page=2").text
    assert 'rel="next" href="/postings?page=3&amp;per_page=4"' in html
    assert 'rel="prev" href="/postings?per_page=4"' in html


def test_html_and_json_twins_agree(client: TestClient) -> None:
    for query in ("", "?kind=job", "?track=technical&sort=closing", "?q=research&area=theory"):
        data = api(client, query)
        page = client.get("/postings" + query)
        assert page.status_code == 200
        from html import unescape

        assert [unescape(t) for t in html_titles(page.text)] == titles(data)


def test_url_holds_the_whole_query(client: TestClient) -> None:
    html = client.get("/postings?kind=job&q=engineer&deadline=none&sort=closing").text
    # The active filters are removable links, and the search form keeps the other filters.
    assert 'href="/postings?q=engineer&amp;deadline=none&amp;sort=closing"' in html
    assert '<input type="hidden" name="kind" value="job">' in html
    assert (
        'href="/feeds/postings.rss?q=engineer&amp;kind=job&amp;deadline=none&amp;sort=closing"'
        in html
    )


def test_empty_state_says_how_to_widen(client: TestClient) -> None:
    html = client.get("/postings?kind=grant&area=theory").text
    assert "No openings match" in html
    assert "remove kind" in html.lower()


def test_posting_page_shows_tags_evidence_sources_and_similar(
    client: TestClient, seeded: dict[str, int]
) -> None:
    pid = seeded["Research Engineer, Interpretability"]
    page = client.get(f"/postings/{pid}")
    assert page.status_code == 200
    html = page.text
    assert "<title>Research Engineer, Interpretability · Larkspur Labs · rolefit</title>" in html
    assert "91%" in html and "<q>we are hiring</q>" in html
    assert "We can sponsor visas for this role." in html
    assert "larkspur-board" in html and "broken-board" in html
    assert "https://mirror.example.org/0" in html
    assert "Similar openings" in html and "Evals Research Intern" in html
    assert "£90k–£120k a year" in html
    data = client.get(f"/api/postings/{pid}").json()
    assert {t["field"] for t in data["tags"]} >= {"kind", "track", "style", "level", "areas"}
    assert len(data["links"]) == 2 and data["similar"]


def test_closed_posting_says_why(client: TestClient, seeded: dict[str, int]) -> None:
    html = client.get(f"/postings/{seeded['Closed Finance Lead']}").text
    assert "Closed " in html and "its page no longer exists" in html
    assert "Last seen" in html


def test_not_found_pages(client: TestClient) -> None:
    for path in ("/no-such-page", "/postings/99999", "/postings/abc"):
        page = client.get(path)
        assert page.status_code == 404
        assert "<title>Not found · rolefit</title>" in page.text
    missing = client.get("/api/postings/99999")
    assert missing.status_code == 404 and "99999" in missing.json()["detail"]
    assert client.get("/api/postings/abc").status_code == 422


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/", "/postings/1", "/nowhere", "/api/postings", "/static/site.css"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"


def test_hostile_posting_is_escaped_everywhere(client: TestClient, seeded: dict[str, int]) -> None:
    listing = client.get("/postings").text
    assert HOSTILE_TITLE not in listing
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in listing
    assert "Evil &lt;b&gt;Org&lt;/b&gt;" in listing
    page = client.get(f"/postings/{seeded[HOSTILE_TITLE]}").text
    body = page.split("<main", 1)[1]
    assert "<script" not in body and "<svg" not in body and "<style" not in body
    assert "javascript:" not in page
    assert re.search(r"<[^>]+\son\w+=", body) is None  # no event-handler attributes
    assert "Real text." in page and "style=" not in body


def test_openapi_lists_the_json_twins(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/postings" in paths and "/api/postings/{posting_id}" in paths
    documented = {p["name"] for p in paths["/api/postings"]["get"]["parameters"]}
    assert {"q", "kind", "area", "deadline", "sort", "page"} <= documented
    assert {"/api/map", "/api/deadlines", "/api/sources", "/feeds/postings.{fmt}"} <= set(paths)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "<title>API reference" in docs.text
    # The reference is our own page: every JSON route and its parameters, no outside script.
    assert "<code>GET /api/postings</code>" in docs.text
    assert "<code>POST /api/match</code>" in docs.text
    assert "Full-text search: words" in docs.text  # the q parameter's help
    assert 'id="schema-PostingSummary"' in docs.text and "list of PostingSummary" in docs.text
    assert "https://" not in docs.headers["content-security-policy"]
    assert "<script" not in docs.text.replace('<script src="/static/site.js"', "")


def test_api_reference_names_types_plainly() -> None:
    assert type_of({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "string or null"
    assert type_of({"type": "array", "items": {"$ref": "#/components/schemas/Facet"}}) == (
        "list of Facet"
    )
    assert type_of({"type": "string", "format": "date"}) == "string (date)"
    assert type_of({"enum": ["rss", "atom"]}) == "one of rss, atom"
    assert type_of({}) == "any"
