"""Running a crawl: sync source rows, run Scrapy in a subprocess, store each result as it lands.

``crawl(database_url, sources)`` is what ``rolefit crawl`` and the scheduler call. The Scrapy
crawl runs in ``python -m crawlers.crawl_process`` (a fresh Twisted reactor each time); this
process reads its JSON lines and applies each source's result in its own transaction, so a
crash halfway keeps what was stored. Nothing is closed for a source whose crawl failed.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from crawlers.apply import CrawlOutcome, apply_result
from crawlers.fetch import FetchFailed, make_client, read_search_key
from crawlers.registry import SourceConfig
from crawlers.revalidate import revalidate
from crawlers.settings import CrawlOptions
from store.clock import utcnow
from store.db import make_engine, session_scope
from store.dedup import DedupIndex
from store.ingest import get_or_create_organisation
from store.models import Organisation, Source

Progress = Callable[[str, str, CrawlOutcome | None], None]
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def sync_sources(session: Session, sources: list[SourceConfig]) -> dict[str, Source]:
    """Create or update the Source row of each entry (a changed endpoint forgets validators)."""
    ids = [config.id for config in sources]
    existing = {row.id: row for row in session.exec(select(Source).where(col(Source.id).in_(ids)))}
    orgs: dict[str, Organisation | None] = {}
    rows = {}
    for config in sources:
        if config.organisation not in orgs:
            orgs[config.organisation] = get_or_create_organisation(
                session, config.organisation, org_type=config.org_type
            )
        org = orgs[config.organisation]
        row = existing.get(config.id)
        if row is None:
            row = Source(id=config.id, platform=config.platform)
            session.add(row)
        if row.endpoint != config.endpoint():
            row.etag = row.last_modified = None
        row.platform = config.platform
        row.endpoint = config.endpoint()
        row.organisation_id = org.id if org else None
        row.default_kind = config.kind
        row.config = config.model_dump(mode="json")
        if not config.enabled:
            row.enabled, row.disabled_reason = False, "disabled in the sources file"
        elif row.disabled_reason == "disabled in the sources file":
            row.enabled, row.disabled_reason = True, None
        rows[config.id] = row
    session.flush()
    return rows


def due_sources(session: Session, now: datetime) -> list[SourceConfig]:
    """Enabled sources whose next crawl time has come (or was never set)."""
    rows = session.exec(
        select(Source).where(
            col(Source.enabled).is_(True),
            or_(col(Source.next_crawl_at).is_(None), col(Source.next_crawl_at) <= now),
        )
    ).all()
    due = []
    for row in rows:
        try:
            due.append(SourceConfig.model_validate(row.config))
        except ValueError:
            continue  # a row without a valid stored entry (e.g. an import source)
    return due


def _job(config: SourceConfig, row: Source, secrets: dict[str, str]) -> dict[str, Any]:
    return {
        "id": config.id,
        "platform": config.platform,
        "etag": row.etag,
        "last_modified": row.last_modified,
        "ctx": {
            "source_format": config.platform,
            "organisation": config.organisation,
            "token": config.token,
            "url": config.url,
            "config": config.config(),
            "secrets": secrets,
        },
    }


def _secrets(config: SourceConfig, client: httpx.Client) -> dict[str, str]:
    """Run-time secrets a source needs (the 80,000 Hours search key); never stored."""
    if config.platform != "eightyk":
        return {}
    page = str(config.options.get("key_page") or "https://jobs.80000hours.org/")
    return {"algolia_key": read_search_key(client, page)}


def crawl(
    database_url: str,
    sources: list[SourceConfig],
    *,
    progress: Progress | None = None,
    options: CrawlOptions | None = None,
    interval: timedelta = timedelta(hours=6),
    client: httpx.Client | None = None,
    engine: Engine | None = None,
) -> list[CrawlOutcome]:
    """Crawl the sources now; return one outcome per source (failures included, never raised)."""
    options = options or CrawlOptions()
    engine = engine or make_engine(database_url)
    now = utcnow()
    outcomes: dict[str, CrawlOutcome] = {}
    own_client = client is None
    client = client or make_client(options.user_agent, options.timeout_s)
    try:
        jobs = _prepare(engine, sources, client, now, interval, outcomes)
        for outcome in list(outcomes.values()):
            if progress:
                progress("done", outcome.source_id, outcome)
        orgs = {c.id: c.org_type for c in sources}
        if jobs:
            jobs = _revalidate(engine, jobs, options, interval, orgs, outcomes, progress, client)
    finally:
        if own_client:
            client.close()
    if jobs:
        _run_subprocess(engine, jobs, options, interval, orgs, outcomes, progress)
    return [outcomes[c.id] for c in sources if c.id in outcomes]


def _prepare(
    engine: Engine,
    sources: list[SourceConfig],
    client: httpx.Client,
    now: datetime,
    interval: timedelta,
    outcomes: dict[str, CrawlOutcome],
) -> list[dict[str, Any]]:
    """Sync source rows; return crawl jobs for the enabled ones (recording any that cannot start)."""
    jobs = []
    with session_scope(engine) as session:
        rows = sync_sources(session, sources)
        for config in sources:
            row = rows[config.id]
            if not row.enabled:
                message = row.disabled_reason or "disabled"
                outcomes[config.id] = CrawlOutcome(config.id, "disabled", message=message)
                continue
            try:
                jobs.append(_job(config, row, _secrets(config, client)))
            except FetchFailed as exc:
                outcomes[config.id] = _store_failure(
                    session, row, exc.reason, str(exc), now, interval
                )
    return jobs


def _lazy_index(engine: Engine) -> Callable[[], DedupIndex]:
    """A function building the dedup index on first use and reusing it afterwards."""
    built: list[DedupIndex] = []

    def get() -> DedupIndex:
        if not built:
            with session_scope(engine) as session:
                built.append(DedupIndex.build(session))
        return built[0]

    return get


def _apply_one(
    engine: Engine,
    message: dict[str, Any],
    interval: timedelta,
    org_types: dict[str, str],
    dedup: Callable[[], DedupIndex],
) -> CrawlOutcome:
    """Store one source's result in its own transaction."""
    source_id = message["source_id"]
    with session_scope(engine) as session:
        row = session.get(Source, source_id)
        assert row is not None
        return apply_result(
            session, row, message, now=utcnow(), interval=interval,
            org_type=org_types[source_id], dedup=dedup,
        )  # fmt: skip


def _revalidate(
    engine: Engine,
    jobs: list[dict[str, Any]],
    options: CrawlOptions,
    interval: timedelta,
    org_types: dict[str, str],
    outcomes: dict[str, CrawlOutcome],
    progress: Progress | None,
    client: httpx.Client,
) -> list[dict[str, Any]]:
    """Conditional GETs for boards with validators; returns the jobs Scrapy still has to do."""
    settled: list[dict[str, Any]] = []
    rest = revalidate(client, jobs, options, settled.append)
    dedup = _lazy_index(engine)
    done: list[CrawlOutcome] = []
    # One transaction for all of them: mostly 304s, whose bookkeeping is a few UPDATEs each.
    with session_scope(engine) as session:
        ids = [message["source_id"] for message in settled]
        rows = {r.id: r for r in session.exec(select(Source).where(col(Source.id).in_(ids)))}
        for message in settled:
            row = rows[message["source_id"]]
            done.append(
                apply_result(
                    session,
                    row,
                    message,
                    now=utcnow(),
                    interval=interval,
                    org_type=org_types[row.id],
                    dedup=dedup,
                )  # fmt: skip
            )
    for outcome in done:
        outcomes[outcome.source_id] = outcome
        if progress:
            progress("done", outcome.source_id, outcome)
    return rest


def _store_failure(
    session: Session, row: Source, reason: str, message: str, now: datetime, interval: timedelta
) -> CrawlOutcome:
    result = {"status": "failed", "reason": reason, "message": message, "records": []}
    return apply_result(session, row, result, now=now, interval=interval)


def _command() -> list[str]:
    return [sys.executable, "-m", "crawlers.crawl_process"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


def _run_subprocess(
    engine: Engine,
    jobs: list[dict[str, Any]],
    options: CrawlOptions,
    interval: timedelta,
    org_types: dict[str, str],
    outcomes: dict[str, CrawlOutcome],
    progress: Progress | None,
) -> None:
    """Run the crawl process and apply each source's result as its line arrives."""
    payload = json.dumps({"options": options.to_json(), "sources": jobs})
    limit = max(
        120.0, options.timeout_s * (options.retry_times + 2) * 4 + len(jobs) * options.delay_s * 4
    )
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                _command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                env=_env(), cwd=str(PROJECT_ROOT),
            )  # fmt: skip
        except OSError as exc:
            _mark_unfinished(
                engine, jobs, f"cannot start the crawl process: {exc}", interval, outcomes, progress
            )
            return
        timer = threading.Timer(limit, process.kill)
        timer.start()
        try:
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(payload.encode())
                process.stdin.close()
            except OSError:
                pass  # it died before reading its orders; its exit code and stderr say why
            dedup = _lazy_index(engine)
            for line in process.stdout:
                message = _decode(line)
                if (
                    message.get("event") != "source_done"
                    or message.get("source_id") not in org_types
                ):
                    continue
                source_id = message["source_id"]
                outcome = _apply_one(engine, message, interval, org_types, dedup)
                outcomes[source_id] = outcome
                if progress:
                    progress("done", source_id, outcome)
            process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        errors.seek(0)
        tail = _last_error_line(errors.read().decode("utf-8", "replace"))
    why = f"crawl process exited with {process.returncode}" + (f": {tail}" if tail else "")
    _mark_unfinished(engine, jobs, why, interval, outcomes, progress)


def _mark_unfinished(
    engine: Engine,
    jobs: list[dict[str, Any]],
    why: str,
    interval: timedelta,
    outcomes: dict[str, CrawlOutcome],
    progress: Progress | None,
) -> None:
    """Record a failure (closing nothing) for every source the crawl process did not report."""
    for job in jobs:
        if job["id"] in outcomes:
            continue
        with session_scope(engine) as session:
            row = session.get(Source, job["id"])
            assert row is not None
            outcomes[job["id"]] = _store_failure(
                session, row, "crawler_died", why, utcnow(), interval
            )
        if progress:
            progress("done", job["id"], outcomes[job["id"]])


def _decode(line: bytes) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _last_error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "error" in line:
            return line[:300]
    return lines[-1][:300] if lines else ""
