"""The openings query as plain data: parsed from a URL, written back to one.

The URL holds the whole query, so a filtered list can be shared, bookmarked and turned into a
feed (the feed URLs take the same query string). Unknown or malformed values are dropped, never
an error: a shared link with a stale filter still opens.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import quote_plus

from starlette.datastructures import QueryParams

# Multi-valued facets: URL parameter -> what it filters. Values within one facet are OR'd,
# facets are AND'd.
MULTI_PARAMS = (
    "kind",
    "track",
    "style",
    "level",
    "area",
    "org",
    "org_type",
    "location",
    "remote",
    "visa",
)
DEADLINE_WINDOWS = {
    "7": "within a week",
    "30": "within a month",
    "90": "within 3 months",
    "none": "no deadline given",
}
POSTED_WINDOWS = {"1": "today", "7": "past week", "30": "past month", "90": "past 3 months"}
SORTS = {
    "newest": "Newest",
    "closing": "Closing soon",
    "relevance": "Best match for search",
    "fit": "Best fit for me",
}
PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 100
MAX_VALUES = 30
MAX_VALUE_CHARS = 200


@lru_cache(maxsize=4096)
def _quote(text: str) -> str:
    # A page links to ~100 variations of one query; the same few strings get quoted each time.
    return quote_plus(text)


@dataclass(frozen=True)
class OpeningsQuery:
    """Everything that selects and orders a list of openings."""

    q: str = ""
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deadline: str | None = None
    posted: str | None = None
    sort: str = "newest"
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT

    def values(self, name: str) -> tuple[str, ...]:
        """Selected values of one facet (empty when unfiltered)."""
        return self.facets.get(name, ())

    def without(self, name: str, value: str | None = None) -> "OpeningsQuery":
        """This query minus one facet value (or the whole facet, or q/deadline/posted), page 1."""
        if name == "q":
            return replace(self, q="", page=1)
        if name == "deadline":
            return replace(self, deadline=None, page=1)
        if name == "posted":
            return replace(self, posted=None, page=1)
        facets = dict(self.facets)
        if value is None:
            facets.pop(name, None)
        else:
            facets[name] = tuple(v for v in facets.get(name, ()) if v != value)
        return replace(self, facets={k: v for k, v in facets.items() if v}, page=1)

    def toggled(self, name: str, value: str) -> "OpeningsQuery":
        """Add ``value`` to a facet, or take it away if present; back to page 1."""
        if name == "deadline":
            return replace(self, deadline=None if self.deadline == value else value, page=1)
        if name == "posted":
            return replace(self, posted=None if self.posted == value else value, page=1)
        if value in self.values(name):
            return self.without(name, value)
        facets = dict(self.facets)
        facets[name] = (*self.values(name), value)
        return replace(self, facets=facets, page=1)

    def with_page(self, page: int) -> "OpeningsQuery":
        """The same query on another page."""
        return replace(self, page=max(page, 1))

    def toggle_href(self, name: str, value: str) -> str:
        """``toggled(name, value).query_string()``, without building a new query.

        The openings page links every facet value to its toggle, a hundred links or so; this
        re-encodes only the one facet that changes.
        """
        blocks = dict(self._encoded_blocks)
        if name in ("deadline", "posted"):
            chosen = None if getattr(self, name) == value else value
            blocks[name] = f"{name}={_quote(chosen)}" if chosen else ""
        else:
            current = self.values(name)
            values = [v for v in current if v != value] if value in current else [*current, value]
            blocks[name] = "&".join(f"{_quote(name)}={_quote(v)}" for v in sorted(values))
        joined = "&".join(block for block in blocks.values() if block)
        return f"?{joined}" if joined else ""

    @cached_property
    def _encoded_blocks(self) -> dict[str, str]:
        # The parameters of this query on page 1, as encoded text per parameter, in the order
        # ``params`` writes them.
        blocks: dict[str, list[str]] = {key: [] for key in ("q", *MULTI_PARAMS, "deadline")}
        blocks.update(posted=[], sort=[], per_page=[])
        for key, value in self.params(include_paging=False):
            blocks[key].append(f"{_quote(key)}={_quote(value)}")
        if self.per_page != PER_PAGE_DEFAULT:
            blocks["per_page"].append(f"per_page={self.per_page}")
        return {key: "&".join(parts) for key, parts in blocks.items()}

    def params(
        self, *, include_paging: bool = True, include_sort: bool = True
    ) -> list[tuple[str, str]]:
        """The query as URL parameters, in a stable order."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in MULTI_PARAMS:
            out.extend((name, v) for v in sorted(self.values(name)))
        if self.deadline:
            out.append(("deadline", self.deadline))
        if self.posted:
            out.append(("posted", self.posted))
        if include_sort and self.sort != "newest":
            out.append(("sort", self.sort))
        if include_paging and self.page > 1:
            out.append(("page", str(self.page)))
        if include_paging and self.per_page != PER_PAGE_DEFAULT:
            out.append(("per_page", str(self.per_page)))
        return out

    def query_string(self, **kwargs: Any) -> str:
        """``?a=b&...`` (or empty) for links."""
        encoded = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in self.params(**kwargs))
        return f"?{encoded}" if encoded else ""

    @property
    def is_filtered(self) -> bool:
        """True when anything narrows the list."""
        return bool(self.q or self.facets or self.deadline or self.posted)


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw or "")
    except ValueError:
        return default
    return min(max(value, low), high)


def parse_query(params: QueryParams) -> OpeningsQuery:
    """Read an OpeningsQuery from URL parameters, dropping what does not make sense."""
    facets: dict[str, tuple[str, ...]] = {}
    for name in MULTI_PARAMS:
        values = []
        for raw in params.getlist(name):
            value = raw.strip()[:MAX_VALUE_CHARS]
            if value and value not in values:
                values.append(value)
        if values:
            facets[name] = tuple(values[:MAX_VALUES])
    deadline = params.get("deadline")
    posted = params.get("posted")
    sort = params.get("sort") or "newest"
    return OpeningsQuery(
        q=(params.get("q") or "").strip()[:1000],
        facets=facets,
        deadline=deadline if deadline in DEADLINE_WINDOWS else None,
        posted=posted if posted in POSTED_WINDOWS else None,
        sort=sort if sort in SORTS else "newest",
        page=_int(params.get("page"), 1, 1, 100_000),
        per_page=_int(params.get("per_page"), PER_PAGE_DEFAULT, 1, PER_PAGE_MAX),
    )


PARAM_HELP = {
    "q": 'Full-text search: words, "quoted phrases", OR, -exclude, prefix*',
    "kind": "Kind (repeatable): job internship fellowship course phd postdoc grant other",
    "track": "Track (repeatable): technical governance operations",
    "style": "Style (repeatable): empirical theoretical",
    "level": "Level (repeatable): lead contributor",
    "area": "Research area (repeatable), e.g. interpretability, evals",
    "org": "Organisation name (repeatable)",
    "org_type": "Organisation type (repeatable), e.g. frontier-lab, nonprofit, academic",
    "location": "Location as listed on the posting (repeatable)",
    "remote": "Remote work (repeatable): remote hybrid onsite unknown",
    "visa": "Visa sponsorship (repeatable): yes no unknown",
    "deadline": "Deadline window: 7, 30 or 90 days from today, or none",
    "posted": "Posted within: 1, 7, 30 or 90 days",
    "sort": "newest (default), closing, relevance (with q), fit (signed in, with a profile)",
    "page": "Page number, from 1",
    "per_page": f"Results per page, 1 to {PER_PAGE_MAX} (default {PER_PAGE_DEFAULT})",
}


def openapi_parameters() -> dict[str, Any]:
    """The query parameters above, for ``openapi_extra`` on routes that read them by hand."""
    parameters = []
    for name, help_text in PARAM_HELP.items():
        repeatable = name in MULTI_PARAMS
        schema: dict[str, Any] = {"type": "string"}
        if repeatable:
            schema = {"type": "array", "items": {"type": "string"}}
        elif name in ("page", "per_page"):
            schema = {"type": "integer", "minimum": 1}
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": help_text,
                "schema": schema,
                **({"style": "form", "explode": True} if repeatable else {}),
            }
        )
    return {"parameters": parameters}
