"""Which Posting columns each openings facet reads, shared by the query and the facet counts."""

from typing import Any

from sqlalchemy import func

from store.models import Posting

# URL parameter -> a plain column (one value per posting).
COLUMN_FACETS: dict[str, Any] = {
    "kind": Posting.kind,
    "track": Posting.track,
    "style": Posting.style,
    "level": Posting.level,
    "org": Posting.organisation_name,
    "remote": Posting.remote,
    "visa": Posting.visa_sponsorship,
}
# URL parameter -> a JSON list column (several values per posting).
JSON_FACETS: dict[str, Any] = {"area": Posting.areas, "location": Posting.locations}


def json_values(dialect: str, column: Any) -> Any:
    """A table-valued function yielding each element of a JSON list column as ``value``."""
    if dialect == "postgresql":
        return func.json_array_elements_text(column).table_valued("value").alias("elem")
    return func.json_each(column).table_valued("value").alias("elem")
