"""A real SMTP server in the test process (aiosmtpd on a free local port) that records mail.

``replies`` lets a test script failures: each DATA command pops the next reply (for example
"451 4.3.0 try later" or "550 5.1.1 no such user") and answers "250 OK" once they run out.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """An unused TCP port on localhost."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Recorder:
    """The aiosmtpd handler: records accepted messages, answers scripted replies first."""

    replies: list[str] = field(default_factory=list)
    delay_s: float = 0.0
    messages: list[EmailMessage] = field(default_factory=list)
    peers: list[tuple[str, int]] = field(default_factory=list)  # client address per message
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_s:
            time.sleep(self.delay_s)  # deliberately blocking: a slow server, one message at a time
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
            parsed = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
            self.peers.append(tuple(session.peer))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to ``address``."""
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server(recorder: Recorder | None = None) -> Iterator[tuple[str, Recorder]]:
    """Run a recording SMTP server; yield its smtp:// URL and the recorder."""
    recorder = recorder or Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", recorder
    finally:
        controller.stop()
