"""Errors of the accounts code; each message is one line fit to show the person.

AccountError
├── InvalidEmail        the address typed into the sign-in form is not an email address
├── LoginLinkError      a magic link cannot sign anyone in
│   ├── LinkExpired     older than its 15 minutes
│   ├── LinkUsed        already used once
│   └── LinkInvalid     altered, truncated or signed with another key
└── ProfileFormError    a profile form field is invalid (``field`` names it)
"""


class AccountError(Exception):
    """Base of the accounts errors."""


class InvalidEmail(AccountError):
    """Not an email address."""


class LoginLinkError(AccountError):
    """A magic link that cannot be used."""


class LinkExpired(LoginLinkError):
    """The link is older than its lifetime."""


class LinkUsed(LoginLinkError):
    """The link has been used already."""


class LinkInvalid(LoginLinkError):
    """The link was altered or not made by this server."""


class ProfileFormError(AccountError):
    """A profile field is invalid."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message
