"""The classify and retrain jobs call the classifier package on the right postings."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from matcher.classifier import Prediction, Tag
from scheduler import jobs
from scheduler.config import SchedulerConfig
from store.clock import utcnow
from store.db import session_scope
from store.models import Label, Posting, PostingChange
from tests.scheduler.conftest import add_postings


@dataclass
class FakeClassifier:
    """Stands in for RoleClassifier: tags every posting 'job', remembers what it saw."""

    version: str = "fake-1"
    seen: list[str] = field(default_factory=list)

    def predict(self, items: list[Any]) -> list[Prediction]:
        self.seen.extend(item.title for item in items)
        tag = Tag("job", 0.9)
        return [
            Prediction(kind=tag, track=Tag("technical", 0.8), style=Tag("empirical", 0.7),
                       level=Tag("contributor", 0.6), areas=["evals"], probabilities={},
                       evidence={})
            for _ in items
        ]  # fmt: skip


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeClassifier:
    classifier = FakeClassifier()
    monkeypatch.setattr("matcher.tagging.current_classifier", lambda session, model_dir: classifier)
    return classifier


def test_classify_tags_new_then_only_changed_postings(
    engine: Engine, config: SchedulerConfig, fake: FakeClassifier
) -> None:
    first, second = add_postings(engine, [{"title": "A"}, {"title": "B"}], seen=utcnow())
    assert jobs.classify_new(config, engine) == 2
    assert sorted(fake.seen) == ["A", "B"]
    fake.seen.clear()
    assert jobs.classify_new(config, engine) == 0 and fake.seen == []
    with session_scope(engine) as session:  # B's content changes after it was tagged
        session.add(PostingChange(posting_id=second, old_title="B", old_content_hash="x",
                                  changed_at=utcnow() + timedelta(seconds=5)))  # fmt: skip
    assert jobs.classify_new(config, engine) == 1 and fake.seen == ["B"]
    with Session(engine) as session:
        row = session.get(Posting, first)
        assert row is not None and (row.kind, row.model_version) == ("job", "fake-1")


def test_retrain_only_when_unused_corrections_exist(
    engine: Engine, config: SchedulerConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    @dataclass
    class Result:
        tagged: int = 3

    def retrain(session: Session, model_dir: Any, *, cross_validation: bool) -> Result:
        calls.append(str(model_dir))
        for label in session.exec(select(Label)):
            label.used_in_model = "new"
            session.add(label)
        return Result()

    monkeypatch.setattr("matcher.tagging.retrain", retrain)
    assert jobs.retrain_if_labels(config, engine) == 0 and calls == []
    [pid] = add_postings(engine, [{"title": "A"}])
    with session_scope(engine) as session:
        session.add(Label(posting_id=pid, field="kind", value="fellowship"))
    assert jobs.retrain_if_labels(config, engine) == 1 and calls == [str(config.model_dir)]
    assert jobs.retrain_if_labels(config, engine) == 0 and len(calls) == 1


def test_check_links_closes_a_gone_page_on_the_second_check(
    engine: Engine, config: SchedulerConfig
) -> None:
    from tests.crawlers.board_server import BoardServer, Reply

    with BoardServer() as board:
        board.serve("/jobs/live", "<html>Apply now</html>", content_type="text/html")
        board.sequence("/jobs/gone", [Reply(status=404)])
        ids = add_postings(engine, [{"title": "Live"}, {"title": "Gone"}])
        with session_scope(engine) as session:
            for pid, path in zip(ids, ("/jobs/live", "/jobs/gone"), strict=True):
                posting = session.get(Posting, pid)
                assert posting is not None
                posting.url = board.url + path
                session.add(posting)
        now = utcnow()
        first = jobs.check_links(config, engine, now=now)
        assert (first["alive"], first["suspect"], first["closed"]) == (1, 1, 0)
        again = jobs.check_links(config, engine, now=now + timedelta(hours=1))
        assert again["checked"] == 0  # each posting at most once a day
        later = jobs.check_links(config, engine, now=now + timedelta(days=1, minutes=1))
        assert later["closed"] == 1
    with Session(engine) as session:
        live, gone = (session.get(Posting, pid) for pid in ids)
        assert live is not None and live.closed_at is None
        assert gone is not None and gone.closed_at is not None and gone.close_reason
