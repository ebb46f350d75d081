"""`rolefit train`: train the role classifier, print its evaluation and re-tag postings."""

import click

from matcher.classifier.persist import SIDECAR_FILE
from matcher.classifier.report import format_report
from matcher.errors import MatcherError
from matcher.tagging import retrain
from rolefit.context import open_database
from rolefit.errors import RolefitError
from rolefit.settings import Settings
from store.db import session_scope


def run_train(settings: Settings) -> None:
    """Train on the corpus plus every correction, report the figures, re-tag stored postings."""
    engine = open_database(settings)
    try:
        with session_scope(engine) as session:
            result = retrain(session, settings.model_dir, cross_validation=True)
    except MatcherError as exc:
        raise RolefitError(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(format_report(result.sidecar))
    click.echo("")
    click.echo(f"figures saved to {settings.model_dir / SIDECAR_FILE}")
    click.echo(
        f"re-tagged {result.tagged} stored postings with {result.classifier.version}"
        f" ({result.labels_used} new corrections learnt)"
    )
