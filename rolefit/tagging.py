"""Tagging stored postings with the role classifier, for the CLI, the demo and crawls.

The classifier is loaded from the data folder's model directory; when none is saved (or it is
stale) it is trained first, including the database's corrections, which takes seconds.
"""

from sqlalchemy import Engine

from matcher.classifier import RoleClassifier, load_or_train
from matcher.tagging import current_classifier, tag_postings
from rolefit.settings import Settings
from store.db import session_scope


def classifier_for(settings: Settings, engine: Engine | None = None) -> RoleClassifier:
    """The saved classifier, or a freshly trained one (with ``engine``'s corrections, if given)."""
    if engine is None:
        return load_or_train(settings.model_dir)
    with session_scope(engine) as session:
        return current_classifier(session, settings.model_dir)


def tag_all(settings: Settings, engine: Engine) -> int:
    """Tag every stored posting not yet tagged by the current model; return how many."""
    classifier = classifier_for(settings, engine)
    with session_scope(engine) as session:
        return tag_postings(session, classifier, only_stale=True)


def tag_changed(settings: Settings, engine: Engine, ids: list[int]) -> int:
    """Tag the given (new or changed) postings; return how many were tagged."""
    if not ids:
        return 0
    classifier = classifier_for(settings, engine)
    with session_scope(engine) as session:
        return tag_postings(session, classifier, ids=ids)
