"""The FastAPI application, built by ``create_app``; nothing is built at import time."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from store.db import make_engine
from store.models import Posting, Source
from web.config import WebConfig

HERE = Path(__file__).parent


def create_app(config: WebConfig, engine: Engine | None = None) -> FastAPI:
    """Build the web app for ``config``; pass ``engine`` to share one with the caller."""
    app = FastAPI(title="rolefit", docs_url="/docs", redoc_url=None)
    app.state.config = config
    app.state.engine = engine or make_engine(config.database_url)
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        """Open postings, newest first, and the health of every source."""
        with Session(app.state.engine) as session:
            postings = session.exec(
                select(Posting)
                .where(col(Posting.closed_at).is_(None))
                .order_by(col(Posting.posted_at).desc())
                .limit(100)
            ).all()
            sources = session.exec(select(Source).order_by(col(Source.id))).all()
        return templates.TemplateResponse(
            request,
            "home.html",
            {"postings": postings, "sources": sources, "demo": config.demo},
        )

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app
