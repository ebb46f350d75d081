"""The README stays true: its settings table matches Settings, its commands exist."""

import re
from pathlib import Path

from rolefit.cli import cli
from rolefit.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_settings_table_matches_settings_class() -> None:
    table = README.split("<!-- settings-table")[1].split("<!-- /settings-table -->")[0]
    documented = set(re.findall(r"^\| `ROLEFIT_([A-Z_]+)`", table, flags=re.M))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields


def test_every_setting_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_quick_start_has_exactly_the_two_commands() -> None:
    quick = README.split("## Quick start")[1].split("##")[0]
    block = quick.split("```sh")[1].split("```")[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "demo", "lint", "bench"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


def test_readme_commands_exist_in_cli() -> None:
    listed = set(re.findall(r"^\| `rolefit ([a-z]+)", README, flags=re.M))
    assert listed <= set(cli.commands)
    assert {"run", "demo", "serve", "schedule", "crawl", "parse", "import", "export"} <= listed
    assert {"classify", "train", "match", "digest", "sources", "db", "subscribe"} <= listed


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text()
