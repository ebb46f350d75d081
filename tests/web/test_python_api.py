"""``rolefit.connect().openings(...)`` answers exactly as ``/api/postings`` does."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rolefit.api import Rolefit

QUERIES = [
    ("", {}),
    ("research", {"kind": "job", "sort": "closing"}),
    ("interp OR oversight", {"area": ["evals", "interpretability"], "per_page": 2, "page": 2}),
    ("", {"remote": ["remote", "hybrid"], "visa": "yes", "deadline": "30"}),
]


@pytest.mark.parametrize(("q", "filters"), QUERIES)
def test_openings_match_the_json_api(
    client: TestClient, engine: Engine, q: str, filters: dict[str, object]
) -> None:
    from_api = client.get("/api/postings", params={"q": q, **filters}).json()  # type: ignore[arg-type]
    from_python = Rolefit(engine).openings(q, **filters).model_dump(mode="json")
    assert from_python == from_api
    assert from_api["total"] or filters.get("deadline")


def test_unknown_filter_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(TypeError, match="unknown filter 'kinds'"):
        Rolefit(engine).openings(kinds="job")
