"""Errors the command line turns into one-line messages.

    RolefitError                 base; ``exit_code`` is what the CLI exits with
    ├── ConfigError              a setting or a file the user gave is invalid
    ├── InputError               a file or a line of input is not what the command expects
    └── NotYetAvailable          a command whose issue has not landed (exit 2)

Errors from the packages (store.errors.StoreError, crawler and matcher errors) are also
caught by the CLI and printed as one line.
"""


class RolefitError(Exception):
    """Base class; the message is one line fit for a user."""

    exit_code = 1


class ConfigError(RolefitError):
    """A setting or configuration file is invalid."""


class InputError(RolefitError):
    """Input data is missing, malformed or of the wrong format."""


class NotYetAvailable(RolefitError):
    """The command's name and options are fixed, but its implementation has not landed."""

    exit_code = 2
