"""Sending one email over SMTP, with failures sorted into temporary and permanent.

    MailError
    ├── TemporaryMailError   worth retrying later (connection refused, 4xx replies, timeouts)
    └── PermanentMailError   retrying will not help (5xx replies, bad address, auth refused)

``ROLEFIT_SMTP_URL`` looks like ``smtp://user:pass@host:587`` (STARTTLS when the server offers
it) or ``smtps://user:pass@host:465`` (TLS from the start).
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
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
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise PermanentMailError(
                f"SMTP URL must be smtp://host[:port] or smtps://..., not {url!r}"
            )
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
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


def send_message(config: SmtpConfig, message: EmailMessage) -> None:
    """Send ``message``; raise TemporaryMailError or PermanentMailError on failure."""
    try:
        with _connect(config) as client:
            if config.username:
                client.login(config.username, config.password or "")
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise PermanentMailError(f"SMTP login refused: {exc.smtp_code}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        error = TemporaryMailError if all(400 <= c < 500 for c in codes) else PermanentMailError
        raise error(f"recipient refused: {codes}") from exc
    except smtplib.SMTPResponseException as exc:
        error = TemporaryMailError if 400 <= exc.smtp_code < 500 else PermanentMailError
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        raise error(f"SMTP {exc.smtp_code}: {text}") from exc
    except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
        raise TemporaryMailError(
            f"cannot reach SMTP server {config.host}:{config.port}: {exc}"
        ) from exc
