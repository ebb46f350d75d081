"""The openings query's URL form: parsing, and the shortcut used for the facet links."""

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from web.filters import (
    DEADLINE_WINDOWS,
    MULTI_PARAMS,
    POSTED_WINDOWS,
    SORTS,
    OpeningsQuery,
    parse_query,
)

# As parse_query leaves them: no surrounding spaces, never empty.
TEXT = (
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
queries = st.builds(
    OpeningsQuery,
    q=st.one_of(st.just(""), TEXT),
    facets=st.dictionaries(
        st.sampled_from(MULTI_PARAMS),
        st.lists(TEXT, min_size=1, max_size=3, unique=True).map(tuple),
        max_size=4,
    ),
    deadline=st.one_of(st.none(), st.sampled_from(list(DEADLINE_WINDOWS))),
    posted=st.one_of(st.none(), st.sampled_from(list(POSTED_WINDOWS))),
    sort=st.sampled_from(list(SORTS)),
    page=st.integers(1, 5),
    per_page=st.sampled_from([10, 25, 100]),
)
FACETS = st.sampled_from([*MULTI_PARAMS, "deadline", "posted"])


@settings(max_examples=300, deadline=None)
@given(queries, FACETS, st.one_of(TEXT, st.sampled_from(["7", "30", "none", "1"])))
def test_toggle_href_is_the_toggled_query(query: OpeningsQuery, name: str, value: str) -> None:
    if name in ("deadline", "posted"):
        windows = DEADLINE_WINDOWS if name == "deadline" else POSTED_WINDOWS
        value = value if value in windows else next(iter(windows))
    assert query.toggle_href(name, value) == query.toggled(name, value).query_string()
    # Toggling a selected value off is a link too (the chips and the ticked facet values).
    for selected in query.values(name):
        assert query.toggle_href(name, selected) == query.toggled(name, selected).query_string()


@settings(max_examples=200, deadline=None)
@given(queries)
def test_query_survives_its_url(query: OpeningsQuery) -> None:
    text = query.query_string().lstrip("?")
    again = parse_query(QueryParams(text))
    assert again.query_string() == query.query_string()
