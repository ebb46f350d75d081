"""The signing key: from ROLEFIT_SECRET_KEY, else generated once into the data folder."""

import secrets
from pathlib import Path

from rolefit.settings import Settings


def secret_key(settings: Settings) -> str:
    """Return the configured key, or read/create ``secret_key`` in the data folder (mode 600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
