"""index open postings by source; drop the facet index

The sources page counts each source's open postings. With only a source index, SQLite reads
every posting row to check ``closed_at`` (about 230 ms at 100,000 postings); an index on
(closed_at, source_id) answers the count from the index alone.

``ix_posting_facets`` covered the openings page's SQL facet counts. The web view now filters and
counts in memory (web/openindex.py), so that eleven-column index only slowed every write.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FACET_COLUMNS = [
    "closed_at",
    "kind",
    "track",
    "remote",
    "style",
    "level",
    "visa_sponsorship",
    "organisation_id",
    "posted_at",
    "deadline",
    "organisation_name",
]


def upgrade() -> None:
    op.create_index("ix_posting_open_source", "posting", ["closed_at", "source_id"])
    op.drop_index("ix_posting_facets", table_name="posting")


def downgrade() -> None:
    op.create_index("ix_posting_facets", "posting", FACET_COLUMNS)
    op.drop_index("ix_posting_open_source", table_name="posting")
