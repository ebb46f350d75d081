"""Helpers for crawler tests: fixture payloads and parsing them."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_bytes(relative: str) -> bytes:
    """The bytes of a file under tests/fixtures."""
    return (FIXTURES / relative).read_bytes()


@pytest.fixture
def fixtures_dir() -> Path:
    """tests/fixtures."""
    return FIXTURES
