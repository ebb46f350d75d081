"""Errors raised by the store.

StoreError
├── DatabaseUnavailable   the database cannot be reached or opened
└── MigrationError        the schema could not be brought up to date
"""


class StoreError(Exception):
    """Base class for store errors; the message is one line, fit for a user."""


class DatabaseUnavailable(StoreError):
    """The database URL points somewhere that cannot be opened."""


class MigrationError(StoreError):
    """Alembic could not upgrade the schema."""
