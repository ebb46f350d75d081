"""Errors raised by the crawlers package.

    CrawlerError                 base; the message is one line fit for a user
    ├── ParseError               a payload is not in the format it was said to be in
    ├── SourceConfigError        a sources TOML file or one of its entries is invalid
    └── CrawlProcessError        the crawl subprocess could not be started or died

Failures of one source during a crawl (timeouts, HTTP errors, robots.txt) are not exceptions:
they become data on the Source row and the CrawlRun (see ``crawlers.runner``).
"""


class CrawlerError(Exception):
    """Base class of crawler errors."""

    exit_code = 1


class ParseError(CrawlerError):
    """A payload could not be parsed in the format it was said to be in."""


class SourceConfigError(CrawlerError):
    """A sources file, or an entry in it, is invalid."""


class CrawlProcessError(CrawlerError):
    """The crawl subprocess failed as a whole."""
