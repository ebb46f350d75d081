"""Errors raised by the scheduler and digest code; each message is one line fit for a user.

    SchedulerError                 base
    ├── SubscriptionError          a subscription request is invalid (bad email, frequency, ...)
    ├── TokenError                 an unsubscribe token is forged, malformed or for nobody
    └── ConfigInvalid              a SchedulerConfig value is out of range (names the field)

Mail failures are ``scheduler.mailer.TemporaryMailError`` / ``PermanentMailError``; they never
escape a digest run: they become data on the DigestSend and Subscription rows.
"""


class SchedulerError(Exception):
    """Base class for scheduler errors."""


class SubscriptionError(SchedulerError):
    """A subscription cannot be created or changed as asked."""


class TokenError(SchedulerError):
    """An unsubscribe token does not verify or names no subscription."""


class ConfigInvalid(SchedulerError):
    """A SchedulerConfig value cannot work; ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.reason = field, message
