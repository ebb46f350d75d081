"""`rolefit match`: rank open postings for a profile, with reasons (a table, or JSON)."""

import json
import sys
import tomllib
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from matcher.errors import MatcherError
from matcher.fit import MatchResult, MatchResults
from matcher.fit import match as fit_match
from matcher.profile import ProfileDoc, load_profile, profile_from_dict
from rolefit.context import open_database
from rolefit.errors import InputError
from rolefit.settings import Settings


def read_profile(file: Path) -> ProfileDoc:
    """The profile in ``file`` (``-`` reads TOML from stdin); InputError naming the field."""
    try:
        if str(file) == "-":
            try:
                data = tomllib.loads(sys.stdin.read())
            except tomllib.TOMLDecodeError as exc:
                raise InputError(f"<stdin>: invalid TOML: {exc}") from exc
            return profile_from_dict(data, source="<stdin>")
        return load_profile(file)
    except MatcherError as exc:
        raise InputError(str(exc)) from exc


def _tags(result: MatchResult) -> str:
    tags = result.tags
    if tags.kind is None:
        return "not tagged yet"
    parts = [tags.kind, tags.track or ""]
    if tags.track == "technical" and tags.style and tags.level:
        parts.append(f"{tags.style} {tags.level}")
    return " · ".join(p for p in parts if p)


def _matches_table(results: MatchResults) -> Table:
    table = Table(
        title=f"Matches for {results.profile} ({len(results.matches)} of "
        f"{results.eligible} eligible, {results.considered} considered)",
        show_lines=True,
        expand=True,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("posting", ratio=3)
    table.add_column("role", ratio=2)
    table.add_column("why", ratio=5)
    for n, item in enumerate(results.matches, start=1):
        why = "\n".join(f"• {r}" for r in item.reasons)
        unknown = [c.constraint for c in item.checklist if c.status == "unknown"]
        if unknown:
            why += f"\n? not stated: {', '.join(unknown)}"
        for flag in item.flags:
            why += f"\n! {flag}"
        posting = f"[bold]{item.title}[/bold]\n{item.organisation}\n[dim]#{item.posting_id}[/dim]"
        table.add_row(str(n), f"{item.score:.2f}", posting, _tags(item), why)
    return table


def _excluded_table(results: MatchResults) -> Table:
    table = Table(title="Excluded (best scores first)", show_lines=False, expand=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("posting", ratio=3)
    table.add_column("excluded because", ratio=5)
    for item in results.excluded:
        posting = f"{item.title} — {item.organisation} [dim]#{item.posting_id}[/dim]"
        table.add_row(f"{item.score:.2f}", posting, item.excluded_reason or "")
    return table


def print_results(results: MatchResults, *, as_json: bool, show_excluded: bool) -> None:
    """Print results as the documented JSON, or as tables for people."""
    if as_json:
        click.echo(json.dumps(results.to_json(), indent=2, ensure_ascii=False))
        return
    console = Console(soft_wrap=False)
    if not results.matches:
        console.print(f"No open postings fit {results.profile}'s hard constraints.")
    else:
        console.print(_matches_table(results))
    if show_excluded and results.excluded:
        console.print(_excluded_table(results))


def run_match(
    settings: Settings, profile_file: Path, *, limit: int, as_json: bool, show_excluded: bool
) -> None:
    """Rank open postings for the profile in ``profile_file`` and print them."""
    if limit < 1:
        raise InputError("--limit must be at least 1")
    profile = read_profile(profile_file)
    engine = open_database(settings)
    try:
        with Session(engine) as session:
            results = fit_match(session, profile, limit=limit, include_excluded=show_excluded)
    finally:
        engine.dispose()
    print_results(results, as_json=as_json, show_excluded=show_excluded)
