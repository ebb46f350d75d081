"""Liveness checks of open postings' pages, for the scheduler (httpx; the client is a parameter).

A page that answers 404/410, or says the job is no longer accepting applications, earns a
strike; a posting closes on its second strike in a row (checked on a later run), so one bad
response never closes anything. Network errors and 5xx answers change nothing. The state
lives in ``Posting.extras["liveness"]``.
"""

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from crawlers.fetch import robots_allows
from store.models import Posting

CLOSED_BANNERS = re.compile(
    r"(no longer accepting applications|no longer (?:available|open|active)|"
    r"(?:position|role|job) has (?:been filled|closed)|applications (?:are|have) closed|"
    r"this job (?:posting )?(?:has expired|is closed)|job not found)",
    re.I,
)
STRIKES_TO_CLOSE = 2
UNREACHABLE = "unreachable"  # a connection could not even be made: skip the host this run
LIVENESS_COLUMNS = ("id", "url", "extras", "closed_at", "close_reason")


def page_verdict(status: int, text: str) -> str | None:
    """'page_gone', 'closed_banner', 'alive', or None when the answer proves nothing (5xx)."""
    if status in (404, 410):
        return "page_gone"
    if status >= 500 or status == 429:
        return None
    if status >= 400:
        return None
    return "closed_banner" if CLOSED_BANNERS.search(text[:200_000]) else "alive"


def _state(posting: Posting) -> dict[str, Any]:
    return dict((posting.extras or {}).get("liveness") or {})


def _save(posting: Posting, state: dict[str, Any]) -> None:
    posting.extras = {**(posting.extras or {}), "liveness": state}  # reassign: JSON column


def check_open_postings(
    session: Session,
    client: httpx.Client,
    now: datetime,
    *,
    limit: int = 200,
    every: timedelta = timedelta(days=1),
    delay_s: float = 1.0,
    should_stop: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Check up to ``limit`` open postings not checked within ``every``; return counts.

    A host that cannot be reached at all is not asked again in the same run, and
    ``should_stop`` is consulted before each request so a shutdown does not wait for the batch.
    """
    counts = {"checked": 0, "alive": 0, "suspect": 0, "closed": 0, "errors": 0, "skipped": 0}
    postings = session.exec(
        select(Posting)
        .options(load_only(*(getattr(Posting, name) for name in LIVENESS_COLUMNS)))
        .where(col(Posting.closed_at).is_(None))
        .order_by(col(Posting.id))
    ).all()
    last_hit: dict[str, float] = {}
    robots: dict[str, bool] = {}
    unreachable: set[str] = set()
    for posting in postings:
        if counts["checked"] >= limit or should_stop():
            break
        state = _state(posting)
        checked = state.get("checked_at")
        if not posting.url.startswith(("http://", "https://")):
            continue
        if checked and datetime.fromisoformat(checked) > now - every:
            continue
        host = urlsplit(posting.url).netloc
        if host in unreachable:
            counts["skipped"] += 1
            continue
        if host not in robots:
            robots[host] = robots_allows(client, posting.url)
        if not robots[host]:
            counts["skipped"] += 1
            continue
        wait = delay_s - (time.monotonic() - last_hit.get(host, -1e9))
        if wait > 0:
            time.sleep(wait)
        last_hit[host] = time.monotonic()
        counts["checked"] += 1
        verdict = _fetch_verdict(client, posting.url)
        if verdict == UNREACHABLE:
            unreachable.add(host)
            verdict = None
        _apply(posting, state, verdict, now, counts)
    session.flush()
    return counts


def _fetch_verdict(client: httpx.Client, url: str) -> str | None:
    try:
        response = client.get(url)
    except (httpx.ConnectError, httpx.ConnectTimeout):
        return UNREACHABLE
    except httpx.HTTPError:
        return None
    return page_verdict(response.status_code, response.text if response.status_code < 400 else "")


def _apply(
    posting: Posting,
    state: dict[str, Any],
    verdict: str | None,
    now: datetime,
    counts: dict[str, int],
) -> None:
    state["checked_at"] = now.isoformat()
    if verdict is None:
        counts["errors"] += 1
    elif verdict == "alive":
        state["strikes"] = 0
        counts["alive"] += 1
    else:
        state["strikes"] = int(state.get("strikes", 0)) + 1
        state["last_verdict"] = verdict
        if state["strikes"] >= STRIKES_TO_CLOSE:
            posting.closed_at = now
            posting.close_reason = verdict
            counts["closed"] += 1
        else:
            counts["suspect"] += 1
    _save(posting, state)
