"""Tags on stored postings: bulk tagging, corrections that win at once and survive retraining."""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from matcher.classifier import load_model
from matcher.errors import LabelError
from matcher.labels import apply_correction, training_examples, unused_label_count
from matcher.tagging import retrain, tag_postings
from rolefit.settings import Settings
from rolefit.tagging import tag_all, tag_changed
from store.db import session_scope
from store.models import Label, Posting, Source

ENGINEER = (
    "Research Engineer, Training Infrastructure",
    "Work closely with research scientists: implement their experiments in PyTorch, keep the "
    "GPU cluster healthy and build evaluation tooling. Strong software engineering, no PhD needed.",
)
THEORIST = (
    "Research Lead, Learning Theory",
    "Propose and lead a research agenda on learning theory for alignment. The output is proofs "
    "and formal frameworks, written up in LaTeX. PhD in mathematics required; mentor two juniors.",
)
OPERATIONS = ("Office Operations Manager", "Run payroll, vendors, travel and our office events.")


def add_postings(engine: Engine, *postings: tuple[str, str]) -> list[int]:
    with session_scope(engine) as session:
        session.add(Source(id="test", platform="test"))
        session.flush()  # no ORM relationship orders the inserts for us
        rows = [
            Posting(source_id="test", external_id=str(i), title=title, description_text=text)
            for i, (title, text) in enumerate(postings)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows if row.id is not None]


def test_tag_all_tags_every_posting_with_version(model_settings: Settings, engine: Engine) -> None:
    ids = add_postings(engine, ENGINEER, THEORIST, OPERATIONS)
    assert tag_all(model_settings, engine) == 3
    assert tag_all(model_settings, engine) == 0  # already tagged by this model
    with Session(engine) as session:
        engineer, theorist, ops = (session.get(Posting, i) for i in ids)
    assert engineer and theorist and ops
    assert (engineer.track, engineer.style, engineer.level) == (
        "technical",
        "empirical",
        "contributor",
    )
    assert (theorist.style, theorist.level) == ("theoretical", "lead")
    assert ops.track == "operations"
    for posting in (engineer, theorist, ops):
        assert posting.model_version and posting.tagged_at is not None
        assert posting.kind_p is not None and 0 < posting.kind_p <= 1
        assert set(posting.tag_probabilities) == {"kind", "track", "style", "level", "areas"}
        assert set(posting.tag_evidence) == {"kind", "track", "style", "level"}
    assert engineer.tag_evidence["style"]


def test_tag_changed_only_touches_given_ids(model_settings: Settings, engine: Engine) -> None:
    ids = add_postings(engine, ENGINEER, THEORIST)
    assert tag_changed(model_settings, engine, []) == 0
    assert tag_changed(model_settings, engine, [ids[1], 999_999]) == 1
    with Session(engine) as session:
        assert session.get(Posting, ids[0]).model_version is None  # type: ignore[union-attr]
        assert session.get(Posting, ids[1]).model_version is not None  # type: ignore[union-attr]


def test_correction_is_immediate_and_survives_retraining(
    model_settings: Settings, engine: Engine
) -> None:
    [posting_id] = add_postings(engine, ENGINEER)
    tag_all(model_settings, engine)
    with session_scope(engine) as session:
        apply_correction(session, posting_id, "style", "theoretical", author="tester")
        apply_correction(session, posting_id, "areas", "theory, evals")
        posting = session.get(Posting, posting_id)
        assert posting is not None
        assert (posting.style, posting.style_p, posting.areas) == (
            "theoretical",
            1.0,
            ["evals", "theory"],
        )
    with Session(engine) as session:  # committed, visible to a fresh session
        stored = session.get(Posting, posting_id)
        assert stored is not None and stored.style == "theoretical"
        assert unused_label_count(session) == 2
        [example] = training_examples(session)
        assert (example.style, example.areas, example.level) == (
            "theoretical",
            ("evals", "theory"),
            None,
        )
    # Re-tagging with the old model keeps the correction.
    tag_changed(model_settings, engine, [posting_id])
    with session_scope(engine) as session:
        result = retrain(session, model_settings.model_dir, cross_validation=False)
        assert result.labels_used == 2 and result.tagged == 1
    with Session(engine) as session:
        posting = session.get(Posting, posting_id)
        assert posting is not None
        assert posting.style == "theoretical" and posting.areas == ["evals", "theory"]
        assert posting.level == "contributor"  # not corrected: still the model's
        assert posting.model_version == result.classifier.version
        labels = session.exec(select(Label)).all()
        assert {label.used_in_model for label in labels} == {result.classifier.version}
        assert unused_label_count(session) == 0
    sidecar_extra = result.sidecar["n_extra"]
    assert sidecar_extra == 1


def test_latest_correction_wins(model_settings: Settings, engine: Engine) -> None:
    [posting_id] = add_postings(engine, THEORIST)
    with session_scope(engine) as session:
        apply_correction(session, posting_id, "level", "contributor")
        apply_correction(session, posting_id, "level", "lead")
    tag_all(model_settings, engine)
    with Session(engine) as session:
        posting = session.get(Posting, posting_id)
        assert posting is not None and posting.level == "lead" and posting.level_p == 1.0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seniority", "lead", "unknown tag field"),
        ("style", "experimental", "style must be one of empirical, theoretical"),
        ("areas", "evals,alchemy", "unknown area 'alchemy'"),
        ("kind", "job", "no posting with id 424242"),
    ],
)
def test_bad_corrections_are_refused(engine: Engine, field: str, value: str, message: str) -> None:
    with session_scope(engine) as session, pytest.raises(LabelError, match=message):
        apply_correction(session, 424242, field, value)


def test_tag_postings_only_untagged(model_settings: Settings, engine: Engine) -> None:
    ids = add_postings(engine, ENGINEER, OPERATIONS)
    classifier = load_model(model_settings.model_dir)
    assert classifier is not None
    with session_scope(engine) as session:
        assert tag_postings(session, classifier, ids=[ids[0]]) == 1
        assert tag_postings(session, classifier, only_untagged=True) == 1
        assert tag_postings(session, classifier) == 2


def test_tagging_and_corrections_on_every_database(trained_dir: Path, any_engine: Engine) -> None:
    ids = add_postings(any_engine, ENGINEER, THEORIST)
    classifier = load_model(trained_dir)
    assert classifier is not None
    with session_scope(any_engine) as session:
        apply_correction(session, ids[0], "areas", ["security"])
        assert tag_postings(session, classifier) == 2
    with Session(any_engine) as session:
        engineer, theorist = (session.get(Posting, i) for i in ids)
        assert engineer is not None and theorist is not None
        assert engineer.areas == ["security"] and engineer.tag_evidence["style"]
        assert theorist.style == "theoretical" and theorist.model_version == classifier.version


def test_a_stale_model_is_retrained_with_corrections_already_used(
    model_settings: Settings, engine: Engine
) -> None:
    """After a corpus or code change the saved model is stale; its replacement keeps the
    corrections even though an earlier retrain marked them used (the scheduler's path)."""
    import json

    from matcher.classifier import read_sidecar
    from matcher.tagging import current_classifier

    [posting_id] = add_postings(engine, THEORIST)
    with session_scope(engine) as session:
        apply_correction(session, posting_id, "level", "contributor")
        retrain(session, model_settings.model_dir, cross_validation=False)
        assert unused_label_count(session) == 0
    sidecar_path = model_settings.model_dir / "role_classifier.json"
    sidecar = json.loads(sidecar_path.read_text())
    sidecar_path.write_text(json.dumps({**sidecar, "corpus_hash": "older corpus"}))
    with session_scope(engine) as session:
        classifier = current_classifier(session, model_settings.model_dir)
    fresh = read_sidecar(model_settings.model_dir)
    assert fresh is not None and fresh["n_extra"] == 1 and fresh["corpus_hash"] != "older corpus"
    assert classifier.version == fresh["model_version"]
    with session_scope(engine) as session:  # and a current model is simply loaded
        assert current_classifier(session, model_settings.model_dir).version == classifier.version
