"""What the web app needs to know, handed in by whoever builds it (no environment reads here)."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class WebConfig:
    """Settings for ``create_app``.

    Example::

        WebConfig(database_url="sqlite:///rolefit.db", secret_key="...", demo=False)
    """

    database_url: str
    secret_key: str
    public_url: str = "http://127.0.0.1:8000"
    demo: bool = False
    smtp_url: str | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "rolefit <rolefit@localhost>"
    model_dir: Path | None = None
    # How often the open-postings index checks the database for changes (0: every request).
    index_check_seconds: float = 2.0
    # List pages served at once per process (web.gate); more wait their turn.
    listing_slots: int = 2
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def single_user(self) -> bool:
        """Without SMTP nobody can receive a sign-in link, so the app runs for one local user."""
        return not self.smtp_url
