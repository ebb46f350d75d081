"""Fixtures shared by the classifier tests: one trained model per test session."""

import shutil
from pathlib import Path

import pytest

from matcher.classifier import load_model, train_and_save
from rolefit.settings import Settings


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained model per session, shared by the classifier test modules."""
    folder = tmp_path_factory.getbasetemp() / "classifier-model"
    if load_model(folder) is None:
        train_and_save(folder, cross_validation=False)
    return folder


@pytest.fixture
def model_settings(settings: Settings, trained_dir: Path) -> Settings:
    """Settings whose model folder already holds the session's trained model."""
    shutil.copytree(trained_dir, settings.model_dir)
    return settings
