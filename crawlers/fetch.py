"""Small one-off fetches with httpx (the client is a parameter, so tests pass a MockTransport).

Used for reading the 80,000 Hours search key from the board page and for liveness checks.
robots.txt is honoured here too.
"""

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from crawlers.platforms.eightyk import find_search_key

_SCRIPT_SRC = re.compile(r"<script[^>]+src=[\"']([^\"']+)[\"']", re.I)
MAX_SCRIPTS = 8


class FetchFailed(Exception):
    """A one-off fetch failed; ``reason`` is one of the crawl failure reasons."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def make_client(user_agent: str, timeout_s: float = 20.0) -> httpx.Client:
    """An httpx client that names rolefit and follows redirects."""
    return httpx.Client(
        headers={"User-Agent": user_agent}, timeout=timeout_s, follow_redirects=True
    )


def robots_allows(client: httpx.Client, url: str) -> bool:
    """Whether robots.txt on the URL's host lets our user agent fetch it (missing file: yes)."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    agent = str(client.headers.get("User-Agent", "rolefit"))
    try:
        response = client.get(robots_url)
    except httpx.HTTPError:
        return True  # unreachable robots.txt: the page fetch itself will report the problem
    if response.status_code >= 400:
        return True
    return _parser(response.text).can_fetch(agent, url)


@lru_cache(maxsize=64)
def _parser(text: str) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


def fetch_text(client: httpx.Client, url: str) -> str:
    """GET a page's text, honouring robots.txt; FetchFailed with a reason otherwise."""
    if not robots_allows(client, url):
        raise FetchFailed("robots_disallowed", f"robots.txt disallows {url}")
    try:
        response = client.get(url)
    except httpx.TimeoutException as exc:
        raise FetchFailed("timeout", f"timed out fetching {url}") from exc
    except httpx.HTTPError as exc:
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise FetchFailed("network", f"cannot fetch {url}: {detail}") from exc
    if response.status_code >= 400:
        kind = "http_4xx" if response.status_code < 500 else "http_5xx"
        raise FetchFailed(kind, f"HTTP {response.status_code} from {url}")
    return response.text


def read_search_key(client: httpx.Client, page_url: str) -> str:
    """The 80,000 Hours board's Algolia search key, read from its page or same-site scripts."""
    page = fetch_text(client, page_url)
    key = find_search_key(page)
    if key:
        return key
    host = urlsplit(page_url).netloc
    for src in _SCRIPT_SRC.findall(page)[:MAX_SCRIPTS]:
        script_url = urljoin(page_url, src)
        if urlsplit(script_url).netloc != host:
            continue
        key = find_search_key(fetch_text(client, script_url))
        if key:
            return key
    raise FetchFailed("config", f"no search key found on {page_url} or its scripts")
