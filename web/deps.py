"""Dependencies for routes: a database session, the web config, the current user."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from store.clock import utcnow
from store.models import User
from web.config import WebConfig
from web.openindex import OpenIndex


def get_session(request: Request) -> Iterator[Session]:
    """A read session on the app's engine, closed after the request."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def open_index(request: Request, session: Session) -> OpenIndex:
    """The open-postings index of the app's database, fresh as of its last check."""
    index: OpenIndex = request.app.state.open_index.get(session, utcnow().date())
    return index


# get_config and get_user are async on purpose: they do no I/O, and FastAPI runs every plain
# ``def`` dependency in the thread pool - a thread hop each, on every request.
async def get_config(request: Request) -> WebConfig:
    """The app's WebConfig."""
    config: WebConfig = request.app.state.config
    return config


async def get_user(request: Request) -> User | None:
    """Whoever web.security's middleware recognised (None when anonymous or not installed)."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, User) else None


SessionDep = Annotated[Session, Depends(get_session)]
ConfigDep = Annotated[WebConfig, Depends(get_config)]
CurrentUserDep = Annotated[User | None, Depends(get_user)]
