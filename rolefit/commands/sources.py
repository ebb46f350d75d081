"""`rolefit sources list|check`: the configured sources and their health."""

from pathlib import Path

from rich.table import Table
from sqlalchemy import func
from sqlmodel import col, select

from rolefit.commands.crawl import configured_sources, console
from rolefit.context import open_database
from rolefit.settings import Settings
from store.clock import utcnow
from store.db import session_scope
from store.models import Posting, Source


def run_sources_list(settings: Settings, *, sources_file: Path | None) -> None:
    """Print the configured sources: id, platform, organisation, endpoint, verified."""
    sources = configured_sources(settings, sources_file)
    table = Table(title=f"{len(sources)} sources")
    table.add_column("id", no_wrap=True)
    table.add_column("platform", no_wrap=True)
    table.add_column("organisation", min_width=12)
    table.add_column("type", min_width=7)
    table.add_column("kind", min_width=5)
    table.add_column("verified", no_wrap=True)
    table.add_column("endpoint", overflow="fold", min_width=16)
    for s in sources:
        verified = "yes" if s.verified else "[yellow]no[/]"
        if not s.enabled:
            verified += " (off)"
        table.add_row(s.id, s.platform, s.organisation, s.org_type, s.kind, verified, s.endpoint())
    console().print(table)


def _when(value: object) -> str:
    if value is None:
        return "never"
    from datetime import datetime

    assert isinstance(value, datetime)
    return value.strftime("%Y-%m-%d %H:%M")


def run_sources_check(settings: Settings) -> None:
    """Print each crawled source's health from the database."""
    engine = open_database(settings)
    with session_scope(engine) as session:
        sources = session.exec(select(Source).order_by(col(Source.id))).all()
        counts = dict(
            session.exec(
                select(Posting.source_id, func.count())
                .where(col(Posting.closed_at).is_(None))
                .group_by(col(Posting.source_id))
            ).all()
        )
    if not sources:
        console().print("no source has been crawled yet: run `rolefit crawl`")
        return
    now = utcnow()
    table = Table(title="source health")
    for name in ("source", "health", "open", "last success", "streak", "next crawl"):
        table.add_column(name, no_wrap=name == "source")
    table.add_column("last error", overflow="fold", min_width=24)
    for s in sources:
        if not s.enabled:
            health = f"[dim]disabled[/]: {s.disabled_reason or ''}"
        elif s.error_streak:
            health = "[red]failing[/]"
        elif s.last_success_at:
            health = "[green]ok[/]"
        else:
            health = "new"
        due = s.next_crawl_at
        next_crawl = "now" if due is None or due <= now else _when(due)
        table.add_row(
            s.id, health, str(counts.get(s.id, 0)), _when(s.last_success_at), str(s.error_streak),
            next_crawl, (s.last_error or "")[:120],
        )  # fmt: skip
    console().print(table)
