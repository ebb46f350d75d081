"""The digest commands end to end, with the real matcher.fit ranking and a real SMTP server."""

from pathlib import Path

import pytest
from sqlmodel import Session, select

from rolefit.cli import main
from rolefit.context import open_database
from rolefit.settings import Settings
from store.clock import utcnow
from store.models import DigestSend, Profile, Subscription
from tests.scheduler.conftest import add_postings
from tests.scheduler.smtp import Recorder

PROFILE = Path(__file__).resolve().parents[2] / "examples" / "profile.toml"


def rolefit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_subscribe_dry_run_send_and_rerun(
    settings: Settings,
    smtp: tuple[str, Recorder],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = open_database(settings)
    add_postings(
        engine,
        [
            {"title": "Research Engineer, Interpretability", "org": "Quill Research"},
            {"title": "Evaluations Engineer", "org": "Northgate Evals"},
        ],
        seen=utcnow(),
    )
    code, out, _ = rolefit(
        capsys, "subscribe", "--profile", str(PROFILE), "--email", "sam@example.org",
        "--frequency", "daily",
    )  # fmt: skip
    assert code == 0 and "Subscribed sam@example.org to a daily digest for Sam Example" in out
    code, out, _ = rolefit(capsys, "digest", "--dry-run")
    assert code == 0 and "would send 2 postings" in out
    assert "Research Engineer, Interpretability - Quill Research" in out
    assert smtp[1].messages == []
    code, _, err = rolefit(capsys, "digest", "--send")
    assert code == 1 and "ROLEFIT_SMTP_URL is not set" in err
    monkeypatch.setenv("ROLEFIT_SMTP_URL", smtp[0])
    # digests go out from 07:00 UTC; this test must not depend on when it runs
    monkeypatch.setattr("rolefit.commands.digest.is_send_time", lambda now, hour: False)
    code, out, _ = rolefit(capsys, "digest", "--send")
    assert code == 0 and "Digests go out from 07:00 UTC; none are due yet." in out
    monkeypatch.setattr("rolefit.commands.digest.is_send_time", lambda now, hour: True)
    monkeypatch.setattr("scheduler.sending.is_send_time", lambda now, hour: True)
    code, out, _ = rolefit(capsys, "digest", "--send")
    assert code == 0 and "Digests: 1 sent." in out, out
    code, out, _ = rolefit(capsys, "digest", "--send")
    assert code == 0 and "Digests: 1 done." in out
    code, out, _ = rolefit(capsys, "digest", "--dry-run")
    assert "already handled this period" in out
    [message] = smtp[1].messages
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "shares words with your skills and bio" in body.get_content()
    with Session(engine) as session:
        [row] = session.exec(select(DigestSend)).all()
        assert row.status == "sent" and len(row.posting_ids) == 2
        [profile] = session.exec(select(Profile)).all()
        assert profile.document["name"] == "Sam Example" and profile.document["areas"]


def test_subscribe_refuses_bad_input_with_one_line(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = rolefit(capsys, "subscribe", "--profile", str(PROFILE), "--email", "nope")
    assert code == 1 and err.strip() == "rolefit: error: not an email address: 'nope'"
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "X"\nkinds = ["astronaut"]\n')
    code, _, err = rolefit(capsys, "subscribe", "--profile", str(bad), "--email", "a@b.org")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "kinds" in err
    engine = open_database(settings)
    with Session(engine) as session:
        assert session.exec(select(Subscription)).all() == []


@pytest.mark.parametrize("score", ["nan", "inf", "5", "-0.1"])
def test_subscribe_refuses_a_min_score_outside_0_to_1(
    settings: Settings, capsys: pytest.CaptureFixture[str], score: str
) -> None:
    code, _, err = rolefit(
        capsys, "subscribe", "--profile", str(PROFILE), "--email", "a@b.org", "--min-score", score
    )
    assert code == 1 and err.startswith("rolefit: error: min-score must be between 0 and 1")
    assert len(err.strip().splitlines()) == 1 and "Error" not in err
    with Session(open_database(settings)) as session:
        assert session.exec(select(Subscription)).all() == []


def test_send_with_the_smtp_server_down_fails_with_one_line_and_keeps_the_digest(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = open_database(settings)
    add_postings(engine, [{"title": "Evaluations Engineer", "org": "Northgate Evals"}])
    rolefit(capsys, "subscribe", "--profile", str(PROFILE), "--email", "s@example.org",
            "--frequency", "daily")  # fmt: skip
    monkeypatch.setenv("ROLEFIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setattr("rolefit.commands.digest.is_send_time", lambda now, hour: True)
    code, out, err = rolefit(capsys, "digest", "--send")
    assert code == 1 and "retrying" in out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("rolefit: error: 1 of 1 digests not sent (cannot reach SMTP server")
    assert err.strip().endswith("1 will be retried")
    with Session(engine) as session:
        (row,) = session.exec(select(DigestSend)).all()
        assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at is not None


def test_subscribe_checks_its_input_before_the_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ROLEFIT_DATABASE_URL", "postgresql+psycopg://x@127.0.0.1:9/x")
    code, _, err = rolefit(capsys, "subscribe", "--profile", str(PROFILE), "--email", "nope")
    assert code == 1 and err.strip() == "rolefit: error: not an email address: 'nope'"
