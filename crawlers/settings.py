"""Scrapy settings for a crawl, built from CrawlOptions (nothing is read at import time).

Politeness is the default: robots.txt obeyed, a user agent naming rolefit with a contact URL,
a per-host delay with AutoThrottle, few concurrent requests per host, a timeout, retries with
backoff that honour Retry-After, and a cap on response size.
"""

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class CrawlOptions:
    """How politely and patiently to crawl; tests and the benchmark shrink the delays."""

    contact_url: str = "https://github.com/rolefit/rolefit"
    delay_s: float = 1.0
    timeout_s: float = 30.0
    per_host: int = 2
    concurrency: int = 16
    retry_times: int = 2
    backoff_base_s: float = 2.0
    max_retry_after_s: float = 120.0
    max_bytes: int = 25 * 1024 * 1024
    autothrottle: bool = True
    obey_robots: bool = True
    log_level: str = "ERROR"

    @property
    def user_agent(self) -> str:
        """The User-Agent header: who we are and where to reach us."""
        return f"rolefit/0.1 (+{self.contact_url})"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form for the crawl subprocess."""
        return asdict(self)


def scrapy_settings(options: CrawlOptions) -> dict[str, Any]:
    """The Scrapy settings dict for these options."""
    return {
        "BOT_NAME": "rolefit",
        "USER_AGENT": options.user_agent,
        "ROBOTSTXT_OBEY": options.obey_robots,
        "DOWNLOAD_DELAY": options.delay_s,
        "RANDOMIZE_DOWNLOAD_DELAY": options.delay_s > 0,
        "CONCURRENT_REQUESTS": options.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.per_host,
        "AUTOTHROTTLE_ENABLED": options.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(options.delay_s, 0.0),
        "AUTOTHROTTLE_MAX_DELAY": max(options.delay_s * 10, 1.0),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(options.per_host),
        "DOWNLOAD_TIMEOUT": options.timeout_s,
        "DOWNLOAD_MAXSIZE": options.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": options.retry_times,
        "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
        "ROLEFIT_BACKOFF_BASE": options.backoff_base_s,
        "ROLEFIT_MAX_RETRY_AFTER": options.max_retry_after_s,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawlers.middlewares.RetryAfterMiddleware": 550,
        },
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "LOG_LEVEL": options.log_level,
        "LOG_ENABLED": True,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "DNS_TIMEOUT": min(options.timeout_s, 20.0),
    }
