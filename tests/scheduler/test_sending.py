"""Sending digests through a real SMTP server: content, headers, exactly-once, failures."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import Engine
from sqlmodel import Session, select

from scheduler.config import SchedulerConfig
from scheduler.sending import recover, send_due_digests
from scheduler.subscriptions import create_subscription
from store.db import session_scope
from store.models import DigestSend, Subscription
from tests.scheduler.conftest import NOW, SECRET, add_postings, days, fake_ranker
from tests.scheduler.smtp import Recorder

PROFILE = {"name": "Sam Example", "areas": ["interpretability"]}


def subscribe(engine: Engine, email: str = "sam@example.org", **kw: object) -> int:
    with session_scope(engine) as session:
        sub = create_subscription(
            session,
            profile_doc=kw.pop("doc", PROFILE),
            email=email,
            frequency=str(kw.pop("frequency", "daily")),
            **kw,  # type: ignore[arg-type]
        )
        return sub.id or 0


def run(engine: Engine, config: SchedulerConfig, at=NOW):  # type: ignore[no-untyped-def]
    return send_due_digests(engine, config, ranker=fake_ranker, now=at)


def sends(engine: Engine) -> list[DigestSend]:
    with Session(engine) as session:
        return list(session.exec(select(DigestSend).order_by(DigestSend.id)).all())


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_digest_has_text_and_html_parts_and_unsubscribe_headers(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    subscribe(engine)
    add_postings(
        engine,
        [
            {"title": "Research Engineer, Interpretability", "score": 0.9},
            {
                "title": "Evals Scientist",
                "org": "Beacon Institute",
                "score": 0.7,
                "deadline": days(5),
            },
            {"title": "Office Manager", "score": 0.2},
        ],
    )
    report = run(engine, config)
    assert report.totals() == {"sent": 1}
    [message] = smtp[1].messages
    assert message["To"] == "sam@example.org"
    assert message["Subject"] == "rolefit: 3 new matches for Sam Example (1 closing soon)"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    for body in (text, html):
        assert "Research Engineer, Interpretability" in body
        assert "Matches your areas: interpretability" in body
        assert "https://jobs.test/Acme-Safety/0" in body
        assert "https://rolefit.test/profiles/1/digest" in body
    # ranked by fit; the closing-soon posting is in its own block first
    assert text.index("CLOSING SOON") < text.index("Evals Scientist") < text.index("NEW MATCHES")
    assert text.index("Research Engineer") < text.index("Office Manager")
    assert "Deadline: 2026-12-05 (5 days left)" in text
    assert 'style="' in html and "<style" not in html  # CSS inlined
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://rolefit.test/unsubscribe/") and unsubscribe.endswith(
        ">"
    )
    assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = sends(engine)
    assert (row.status, row.period_key, row.attempts) == ("sent", "d:2026-11-30", 1)
    assert row.message_id == message["Message-ID"]
    assert len(row.posting_ids) == 3


def test_rerun_sends_nothing_twice_and_next_digest_holds_only_new(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    subscribe(engine)
    add_postings(engine, [{"title": "Research Engineer"}, {"title": "Policy Fellow"}])
    assert run(engine, config).totals() == {"sent": 1}
    assert run(engine, config).totals() == {"done": 1}
    assert run(engine, config, NOW + timedelta(hours=5)).totals() == {"done": 1}
    assert len(smtp[1].messages) == 1
    # next day, nothing new: nothing is sent and the decision is recorded
    assert run(engine, config, NOW + timedelta(days=1)).totals() == {"skipped": 1}
    # the day after, one new posting: the digest holds that one only
    add_postings(engine, [{"title": "Evals Lead"}], seen=NOW + timedelta(days=1, hours=3))
    assert run(engine, config, NOW + timedelta(days=2)).totals() == {"sent": 1}
    assert len(smtp[1].messages) == 2
    text, _ = parts(smtp[1].messages[1])
    assert "Evals Lead" in text and "Research Engineer" not in text
    assert [r.status for r in sends(engine)] == ["sent", "skipped", "sent"]


def test_nothing_sent_when_nothing_qualifies(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    picky = subscribe(engine, "picky@example.org", min_score=0.95)
    few = subscribe(engine, "few@example.org", doc={"name": "Few"}, min_matches=3)
    subscribe(engine, "empty@example.org", doc={"name": "Nobody"})
    report = run(engine, config)  # no postings at all yet
    assert report.totals() == {"skipped": 3}
    add_postings(
        engine,
        [
            {"title": "A", "score": 0.9},
            {"title": "B", "score": 0.8},
            {"title": "Excluded", "score": -1},
        ],
    )
    report = run(engine, config, NOW + timedelta(days=1))
    outcomes = {i.subscription_id: i.outcome for i in report.items}
    assert outcomes[picky] == "skipped" and outcomes[few] == "skipped"
    assert [m["To"] for m in smtp[1].messages] == ["empty@example.org"]
    assert "Excluded" not in parts(smtp[1].messages[0])[0]


def test_temporary_failure_retries_with_backoff_then_succeeds(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    sub_id = subscribe(engine)
    add_postings(engine, [{"title": "Research Engineer"}])
    smtp[1].replies.append("451 4.3.0 mailbox busy, try later")
    report = run(engine, config)
    assert report.totals() == {"retrying": 1}
    [row] = sends(engine)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at is not None and "451" in (row.last_error or "")
    assert run(engine, config, NOW + timedelta(seconds=30)).totals() == {"waiting": 1}
    assert run(engine, config, NOW + timedelta(seconds=61)).totals() == {"sent": 1}
    [row] = sends(engine)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(smtp[1].messages) == 1
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub is not None and sub.last_sent_at is not None and sub.last_error is None


def test_temporary_failures_give_up_after_max_attempts(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    subscribe(engine)
    add_postings(engine, [{"title": "Research Engineer"}])
    config = replace(config, max_send_attempts=2)
    smtp[1].replies.extend(["421 4.7.0 slow down"] * 2)
    assert run(engine, config).totals() == {"retrying": 1}
    assert run(engine, config, NOW + timedelta(minutes=5)).totals() == {"failed": 1}
    [row] = sends(engine)
    assert row.status == "failed" and "gave up after 2 tries" in (row.last_error or "")


def test_permanent_failure_is_recorded_on_send_and_subscription(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    sub_id = subscribe(engine, "gone@example.org")
    add_postings(engine, [{"title": "Research Engineer"}])
    smtp[1].replies.append("550 5.1.1 no such user")
    assert run(engine, config).totals() == {"failed": 1}
    assert run(engine, config, NOW + timedelta(hours=1)).totals() == {"done": 1}
    [row] = sends(engine)
    assert row.status == "failed" and "550" in (row.last_error or "")
    with Session(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub is not None and "SMTP 550: 5.1.1 no such user" in (sub.last_error or "")
    assert smtp[1].messages == []


def test_unreachable_server_is_a_temporary_failure(engine: Engine, config: SchedulerConfig) -> None:
    from scheduler.mailer import SmtpConfig
    from tests.scheduler.smtp import free_port

    subscribe(engine)
    add_postings(engine, [{"title": "Research Engineer"}])
    config = replace(config, smtp=SmtpConfig(host="127.0.0.1", port=free_port(), timeout=2))
    report = run(engine, config)
    assert report.totals() == {"retrying": 1}
    assert "cannot reach SMTP server" in (report.items[0].error or "")


def test_crash_while_sending_is_settled_as_unknown_and_never_resent(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    sub_id = subscribe(engine)
    [pid] = add_postings(engine, [{"title": "Research Engineer"}])
    # what a process killed between "row leased" and "marked sent" leaves behind
    with session_scope(engine) as session:
        session.add(
            DigestSend(
                subscription_id=sub_id,
                period_key="d:2026-11-30",
                status="sending",
                attempts=1,
                created_at=NOW,
                posting_ids=[pid],
                next_attempt_at=NOW + timedelta(minutes=30),
            )
        )
    assert run(engine, config).totals() == {"busy": 1}  # lease still running: maybe in flight
    assert recover(engine, NOW + timedelta(minutes=31)) == 1
    [row] = sends(engine)
    assert row.status == "unknown" and "not resent" in (row.last_error or "")
    assert run(engine, config, NOW + timedelta(minutes=31)).totals() == {"done": 1}
    # the next period does not offer the possibly-delivered posting again
    assert run(engine, config, NOW + timedelta(days=1)).totals() == {"skipped": 1}
    assert smtp[1].messages == []


def test_unsubscribed_and_no_smtp_send_nothing(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    sub_id = subscribe(engine)
    add_postings(engine, [{"title": "Research Engineer"}])
    assert run(engine, replace(config, smtp=None)).items == []
    with session_scope(engine) as session:
        sub = session.get(Subscription, sub_id)
        assert sub is not None
        sub.active = False
    assert run(engine, config).items == []
    assert smtp[1].messages == [] and sends(engine) == []
    assert SECRET  # the token secret used by config


def test_retry_left_pending_when_its_period_ends_is_not_sent_late(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    subscribe(engine)
    add_postings(engine, [{"title": "Research Engineer"}])
    smtp[1].replies.append("451 4.3.0 try later")
    config = replace(config, retry_base_s=86_400)  # the retry would fall into the next day
    assert run(engine, config).totals() == {"retrying": 1}
    report = run(engine, config, NOW + timedelta(days=1))
    assert report.totals() == {"sent": 1}
    first, second = sends(engine)
    assert (first.status, first.last_error) == (
        "failed",
        "its period ended before it could be sent",
    )
    assert second.status == "sent" and second.period_key == "d:2026-12-01"
    [message] = smtp[1].messages  # the new day's digest carries the posting
    assert "Research Engineer" in parts(message)[0]


def test_one_connection_per_run_and_non_ascii_survives(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    for n in range(3):
        subscribe(engine, f"p{n}@example.org", doc={"name": "Zoë Ørsted", "n": n})
    add_postings(engine, [{"title": "Forscherin für Interpretierbarkeit – Zürich", "org": "Ünï"}])
    assert run(engine, config).totals() == {"sent": 3}
    assert len(set(smtp[1].peers)) == 1  # the run reused one SMTP connection
    message = smtp[1].messages[0]
    assert message["Subject"] == "rolefit: 1 new match for Zoë Ørsted"
    text, html = parts(message)
    assert "Forscherin für Interpretierbarkeit – Zürich - Ünï" in text
    assert "Forscherin für Interpretierbarkeit – Zürich" in html


def test_dry_run_writes_nothing_and_reports_each_state(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    from scheduler.planning import plan_due_digests

    waiting = subscribe(engine, "w@example.org")
    fresh = subscribe(engine, "f@example.org", doc={"name": "Fresh"})
    picky = subscribe(engine, "p@example.org", doc={"name": "Picky"}, min_score=0.99)
    add_postings(engine, [{"title": "Research Engineer"}])
    plan = plan_due_digests(engine, ranker=fake_ranker, now=NOW)
    assert {i.subscription_id: i.outcome for i in plan.items} == {
        waiting: "would-send",
        fresh: "would-send",
        picky: "nothing",
    }
    assert sends(engine) == [] and smtp[1].messages == []
    smtp[1].replies.append("451 4.3.0 try later")  # the first subscriber's send fails
    run(engine, config)
    plan = plan_due_digests(engine, ranker=fake_ranker, now=NOW + timedelta(seconds=10))
    assert {i.subscription_id: i.outcome for i in plan.items} == {
        waiting: "waiting",
        fresh: "done",
        picky: "done",
    }


def test_two_concurrent_runs_send_each_digest_once(
    any_engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    import threading

    for n in range(8):
        subscribe(any_engine, f"c{n}@example.org")
    add_postings(any_engine, [{"title": "Research Engineer"}, {"title": "Evals Lead"}])
    smtp[1].delay_s = 0.05  # slow enough for the two runs to overlap
    reports = []

    def one_run() -> None:
        reports.append(send_due_digests(any_engine, config, ranker=fake_ranker, now=NOW))

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    per_address = Counter(m["To"] for m in smtp[1].messages)
    assert len(per_address) == 8 and set(per_address.values()) == {1}
    outcomes = Counter(i.outcome for r in reports for i in r.items)
    assert outcomes["sent"] == 8 and outcomes["sent"] + outcomes["busy"] + outcomes["done"] == 16
    assert [r.status for r in sends(any_engine)] == ["sent"] * 8


def test_a_broken_profile_is_shown_on_its_subscription_and_others_still_get_theirs(
    engine: Engine, config: SchedulerConfig, smtp: tuple[str, Recorder]
) -> None:
    from scheduler.selection import fit_ranker

    good = subscribe(engine, "good@example.org", doc={"name": "Good"})
    bad = subscribe(engine, "bad@example.org", doc={"name": "Bad", "kinds": ["astronaut"]})
    add_postings(engine, [{"title": "Research Engineer"}])
    report = send_due_digests(engine, config, ranker=fit_ranker, now=NOW)
    outcomes = {i.subscription_id: i.outcome for i in report.items}
    assert outcomes == {good: "sent", bad: "error"}
    with Session(engine) as session:
        sub = session.get(Subscription, bad)
        assert sub is not None and (sub.last_error or "").startswith("digest not built: ")
        assert "kinds" in (sub.last_error or "")
    assert [m["To"] for m in smtp[1].messages] == ["good@example.org"]
