"""`rolefit export`: stored postings with their tags, as JSON lines or CSV on stdout."""

import csv
import json
import sys
from typing import Any

from sqlmodel import select

from rolefit.context import open_database
from rolefit.settings import Settings
from store.db import session_scope
from store.models import Posting

EXPORT_FIELDS = (
    "id",
    "source_id",
    "external_id",
    "title",
    "organisation_name",
    "url",
    "apply_url",
    "locations",
    "remote",
    "employment_type",
    "posted_at",
    "deadline",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "visa_sponsorship",
    "kind",
    "kind_p",
    "track",
    "track_p",
    "style",
    "style_p",
    "level",
    "level_p",
    "areas",
    "model_version",
    "first_seen_at",
    "last_seen_at",
    "closed_at",
    "close_reason",
)


def posting_row(posting: Posting) -> dict[str, Any]:
    """A posting as a flat, JSON-ready dict of the exported fields."""
    data = posting.model_dump(mode="json")
    return {name: data.get(name) for name in EXPORT_FIELDS}


def run_export(settings: Settings, *, fmt: str, include_closed: bool) -> None:
    """Write every (open) posting to stdout."""
    engine = open_database(settings)
    with session_scope(engine) as session:
        query = select(Posting).order_by(Posting.id)  # type: ignore[arg-type]
        if not include_closed:
            query = query.where(Posting.closed_at.is_(None))  # type: ignore[union-attr]
        rows = [posting_row(p) for p in session.exec(query)]
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        row["locations"] = "; ".join(row["locations"] or [])
        row["areas"] = ", ".join(row["areas"] or [])
        writer.writerow(row)
