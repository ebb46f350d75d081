"""The ``rolefit`` command line.

Command names and options here are a contract for scripts. Each command is a thin wrapper that
imports its implementation from ``rolefit.commands`` only when run, so ``rolefit --help`` stays
fast and nothing heavy happens at import time. Every error reaches the user as one line on
stderr with a non-zero exit (set ROLEFIT_DEBUG=1 for the traceback).
"""

import os
import sys
from pathlib import Path
from typing import Any

import click

from rolefit.errors import InputError, RolefitError

FORMATS = (
    "greenhouse",
    "lever",
    "ashby",
    "workable",
    "smartrecruiters",
    "recruitee",
    "personio",
    "teamtailor",
    "jsonld",
    "aisafety",
    "eightyk",
    "feed",
    "html",
)


def _settings(ctx: click.Context) -> Any:
    from rolefit.settings import load_settings

    if ctx.obj is None:
        ctx.obj = load_settings()
    return ctx.obj


def _existing_file(path: str) -> Path:
    if path == "-":
        return Path("-")
    file = Path(path)
    if not file.exists():
        raise InputError(f"no such file: {path}")
    if file.is_dir():
        raise InputError(f"{path} is a folder, not a file")
    return file


host_option = click.option("--host", default=None, help="Address to listen on [127.0.0.1].")
port_option = click.option("--port", type=int, default=None, help="Port to listen on [8000].")
workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Web server processes [ROLEFIT_WEB_WORKERS, 1]; one per core serves the most.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rolefit")
def cli() -> None:
    """rolefit: AI-safety jobs, fellowships and grants, tagged and matched to you."""


@cli.command()
@host_option
@port_option
@workers_option
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Upgrade the database, start the scheduler and serve the web view."""
    from rolefit.commands.serve import run_main

    run_main(_settings(ctx), host=host, port=port, workers=workers, scheduler=True)


@cli.command()
@host_option
@port_option
@click.pass_context
def demo(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the bundled sample postings from a separate demo database."""
    from rolefit.commands.demo import run_demo

    run_demo(_settings(ctx), host=host, port=port)


@cli.command()
@host_option
@port_option
@workers_option
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web view only (no scheduler)."""
    from rolefit.commands.serve import run_main

    run_main(_settings(ctx), host=host, port=port, workers=workers, scheduler=False)


@cli.command()
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Run the scheduler alone: crawl, classify, retrain, check links, send digests."""
    from rolefit.commands.schedule import run_schedule

    run_schedule(_settings(ctx))


@cli.command()
@click.option("--sources", "sources_file", default=None, help="Extra sources TOML file.")
@click.option("--source", "source_ids", multiple=True, help="Crawl only this source id.")
@click.pass_context
def crawl(ctx: click.Context, sources_file: str | None, source_ids: tuple[str, ...]) -> None:
    """Crawl sources now and show what changed per source."""
    from rolefit.commands.crawl import run_crawl

    file = _existing_file(sources_file) if sources_file else None
    run_crawl(_settings(ctx), sources_file=file, source_ids=list(source_ids))


@cli.command()
@click.option("--format", "fmt", required=True, help="One of: " + ", ".join(FORMATS) + ".")
@click.argument("file")
@click.pass_context
def parse(ctx: click.Context, fmt: str, file: str) -> None:
    """Parse one saved payload and print one JSON record per posting."""
    from rolefit.commands.parse import run_parse

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    run_parse(fmt, _existing_file(file))


@cli.command("import")
@click.argument("file")
@click.option("--source", "source_id", default="import", help="Source id to file them under.")
@click.pass_context
def import_(ctx: click.Context, file: str, source_id: str) -> None:
    """Import normalised posting records (JSON lines, as printed by parse)."""
    from rolefit.commands.importing import run_import

    run_import(_settings(ctx), _existing_file(file), source_id=source_id)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option("--include-closed", is_flag=True, help="Also export closed postings.")
@click.pass_context
def export(ctx: click.Context, fmt: str, include_closed: bool) -> None:
    """Export stored postings with their tags to stdout."""
    from rolefit.commands.export import run_export

    run_export(_settings(ctx), fmt=fmt, include_closed=include_closed)


@cli.command()
@click.argument("file", required=False, default="-")
@click.pass_context
def classify(ctx: click.Context, file: str) -> None:
    """Tag JSON lines ({id, title, text}) from FILE or stdin; one JSON line out per input."""
    from rolefit.commands.classify import run_classify

    run_classify(_settings(ctx), _existing_file(file))


@cli.command()
@click.pass_context
def train(ctx: click.Context) -> None:
    """Train the role classifier, print its evaluation and re-tag stored postings."""
    from rolefit.commands.train import run_train

    run_train(_settings(ctx))


@cli.command()
@click.option("--profile", "profile_file", required=True, help="Profile TOML file.")
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--show-excluded", is_flag=True, help="Also list excluded postings and why.")
@click.pass_context
def match(
    ctx: click.Context, profile_file: str, limit: int, as_json: bool, show_excluded: bool
) -> None:
    """Rank open postings for a profile, with reasons."""
    from rolefit.commands.match import run_match

    run_match(
        _settings(ctx),
        _existing_file(profile_file),
        limit=limit,
        as_json=as_json,
        show_excluded=show_excluded,
    )


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@click.option("--send", is_flag=True, help="Send the digests that are due now.")
@click.pass_context
def digest(ctx: click.Context, dry_run: bool, send: bool) -> None:
    """Build (and with --send, send) the email digests that are due."""
    from rolefit.commands.digest import run_digest

    run_digest(_settings(ctx), dry_run=dry_run or not send, send=send and not dry_run)


@cli.command()
@click.option("--profile", "profile_file", required=True, help="Profile TOML file.")
@click.option("--email", required=True, help="Where to send the digest.")
@click.option("--frequency", type=click.Choice(["daily", "weekly"]), default="weekly")
@click.option("--min-score", type=float, default=0.0, show_default=True)
@click.option("--min-matches", type=int, default=1, show_default=True)
@click.pass_context
def subscribe(
    ctx: click.Context,
    profile_file: str,
    email: str,
    frequency: str,
    min_score: float,
    min_matches: int,
) -> None:
    """Subscribe an address to a digest of new matches for a profile."""
    from rolefit.commands.subscribe import run_subscribe

    run_subscribe(
        _settings(ctx),
        _existing_file(profile_file),
        email=email,
        frequency=frequency,
        min_score=min_score,
        min_matches=min_matches,
    )


@cli.group()
def sources() -> None:
    """List sources and check their health."""


@sources.command("list")
@click.option("--sources", "sources_file", default=None, help="Extra sources TOML file.")
@click.pass_context
def sources_list(ctx: click.Context, sources_file: str | None) -> None:
    """List the configured sources."""
    from rolefit.commands.sources import run_sources_list

    file = _existing_file(sources_file) if sources_file else None
    run_sources_list(_settings(ctx), sources_file=file)


@sources.command("check")
@click.pass_context
def sources_check(ctx: click.Context) -> None:
    """Show each source's health: last success, last error, streak, open postings."""
    from rolefit.commands.sources import run_sources_check

    run_sources_check(_settings(ctx))


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply database migrations up to the latest schema."""
    from rolefit.commands.db import run_upgrade

    run_upgrade(_settings(ctx))


def _fail(message: str, code: int) -> None:
    click.echo(f"rolefit: error: {message}", err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every failure into one line on stderr."""
    from store.errors import StoreError

    try:
        code = cli.main(args=argv, prog_name="rolefit", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except click.ClickException as exc:
        _fail(exc.format_message().replace("\n", " "), exc.exit_code)
    except RolefitError as exc:
        _fail(str(exc), exc.exit_code)
    except StoreError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("ROLEFIT_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        _fail(f"{type(exc).__name__}: {first} (set ROLEFIT_DEBUG=1 for details)", 1)
