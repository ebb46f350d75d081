"""full-text search over postings

SQLite: an FTS5 table ``posting_fts`` over the posting's title, organisation, department and
description, kept in step by triggers (external content, so the text is not stored twice).
PostgreSQL: a side table ``posting_search`` holding a weighted tsvector per posting, kept in step
by a trigger, with a GIN index. Both live outside the SQLModel metadata on purpose: they are
search indexes, not data, and web/search.py is the only code that reads them.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_UP = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS posting_fts USING fts5(
        title, organisation_name, department, description_text,
        content='posting', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS posting_fts_ai AFTER INSERT ON posting BEGIN
        INSERT INTO posting_fts(rowid, title, organisation_name, department, description_text)
        VALUES (new.id, new.title, new.organisation_name, coalesce(new.department, ''),
                new.description_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS posting_fts_ad AFTER DELETE ON posting BEGIN
        INSERT INTO posting_fts(posting_fts, rowid, title, organisation_name, department,
                                description_text)
        VALUES ('delete', old.id, old.title, old.organisation_name, coalesce(old.department, ''),
                old.description_text);
    END""",
    # Only text edits touch the index: re-tagging (frequent) leaves it alone.
    """CREATE TRIGGER IF NOT EXISTS posting_fts_au
        AFTER UPDATE OF title, organisation_name, department, description_text ON posting BEGIN
        INSERT INTO posting_fts(posting_fts, rowid, title, organisation_name, department,
                                description_text)
        VALUES ('delete', old.id, old.title, old.organisation_name, coalesce(old.department, ''),
                old.description_text);
        INSERT INTO posting_fts(rowid, title, organisation_name, department, description_text)
        VALUES (new.id, new.title, new.organisation_name, coalesce(new.department, ''),
                new.description_text);
    END""",
    "INSERT INTO posting_fts(posting_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS posting_fts_au",
    "DROP TRIGGER IF EXISTS posting_fts_ad",
    "DROP TRIGGER IF EXISTS posting_fts_ai",
    "DROP TABLE IF EXISTS posting_fts",
]

PG_DOCUMENT = """
    setweight(to_tsvector('english', coalesce({row}.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce({row}.organisation_name, '')), 'B') ||
    setweight(to_tsvector('english', coalesce({row}.department, '')), 'B') ||
    setweight(to_tsvector('english', coalesce({row}.description_text, '')), 'C')
"""
POSTGRES_UP = [
    """CREATE TABLE IF NOT EXISTS posting_search (
        posting_id integer PRIMARY KEY REFERENCES posting(id) ON DELETE CASCADE,
        document tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_posting_search_document ON posting_search USING gin (document)",
    f"""CREATE OR REPLACE FUNCTION posting_search_sync() RETURNS trigger AS $$
    BEGIN
        INSERT INTO posting_search (posting_id, document)
        VALUES (NEW.id, {PG_DOCUMENT.format(row="NEW")})
        ON CONFLICT (posting_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS posting_search_ins ON posting",
    """CREATE TRIGGER posting_search_ins AFTER INSERT ON posting
        FOR EACH ROW EXECUTE FUNCTION posting_search_sync()""",
    "DROP TRIGGER IF EXISTS posting_search_upd ON posting",
    """CREATE TRIGGER posting_search_upd
        AFTER UPDATE OF title, organisation_name, department, description_text ON posting
        FOR EACH ROW EXECUTE FUNCTION posting_search_sync()""",
    f"""INSERT INTO posting_search (posting_id, document)
        SELECT p.id, {PG_DOCUMENT.format(row="p")} FROM posting p
        ON CONFLICT (posting_id) DO NOTHING""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS posting_search_upd ON posting",
    "DROP TRIGGER IF EXISTS posting_search_ins ON posting",
    "DROP FUNCTION IF EXISTS posting_search_sync()",
    "DROP TABLE IF EXISTS posting_search",
]


def _statements(up: bool) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    return []  # other databases fall back to LIKE search (web/search.py)


def upgrade() -> None:
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
