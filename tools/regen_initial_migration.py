"""Regenerate store/migrations/versions/0001_initial_schema.py from store/models.py.

Only for use before the first release: once a database in the wild has revision 0001, schema
changes need a new migration instead. Later migrations (0002...) are set aside while 0001 is
generated against an empty database, then put back.
"""

import shutil
import tempfile
from pathlib import Path

from alembic import command

from store.db import make_engine
from store.migrate import MIGRATIONS, alembic_config

VERSIONS = MIGRATIONS / "versions"


def main() -> None:
    aside = Path(tempfile.mkdtemp())
    for path in VERSIONS.glob("*.py"):
        shutil.move(str(path), aside / path.name)
    initial = aside / "0001_initial_schema.py"
    initial.unlink(missing_ok=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/empty.db")
            command.revision(
                alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001"
            )
            engine.dispose()
    finally:
        for path in aside.glob("*.py"):
            shutil.move(str(path), VERSIONS / path.name)
        shutil.rmtree(aside, ignore_errors=True)


if __name__ == "__main__":
    main()
