"""`rolefit parse` prints the contract records, and fails with one line on the wrong format."""

import json

from rolefit.cli import main
from store.records import CONTRACT_KEYS
from tests.crawlers.conftest import FIXTURES


def run_cli(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_parse_prints_one_object_per_posting(capsys):
    code, out, _ = run_cli(capsys, "parse", "--format", "ashby", str(FIXTURES / "ashby/board.json"))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2  # the unlisted job is left out
    assert all(tuple(line) == CONTRACT_KEYS for line in lines)
    assert lines[0]["salary"] == {
        "min": 257000.0,
        "max": 335000.0,
        "currency": "USD",
        "period": "year",
    }


def test_parse_wrong_format_fails_with_one_line(capsys):
    code, out, err = run_cli(
        capsys, "parse", "--format", "lever", str(FIXTURES / "personio/feed.xml")
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "lever: not valid JSON" in err


def test_parse_unknown_format(capsys):
    code, _, err = run_cli(
        capsys, "parse", "--format", "bamboo", str(FIXTURES / "ashby/board.json")
    )
    assert code == 1 and "unknown format 'bamboo'" in err


def test_parsed_output_imports_back(tmp_path, capsys):
    code, out, _ = run_cli(
        capsys, "parse", "--format", "greenhouse", str(FIXTURES / "greenhouse/jobs.json")
    )
    file = tmp_path / "records.jsonl"
    file.write_text(out)
    code, out, err = run_cli(capsys, "import", str(file))
    assert code == 0, err
    assert "3 new" in out
