"""Settings, read from ROLEFIT_* environment variables (and a .env file if present).

Build one with ``load_settings()``; nothing is read at import time. The README's configuration
table is checked against this class by a test, so a new field needs a README row.
"""

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from rolefit.errors import ConfigError


def default_data_dir() -> Path:
    """The per-user data directory (e.g. ~/.local/share/rolefit on Linux)."""
    return Path(user_data_dir("rolefit", appauthor=False))


class Settings(BaseSettings):
    """Everything rolefit can be told from outside, with safe defaults."""

    model_config = SettingsConfigDict(env_prefix="ROLEFIT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the database, trained model, demo database and secret key.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; SQLite file in the data folder when unset.",
    )
    sources: Path | None = Field(
        default=None,
        description="A TOML file of extra or overriding sources, merged over the bundled ones.",
    )
    host: str = Field(default="127.0.0.1", description="Address the web view listens on.")
    port: int = Field(default=8000, description="Port the web view listens on.")
    web_workers: int = Field(
        default=1, ge=1, le=64, description="Web server processes (one per core serves the most)."
    )
    base_url: str | None = Field(
        default=None,
        description="Public URL of the web view, used in emails; http://HOST:PORT when unset.",
    )
    smtp_url: str | None = Field(
        default=None,
        description="smtp://user:pass@host:port or smtps://...; unset means single-user local mode.",
    )
    smtp_username: str | None = Field(default=None, description="SMTP user, if not in the URL.")
    smtp_password: str | None = Field(default=None, description="SMTP password, if not in the URL.")
    mail_from: str = Field(
        default="rolefit <rolefit@localhost>",
        description="From address of digests and sign-in mail.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs cookies and links; generated into the data folder when unset.",
    )
    digest_hour_utc: int = Field(
        default=7, ge=0, le=23, description="Hour (UTC) from which the day's digests are sent."
    )
    crawl_interval_hours: float = Field(
        default=6.0, description="Hours between crawls of one source (jitter is added)."
    )
    crawl_delay_s: float = Field(
        default=1.0, ge=0, description="Seconds between requests to one host (AutoThrottle adapts)."
    )
    crawl_timeout_s: float = Field(
        default=30.0, gt=0, description="Seconds before a crawler request times out."
    )
    crawl_per_host: int = Field(
        default=2, ge=1, description="Most concurrent crawler requests to one host."
    )
    contact_url: str = Field(
        default="https://github.com/rolefit/rolefit",
        description="Contact URL sent in the crawler's User-Agent.",
    )
    log_level: str = Field(default="INFO", description="Logging level: DEBUG, INFO, WARNING.")

    @property
    def resolved_database_url(self) -> str:
        """The database URL in force: the setting, or SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'rolefit.db'}"

    @property
    def model_dir(self) -> Path:
        """Where the trained classifier and its sidecar live."""
        return self.data_dir / "model"

    @property
    def demo_database_url(self) -> str:
        """The separate database that ``rolefit demo`` fills with sample postings."""
        return f"sqlite:///{self.data_dir / 'demo.db'}"

    @property
    def public_url(self) -> str:
        """Base URL for links in emails."""
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise ConfigError with one line on a bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"invalid setting ROLEFIT_{field.upper()}: {first['msg']}") from exc
