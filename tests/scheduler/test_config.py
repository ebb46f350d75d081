"""SchedulerConfig refuses values that cannot work; rolefit names the setting in one line."""

from pathlib import Path

import pytest

from rolefit.errors import ConfigError
from rolefit.jobs import scheduler_config
from rolefit.settings import Settings
from scheduler.config import SchedulerConfig
from scheduler.errors import ConfigInvalid


def make(**values: object) -> SchedulerConfig:
    return SchedulerConfig(database_url="sqlite://", model_dir=Path("m"), secret_key="k", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"crawl_interval_hours": 0}, "crawl_interval_hours: must be more than 0, not 0"),
        ({"crawl_interval_hours": float("nan")}, "crawl_interval_hours: must be more than 0"),
        ({"digest_minutes": -1.0}, "digest_minutes: must be more than 0, not -1.0"),
        ({"max_send_attempts": 0}, "max_send_attempts: must be more than 0"),
        ({"digest_hour_utc": 24}, "digest_hour_utc: must be 0 to 23, not 24"),
        ({"public_url": "rolefit.example.org"}, "public_url: must start with http"),
    ],
)
def test_values_that_cannot_work_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigInvalid, match=message):
        make(**values)


def test_defaults_and_fast_test_values_are_fine() -> None:
    assert make().crawl_interval_hours == 6.0
    assert make(crawl_check_minutes=0.05, public_url="https://r.example").public_url


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        (
            "ROLEFIT_CRAWL_INTERVAL_HOURS",
            "-5",
            "invalid setting ROLEFIT_CRAWL_INTERVAL_HOURS: must",
        ),
        ("ROLEFIT_BASE_URL", "jobs.example.org", "invalid setting ROLEFIT_BASE_URL"),
    ],
)
def test_rolefit_names_the_setting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, env: str, value: str, message: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=message) as caught:
        scheduler_config(Settings())
    assert "\n" not in str(caught.value)


def test_digest_hour_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEFIT_DIGEST_HOUR_UTC", "18")
    assert scheduler_config(Settings()).digest_hour_utc == 18
