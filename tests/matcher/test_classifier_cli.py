"""`rolefit classify` and `rolefit train` through the real command line entry point."""

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from matcher.classifier import load_model, read_sidecar
from rolefit.cli import main
from rolefit.context import open_database
from rolefit.settings import Settings
from store.db import session_scope
from store.models import Posting, Source


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_classify_prints_one_contract_line_per_input(
    model_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_lines(
        tmp_path / "in.jsonl",
        json.dumps({"id": "a", "title": "Research Engineer", "text": "Implement PyTorch evals."}),
        "",
        json.dumps(
            {
                "id": 7,
                "title": "Funded PhD studentship",
                "text": "",
                "organisation": "U",
            }
        ),
        json.dumps({"id": None, "title": "Policy Analyst, Compute Governance"}),
    )
    code, out, err = run(["classify", str(source)], capsys)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == ["a", 7, None]
    for row in rows:
        assert list(row) == ["id", "kind", "track", "style", "level", "areas", "evidence"]
        assert row["style"]["label"] in ("empirical", "theoretical")
        assert row["level"]["label"] in ("lead", "contributor")
        assert all(0.0 <= row[name]["p"] <= 1.0 for name in ("kind", "track", "style", "level"))
        assert isinstance(row["areas"], list) and set(row["evidence"]) == {"style", "level"}
    assert rows[1]["kind"]["label"] == "phd"
    assert rows[2]["track"]["label"] == "governance"


def test_classify_reads_stdin(
    model_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": 1, "title": "Software Engineer"}\n'))
    code, out, _ = run(["classify", "-"], capsys)
    assert code == 0 and json.loads(out)["id"] == 1


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": 1, "title": "ok"}', "{not json"], "line 2: invalid JSON"),
        (
            ['{"id": 1, "title": "ok"}', "", '{"id": 2, "title": " ", "text": ""}'],
            "line 3: has neither title nor text",
        ),
        (["[1, 2]"], "line 1: expected a JSON object"),
        (['{"id": 1, "title": 5}'], "line 1: title must be a string"),
    ],
)
def test_classify_bad_line_stops_with_its_number(
    model_settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    lines: list[str],
    message: str,
) -> None:
    code, out, err = run(["classify", str(write_lines(tmp_path / "bad.jsonl", *lines))], capsys)
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert out == ""  # nothing printed before the bad line was found


def test_classify_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["classify", "nowhere.jsonl"], capsys)
    assert code == 1 and "no such file" in err


@pytest.mark.slow
def test_train_prints_evaluation_and_retags_stored_postings(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_database(settings)
    with session_scope(engine) as session:
        session.add(Source(id="s", platform="test"))
        session.flush()
        session.add(
            Posting(
                source_id="s", external_id="1", title="ML Engineer", description_text="PyTorch."
            )
        )
    code, out, err = run(["train"], capsys)
    assert code == 0, err
    for heading in (
        "Cross-validation",
        "Confusion",
        "Calibration",
        "Check set",
        "hard",
        "Strongest",
    ):
        assert heading in out
    assert "re-tagged 1 stored postings" in out
    sidecar = read_sidecar(settings.model_dir)
    assert sidecar is not None
    cv = sidecar["metrics"]["cross_validation"]
    assert set(cv) == {"kind", "track", "style", "level", "areas"}
    assert cv["style"]["confusion"] and cv["level"]["brier"] is not None
    with Session(engine) as session:
        [posting] = session.exec(select(Posting)).all()
        assert posting.model_version == sidecar["model_version"]
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("with_database", [False, True])
def test_unreadable_model_is_loaded_once_then_retrained(
    model_settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    with_database: bool,
) -> None:
    import joblib

    from rolefit.tagging import classifier_for

    (model_settings.model_dir / "role_classifier.joblib").write_bytes(b"garbage")
    loads: list[object] = []
    real_load = joblib.load
    monkeypatch.setattr(joblib, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    engine = open_database(model_settings) if with_database else None
    classifier = classifier_for(model_settings, engine)
    assert len(loads) == 1  # the broken file is tried once, not once per layer
    assert load_model(model_settings.model_dir) is not None
    assert classifier.version == read_sidecar(model_settings.model_dir)["model_version"]  # type: ignore[index]


def test_classify_names_the_line_with_bytes_that_are_not_utf8(
    model_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    good = b'{"id": 1, "title": "Software Engineer"}\n'
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(good + b'{"id": 2, "title": "Ing\xe9nieur"}\n')
    code, out, err = run(["classify", str(path)], capsys)
    assert code == 1 and out == ""
    assert err.strip().startswith("rolefit: error: line 2: not UTF-8 text")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe\n" + good)))
    code, out, err = run(["classify", "-"], capsys)
    assert code == 1 and err.strip().startswith("rolefit: error: line 1: not UTF-8 text")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(good)))
    code, out, _ = run(["classify", "-"], capsys)
    assert code == 0 and json.loads(out)["id"] == 1
