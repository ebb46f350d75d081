"""Helpers for the accounts tests: a local SMTP inbox, CSRF tokens, signing in by magic link."""

import re
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK_RE = re.compile(r"(https?://\S+/signin/verify\?token=\S+)")
SECRET = "accounts-test-secret-" + "k" * 32


@dataclass
class Inbox:
    """Messages the local SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def last_link(self, to: str | None = None) -> str:
        """The sign-in link in the newest message (to ``to`` when given)."""
        with self.lock:
            found = [m for m in self.messages if to is None or m["To"] == to]
        assert found, f"no mail for {to or 'anyone'}"
        body = found[-1].get_payload(decode=True)
        assert isinstance(body, bytes)
        match = LINK_RE.search(body.decode())
        assert match, "no sign-in link in the mail"
        return match.group(1)


def free_port() -> int:
    """A free local TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def csrf_from(client: TestClient, path: str = "/signin") -> str:
    """The CSRF token the page at ``path`` puts in its forms."""
    response = client.get(path)
    match = CSRF_RE.search(response.text)
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


def sign_in(client: TestClient, inbox: Inbox, email: str) -> None:
    """Sign ``client`` in as ``email`` through the emailed magic link."""
    token = csrf_from(client)
    response = client.post("/signin", data={"email": email, "csrf_token": token})
    assert response.status_code == 200, response.text
    link = inbox.last_link(email)
    confirm = client.get(link.removeprefix("http://testserver"))
    assert confirm.status_code == 200, confirm.text
    token = CSRF_RE.search(confirm.text)
    value = re.search(r'name="token" value="([^"]+)"', confirm.text)
    assert token and value
    done = client.post(
        "/signin/verify",
        data={"csrf_token": token.group(1), "token": value.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def person(app: FastAPI, inbox: Inbox, email: str) -> TestClient:
    """A TestClient signed in as ``email``."""
    client = TestClient(app)
    sign_in(client, inbox, email)
    return client


def sign_in_browser(page: Any, site: Any, email: str) -> None:
    """Sign a Playwright page in as ``email`` through the form and the emailed link."""
    page.goto(site.url + "/signin")
    page.fill("#email", email)
    page.click("button:has-text('Email me a sign-in link')")
    page.wait_for_selector("text=We sent a sign-in link")
    page.goto(site.inbox.last_link(email))
    page.click("button:has-text('Sign in')")
    page.wait_for_url("**/account")
