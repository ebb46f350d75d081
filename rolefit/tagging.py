"""Tagging stored postings with the role classifier (filled in by the classifier issue)."""

from sqlalchemy import Engine

from rolefit.settings import Settings


def tag_all(settings: Settings, engine: Engine) -> int:
    """Tag every stored posting that has no tags yet; return how many were tagged."""
    return 0
