"""The command line contract: every command has --help; bad input is one line, non-zero."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rolefit.cli import cli

COMMANDS = [
    "run", "demo", "serve", "schedule", "crawl", "parse", "import", "export", "classify",
    "train", "match", "digest", "subscribe", "sources", "db",
]  # fmt: skip


def rolefit(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a child process."""
    return subprocess.run(
        [sys.executable, "-c", "from rolefit.cli import main; main()", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rolefit: error: ")
    assert "Traceback" not in result.stderr


def test_help_lists_every_command() -> None:
    result = rolefit("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in cli.commands
        assert f"  {name} " in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name: str) -> None:
    result = rolefit(name, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(rolefit("import", str(tmp_path / "nope.jsonl")))
    assert_one_line_error(rolefit("parse", "--format", "greenhouse", str(tmp_path / "nope.json")))
    assert_one_line_error(rolefit("match", "--profile", str(tmp_path / "nope.toml")))


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source_format": "x", "external_id": "1", "title": "ok"}\n{not json\n')
    result = rolefit("import", str(bad))
    assert_one_line_error(result)
    assert "line 2" in result.stderr


def test_invalid_record_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source_format": "x", "external_id": "1", "title": "t", "remote": "often"}\n')
    result = rolefit("import", str(bad))
    assert_one_line_error(result)
    assert "remote" in result.stderr


def test_unknown_format(tmp_path: Path) -> None:
    payload = tmp_path / "x.json"
    payload.write_text("{}")
    result = rolefit("parse", "--format", "monster", str(payload))
    assert_one_line_error(result)
    assert "unknown format" in result.stderr


def test_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEFIT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    result = rolefit("db", "upgrade")
    assert_one_line_error(result)
    assert "cannot reach database" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("ROLEFIT_PORT", "eighty"), ("ROLEFIT_DIGEST_HOUR_UTC", "25"), ("ROLEFIT_WEB_WORKERS", "0")],
)
def test_invalid_setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    result = rolefit("db", "upgrade")
    assert_one_line_error(result)
    assert name in result.stderr


def test_unknown_command_and_option() -> None:
    assert_one_line_error(rolefit("frobnicate"))
    assert_one_line_error(rolefit("export", "--format", "xml"))


def test_import_then_export_round_trip(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text(
        '{"source_format": "greenhouse", "external_id": "42", "organisation": "Larkspur Lab",'
        ' "title": "Research Engineer", "url": "https://jobs.example/42",'
        ' "locations": ["London, UK"], "remote": "hybrid"}\n'
    )
    result = rolefit("import", str(records))
    assert result.returncode == 0, result.stderr
    assert "1 new" in result.stdout
    again = rolefit("import", str(records))
    assert "1 unchanged" in again.stdout
    exported = rolefit("export", "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    assert "Research Engineer" in exported.stdout
    assert exported.stdout.splitlines()[0].startswith("id,source_id,external_id,title")
    rows = [json.loads(line) for line in rolefit("export").stdout.splitlines()]
    assert rows[0]["kind"] in {"job", "internship", "fellowship", "course", "phd", "postdoc",
                               "grant", "other"}  # fmt: skip
    assert rows[0]["model_version"]


def test_db_upgrade_is_idempotent() -> None:
    first = rolefit("db", "upgrade")
    second = rolefit("db", "upgrade")
    assert first.returncode == second.returncode == 0
    assert "revision 0001" in second.stdout or "revision 000" in second.stdout
