"""Errors raised by the matcher (classifier, labels, profiles, matching).

    MatcherError                  base; the message is one line, fit for a user
    ├── CorpusError               a training or check file is missing or has a bad line
    ├── NotTrained                a classifier was used before it was fitted
    ├── ModelMismatch             a saved model was made for another vocabulary or code version
    ├── LabelError                a correction names an unknown field, value or posting
    └── ProfileError              a profile has bad TOML, an unknown field or a bad value

Other matcher modules add their own subclasses of MatcherError here.
"""


class MatcherError(Exception):
    """Base class for matcher errors; the message is one line, fit for a user."""


class CorpusError(MatcherError):
    """The labelled corpus cannot be read: a file is missing or a line is invalid."""


class NotTrained(MatcherError):
    """The classifier was asked to predict before it was trained."""


class ModelMismatch(MatcherError):
    """A saved model does not fit this code: other label set, code version or library."""


class LabelError(MatcherError):
    """A correction is invalid: unknown field, unknown value or missing posting."""


class ProfileError(MatcherError):
    """A profile is invalid: bad TOML, an unknown field or a value out of range."""
