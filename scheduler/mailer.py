"""Sending one email over SMTP, with failures sorted into temporary and permanent.

    MailError
    ├── TemporaryMailError   worth retrying later (connection refused, 4xx replies, timeouts)
    └── PermanentMailError   retrying will not help (5xx replies, bad address, auth refused)

``ROLEFIT_SMTP_URL`` looks like ``smtp://user:pass@host:587`` (STARTTLS when the server offers
it) or ``smtps://user:pass@host:465`` (TLS from the start).
"""

import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import Message
from urllib.parse import unquote, urlsplit


class MailError(Exception):
    """Sending failed; the message is one line."""


class TemporaryMailError(MailError):
    """A failure that may go away: try again later."""


class PermanentMailError(MailError):
    """A failure that will not go away by retrying."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send mail.

    Example::

        SmtpConfig.from_url("smtp://127.0.0.1:8025")
    """

    host: str
    port: int
    use_tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_url(
        cls, url: str, *, username: str | None = None, password: str | None = None
    ) -> "SmtpConfig":
        """Parse an smtp:// or smtps:// URL; separate credentials win over ones in the URL."""
        parts = urlsplit(url)
        # Never echo the URL itself: it may carry a password.
        if parts.scheme not in ("smtp", "smtps"):
            given = f"{parts.scheme}://" if parts.scheme else "no scheme"
            raise PermanentMailError(f"SMTP URL must start smtp:// or smtps://, not {given}")
        if not parts.hostname:
            raise PermanentMailError("SMTP URL has no host: write smtp://host[:port]")
        try:
            port = parts.port
        except ValueError:
            raise PermanentMailError("SMTP URL has a port that is not a number 0-65535") from None
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=port or (465 if tls else 25),
            use_tls=tls,
            username=username or (unquote(parts.username) if parts.username else None),
            password=password or (unquote(parts.password) if parts.password else None),
        )


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.use_tls:
        return smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
        )
    client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    client.ehlo()
    if client.has_extn("starttls"):
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    return client


def _login(config: SmtpConfig) -> smtplib.SMTP:
    client = _connect(config)
    try:
        if config.username:
            client.login(config.username, config.password or "")
    except BaseException:
        client.close()
        raise
    return client


def _classified(exc: Exception, config: SmtpConfig) -> MailError:
    """The MailError an smtplib/socket failure amounts to (temporary or permanent)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return PermanentMailError(f"SMTP login refused: {exc.smtp_code}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        error = TemporaryMailError if all(400 <= c < 500 for c in codes) else PermanentMailError
        return error(f"recipient refused: {codes}")
    if isinstance(exc, smtplib.SMTPResponseException):
        error = TemporaryMailError if 400 <= exc.smtp_code < 500 else PermanentMailError
        text = exc.smtp_error
        reply = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return error(f"SMTP {exc.smtp_code}: {reply}")
    return TemporaryMailError(f"cannot reach SMTP server {config.host}:{config.port}: {exc}")


MAIL_FAILURES = (smtplib.SMTPException, OSError)  # OSError covers timeouts and refused sockets


class Mailer:
    """Sends several messages over one SMTP connection (a digest run sends thousands).

    Example::

        with Mailer(SmtpConfig.from_url("smtp://127.0.0.1:8025")) as mailer:
            mailer.send(message)

    A connection idle for more than ``IDLE_CHECK_S`` is checked with NOOP before it is reused
    and reopened if the server dropped it (back-to-back messages skip the extra round trip);
    after any failure the connection is closed, so the next message starts afresh.
    A message is never sent twice by the mailer itself: a failure is raised, not retried.
    """

    IDLE_CHECK_S = 5.0

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._client: smtplib.SMTP | None = None
        self._used_at = 0.0

    def _ready(self) -> smtplib.SMTP:
        if self._client is not None:
            if time.monotonic() - self._used_at < self.IDLE_CHECK_S:
                return self._client
            try:
                if self._client.noop()[0] == 250:
                    return self._client
            except MAIL_FAILURES:
                pass
            self.close()
        self._client = _login(self.config)
        return self._client

    def send(self, message: Message) -> None:
        """Send ``message``; raise TemporaryMailError or PermanentMailError on failure."""
        try:
            self._ready().send_message(message)
        except MAIL_FAILURES as exc:
            self.close()
            raise _classified(exc, self.config) from exc
        self._used_at = time.monotonic()

    def close(self) -> None:
        """Say goodbye to the server (quietly if it is already gone)."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except MAIL_FAILURES:
            client.close()

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def send_message(config: SmtpConfig, message: Message) -> None:
    """Send one message on its own connection; raise TemporaryMailError or PermanentMailError."""
    with Mailer(config) as mailer:
        mailer.send(message)
