"""The scheduler as `rolefit run` starts it, beside the web server."""

from typing import Protocol

from sqlalchemy import Engine

from rolefit.settings import Settings


class Stoppable(Protocol):
    """Anything with a ``shutdown`` method, such as an APScheduler scheduler."""

    def shutdown(self, wait: bool = ...) -> None: ...


def start_background_scheduler(settings: Settings, engine: Engine) -> Stoppable | None:
    """Start the scheduler in a background thread (filled in by the scheduler issue)."""
    return None
