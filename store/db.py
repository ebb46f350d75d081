"""Engines and sessions: the only place that opens a database connection.

SQLite is the default; PostgreSQL works through the same URL setting. SQLite connections get
WAL (readers don't block the writer), foreign keys (off by default in SQLite) and a busy timeout
(a second writer waits instead of failing with "database is locked").
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import NoSuchModuleError as SANoSuchModuleError
from sqlmodel import Session, create_engine

from store.errors import DatabaseUnavailable

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Connections kept open per engine. The web app serves up to 40 requests at once from its thread
# pool; with SQLAlchemy's default of 5, busy moments open and close a connection per request,
# each paying for the pragmas below and starting with an empty page cache.
SQLITE_POOL_SIZE = 20
RowT = TypeVar("RowT")
# Ids are 64-bit integers; anything bigger (a guessed or mangled URL) cannot name a row, and
# SQLite's driver would raise OverflowError instead of finding nothing.
MAX_ROW_ID = 2**63 - 1


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for ``url`` (sqlite:///path or postgresql+psycopg://...)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"invalid database URL {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except FileExistsError as exc:
                raise DatabaseUnavailable(f"{folder} is a file, not a folder") from exc
            except OSError as exc:
                raise DatabaseUnavailable(f"cannot create {folder}: {exc.strerror}") from exc
        pool: dict[str, int] = {}
        if database and database != ":memory:":
            pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_SIZE}
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 15}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, echo=echo, pool_pre_ping=True)
    except SANoSuchModuleError as exc:
        raise DatabaseUnavailable(
            f"no driver for {parsed.drivername}: install rolefit[postgres]"
        ) from exc
    except ImportError as exc:
        raise DatabaseUnavailable(f"database driver missing: {exc}") from exc


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable with a one-line reason if the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        where = engine.url.render_as_string(hide_password=True)
        raise DatabaseUnavailable(f"cannot reach database {where}: {reason}") from exc


def get_by_id(session: Session, model: type[RowT], row_id: int) -> RowT | None:
    """The row of ``model`` with primary key ``row_id``, or None (also for impossible ids)."""
    if not 0 < row_id <= MAX_ROW_ID:
        return None
    return session.get(model, row_id)


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error: the one place that commits."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
