"""The scheduled jobs: each a short function that calls domain code and returns what it did.

Every job takes ``(config, engine)`` so a CLI command can run the same function once. All
scheduling state (which source is due, which digest is sent) lives in the database, so a job
run from cron, from ``rolefit`` or from the scheduler does the same thing.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, or_
from sqlmodel import col, select

from scheduler import lifecycle
from scheduler.config import SchedulerConfig
from scheduler.planning import DigestReport
from scheduler.sending import send_due_digests
from store.clock import utcnow
from store.db import session_scope
from store.models import CrawlRun, Posting, PostingChange, Source

log = logging.getLogger(__name__)


def crawl_due(config: SchedulerConfig, engine: Engine, *, now: datetime | None = None) -> Any:
    """Crawl the sources whose time has come (new ones too); return the crawl outcomes."""
    from crawlers.registry import load_sources
    from crawlers.runner import crawl, due_sources
    from crawlers.settings import CrawlOptions

    now = now or utcnow()
    configs = [c for c in load_sources(config.sources_file) if c.enabled]
    with session_scope(engine) as session:
        due = {c.id for c in due_sources(session, now)}
        known = set(session.exec(select(Source.id)).all())
    todo = [c for c in configs if c.id in due or c.id not in known]
    if not todo:
        return []
    interval = timedelta(hours=config.crawl_interval_hours)
    options = CrawlOptions(contact_url=config.contact_url)
    outcomes = crawl(config.database_url, todo, interval=interval, engine=engine, options=options)
    log.info("crawled %d due sources", len(outcomes))
    return outcomes


def _changed_since_tagged(engine: Engine) -> list[int]:
    """Postings whose content changed after they were last tagged."""
    with session_scope(engine) as session:
        query = (
            select(Posting.id)
            .join(PostingChange, col(PostingChange.posting_id) == col(Posting.id))
            .where(
                or_(
                    col(Posting.tagged_at).is_(None),
                    col(PostingChange.changed_at) > col(Posting.tagged_at),
                )
            )
            .distinct()
        )
        return [i for i in session.exec(query).all() if i is not None]


def classify_new(config: SchedulerConfig, engine: Engine) -> int:
    """Tag postings that are untagged, tagged by an older model, or changed since tagging."""
    from matcher.tagging import current_classifier, tag_postings

    changed = _changed_since_tagged(engine)
    with session_scope(engine) as session:
        classifier = current_classifier(session, config.model_dir)
        count = tag_postings(session, classifier, only_stale=True)
        if changed:
            count += tag_postings(session, classifier, ids=changed)
    if count:
        log.info("tagged %d new or changed postings", count)
    return count


def retrain_if_labels(config: SchedulerConfig, engine: Engine) -> int:
    """Retrain and re-tag when corrections exist that no model has learnt; return how many."""
    from matcher.labels import unused_label_count
    from matcher.tagging import retrain

    with session_scope(engine) as session:
        waiting = unused_label_count(session)
        if not waiting:
            return 0
        result = retrain(session, config.model_dir, cross_validation=False)
    log.info("retrained on %d new corrections; re-tagged %d postings", waiting, result.tagged)
    return waiting


def check_links(
    config: SchedulerConfig, engine: Engine, *, client: Any = None, now: datetime | None = None
) -> Any:
    """Check open postings' pages (a batch per run, each at most daily); close gone ones.

    A 404/410 or a "no longer accepting applications" page closes a posting on the second
    such answer in a row (crawlers.liveness); network errors and 5xx change nothing.
    """
    from crawlers.fetch import make_client
    from crawlers.liveness import check_open_postings
    from crawlers.settings import CrawlOptions

    own = client is None
    client = client or make_client(CrawlOptions(contact_url=config.contact_url).user_agent)
    try:
        with session_scope(engine) as session:
            counts = check_open_postings(
                session, client, now or utcnow(), should_stop=lifecycle.stopping.is_set
            )
    finally:
        if own:
            client.close()
    if counts.get("closed"):
        log.info("link checks closed %d postings", counts["closed"])
    return counts


def send_digests(config: SchedulerConfig, engine: Engine) -> DigestReport:
    """Send the digests due now (exactly once per subscription and period)."""
    report = send_due_digests(engine, config)
    if report.items:
        log.info("digests: %s", report.totals())
    return report


def prune_runs(config: SchedulerConfig, engine: Engine, *, now: datetime | None = None) -> int:
    """Delete crawl runs older than ``keep_runs_days``, keeping each source's latest run."""
    cutoff = (now or utcnow()) - timedelta(days=config.keep_runs_days)
    with session_scope(engine) as session:
        latest = select(func.max(CrawlRun.id)).group_by(col(CrawlRun.source_id))
        result = session.execute(
            delete(CrawlRun).where(
                col(CrawlRun.started_at) < cutoff, col(CrawlRun.id).not_in(latest)
            )
        )
        removed = int(getattr(result, "rowcount", 0) or 0)
    if removed:
        log.info("pruned %d crawl runs older than %s", removed, cutoff.date())
    return removed
