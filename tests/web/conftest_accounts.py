"""Fixtures for the accounts tests: a local SMTP server and a multi-user app.

Test modules load them with ``pytest_plugins = ["tests.web.conftest_accounts"]``; the helpers
(sign in, CSRF) live in tests/web/accounts_helpers.py.
"""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import Engine

from rolefit.demo_data import load_demo
from rolefit.settings import Settings
from rolefit.tagging import tag_all
from store.db import make_engine, session_scope
from store.migrate import upgrade
from tests.support.postgres import missing
from tests.web.accounts_helpers import SECRET, Inbox, free_port
from tests.web.accounts_hostile import add_hostile_postings
from web.app import create_app
from web.config import WebConfig


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    """A real SMTP server (aiosmtpd) on a free local port, for the whole session."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def inbox(smtp_server: tuple[int, Inbox]) -> Inbox:
    """The SMTP server's inbox, emptied for this test."""
    _, box = smtp_server
    with box.lock:
        box.messages.clear()
    return box


@pytest.fixture
def multi_config(sqlite_url: str, smtp_server: tuple[int, Inbox]) -> WebConfig:
    """A multi-user config: SMTP set, so people sign in by magic link."""
    port, _ = smtp_server
    return WebConfig(
        database_url=sqlite_url,
        secret_key=SECRET,
        public_url="http://testserver",
        smtp_url=f"smtp://127.0.0.1:{port}",
        index_check_seconds=0,
    )


@pytest.fixture
def multi_app(multi_config: WebConfig, engine: Engine) -> FastAPI:
    """The multi-user app over the test database."""
    return create_app(multi_config, engine=engine)


# --- the live site and the browser (session-scoped: one server, one Chromium) ---------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Beacon(BaseHTTPRequestHandler):
    """Records every request: any hit means a payload made the browser fetch something."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


@dataclass
class LiveSite:
    """The app served by uvicorn on a local port, over demo data plus hostile postings."""

    url: str
    engine: Engine
    inbox: Inbox
    hostile_ids: list[int]
    beacon_hits: list[str]


@pytest.fixture(scope="session")
def live_site(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[int, Inbox]
) -> Iterator[LiveSite]:
    """Demo sample (tagged by the real classifier) + hostile postings, served multi-user."""
    folder = tmp_path_factory.mktemp("site")
    beacon = ThreadingHTTPServer(("127.0.0.1", 0), _Beacon)
    threading.Thread(target=beacon.serve_forever, daemon=True).start()
    beacon_url = f"http://127.0.0.1:{beacon.server_address[1]}"
    engine = make_engine(f"sqlite:///{folder / 'site.db'}")
    upgrade(engine)
    load_demo(engine)
    tag_all(Settings(data_dir=folder / "data"), engine)
    with session_scope(engine) as session:
        hostile = add_hostile_postings(session, beacon_url)
    smtp_port, box = smtp_server
    port = free_port()
    config = WebConfig(
        database_url=str(engine.url),
        secret_key=SECRET,
        public_url=f"http://127.0.0.1:{port}",
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        demo=True,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, engine=engine),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    _Beacon.hits = []
    try:
        yield LiveSite(config.public_url, engine, box, hostile, _Beacon.hits)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        beacon.shutdown()
        beacon.server_close()
        engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (the system's) for the whole test session."""
    if not CHROMIUM.exists():
        missing("Chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests save screenshots (artifacts/screenshots/, not committed)."""
    folder = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
