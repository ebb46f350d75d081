"""Fixtures for the accounts tests: a local SMTP server and a multi-user app.

Test modules load them with ``pytest_plugins = ["tests.web.conftest_accounts"]``; the helpers
(sign in, CSRF) live in tests/web/accounts_helpers.py.
"""

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import Engine

from tests.web.accounts_helpers import SECRET, Inbox, free_port
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
        facet_cache_seconds=0,
    )


@pytest.fixture
def multi_app(multi_config: WebConfig, engine: Engine) -> FastAPI:
    """The multi-user app over the test database."""
    return create_app(multi_config, engine=engine)
