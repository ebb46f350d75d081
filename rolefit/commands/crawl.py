"""`rolefit crawl`: crawl sources now, store what changed, and show a table per source."""

import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rolefit.context import open_database
from rolefit.errors import ConfigError, RolefitError
from rolefit.settings import Settings

if TYPE_CHECKING:
    from crawlers.apply import CrawlOutcome
    from crawlers.registry import SourceConfig
    from crawlers.settings import CrawlOptions


def console() -> Console:
    """A console for tables: the terminal's width, or a wide one when output is redirected."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def crawl_options(settings: Settings) -> "CrawlOptions":
    """Crawler politeness settings from rolefit's settings."""
    from crawlers.settings import CrawlOptions

    return CrawlOptions(
        contact_url=settings.contact_url,
        delay_s=settings.crawl_delay_s,
        timeout_s=settings.crawl_timeout_s,
        per_host=settings.crawl_per_host,
        # Retry backoff scales with the politeness delay (2 s at the default 1 s delay).
        backoff_base_s=max(0.25, 2 * settings.crawl_delay_s),
    )


def configured_sources(
    settings: Settings, sources_file: Path | None = None, source_ids: list[str] | None = None
) -> "list[SourceConfig]":
    """The bundled sources with ROLEFIT_SOURCES and --sources merged over them."""
    from crawlers.errors import SourceConfigError
    from crawlers.registry import load_sources, select_sources

    extras = [path for path in (settings.sources, sources_file) if path]
    try:
        return select_sources(load_sources(extras), source_ids or [])
    except SourceConfigError as exc:
        raise ConfigError(str(exc)) from exc


def outcome_table(outcomes: "list[CrawlOutcome]") -> Table:
    """One row per source: status and counts, with the failure reason when there is one."""
    table = Table(title="crawl results", show_lines=False)
    widest = max((len(o.source_id) for o in outcomes), default=6)
    table.add_column("source", no_wrap=True, min_width=widest)
    table.add_column("status", no_wrap=True)
    for name in ("new", "updated", "unchanged", "closed", "errors"):
        table.add_column(name, justify="right")
    table.add_column("note", overflow="fold", min_width=20)
    colours = {"ok": "green", "not_modified": "green", "disabled": "dim"}
    for o in outcomes:
        colour = colours.get(o.status, "red")
        note = (o.message or "")[:160]
        if o.linked:
            note = f"{o.linked} merged with other sources" + (f"; {note}" if note else "")
        if o.disabled:
            note = "now disabled; " + note
        table.add_row(
            o.source_id, f"[{colour}]{o.status}[/]", str(o.new), str(o.updated), str(o.unchanged),
            str(o.closed), str(o.errors), note,
        )  # fmt: skip
    return table


def _tag(settings: Settings, engine: object, ids: list[int], console: Console) -> None:
    if not ids:
        return
    from rolefit.tagging import tag_changed

    try:
        tagged = tag_changed(settings, engine, ids)  # type: ignore[arg-type]
    except (RolefitError, OSError, ValueError) as exc:
        console.print(f"[yellow]postings stored but not tagged: {exc}[/]")
        return
    console.print(f"tagged {tagged} new or changed postings")


def run_crawl(settings: Settings, *, sources_file: Path | None, source_ids: list[str]) -> None:
    """Crawl the configured sources (or the given ids) and print a table of what changed."""
    from crawlers.runner import crawl

    sources = configured_sources(settings, sources_file, source_ids)
    if not sources:
        raise ConfigError("no sources to crawl")
    engine = open_database(settings)
    errors = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=errors, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("crawling", total=len(sources))

        def progress(event: str, source_id: str, outcome: "CrawlOutcome | None") -> None:
            status = outcome.status if outcome else event
            bar.update(task, advance=1, description=f"crawling ({source_id}: {status})")

        outcomes = crawl(
            settings.resolved_database_url,
            sources,
            progress=progress,
            options=crawl_options(settings),
            interval=timedelta(hours=settings.crawl_interval_hours),
            engine=engine,
        )
    console().print(outcome_table(outcomes))
    _tag(settings, engine, [i for o in outcomes for i in o.changed_ids], errors)
    tried = [o for o in outcomes if o.status != "disabled"]
    failed = [o for o in tried if o.failed]
    click.echo(
        f"{len(tried) - len(failed)} of {len(tried)} sources crawled; "
        f"{sum(o.new for o in outcomes)} new, {sum(o.closed for o in outcomes)} closed",
        err=True,
    )
    if tried and len(failed) == len(tried):
        raise RolefitError(f"all {len(tried)} sources failed (see the table for each reason)")
