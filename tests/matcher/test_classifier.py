"""The role classifier: vocabulary, corpus, determinism, quality against the keyword baseline,
the prediction contract, evidence and persistence."""

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher import taxonomy
from matcher.classifier import (
    PostingText,
    RoleClassifier,
    fit_classifier,
    load_model,
    load_or_train,
)
from matcher.classifier.baseline import keyword_predict
from matcher.classifier.corpus import (
    Example,
    examples_hash,
    load_check,
    load_training,
    read_examples,
)
from matcher.classifier.evaluate import score_examples, tagset_of
from matcher.classifier.features import FastTfidfVectorizer, fast_tokens
from matcher.classifier.model import pick_phrases
from matcher.classifier.persist import MODEL_FILE, SIDECAR_FILE, read_sidecar, train_and_save
from matcher.errors import CorpusError, NotTrained

ROOT = Path(__file__).resolve().parents[2]

# The vocabulary as written in the shared tagging guide (kept here: the guide may be absent).
EXPECTED_VOCABULARY = {
    "kind": ("job", "internship", "fellowship", "course", "phd", "postdoc", "grant", "other"),
    "track": ("technical", "governance", "operations"),
    "style": ("empirical", "theoretical"),
    "level": ("lead", "contributor"),
    "areas": (
        "interpretability", "oversight", "evals", "control", "robustness",
        "model-organisms", "theory", "security", "governance", "field-building",
    ),
}  # fmt: skip


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped model trained once per session (shared with the other classifier modules;
    no cross-validation, which only `rolefit train` needs)."""
    folder = tmp_path_factory.getbasetemp() / "classifier-model"
    if load_model(folder) is None:
        train_and_save(folder, cross_validation=False)
    return folder


@pytest.fixture(scope="session")
def classifier(trained_dir: Path) -> RoleClassifier:
    loaded = load_model(trained_dir)
    assert loaded is not None
    return loaded


def test_vocabulary_matches_the_tagging_guide() -> None:
    found = {name: taxonomy.values_of(name) for name in taxonomy.FIELDS}
    assert found == EXPECTED_VOCABULARY
    assert taxonomy.TECHNICAL_ONLY == ("style", "level")


@pytest.mark.parametrize("doc", ["docs/TAXONOMY.md", "matcher/data/LABELLING.md"])
def test_docs_name_every_label_value(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    missing = [
        f"{name}={value}"
        for name, values in EXPECTED_VOCABULARY.items()
        for value in values
        if f"`{value}`" not in text
    ]
    assert not missing, f"{doc} does not mention {missing}"


def test_corpus_covers_every_label_and_the_style_level_cells() -> None:
    examples = load_training()
    assert len(examples) >= 600
    assert len(load_check()) >= 120
    for name in ("kind", "track", "style", "level"):
        seen = {e.label(name) for e in examples}
        assert set(EXPECTED_VOCABULARY[name]) <= seen, name
    assert set(EXPECTED_VOCABULARY["areas"]) <= {a for e in examples for a in e.areas or ()}
    cells = Counter((e.style, e.level) for e in examples if e.track == "technical")
    assert len(cells) == 4 and cells["theoretical", "contributor"] >= 40
    assert min(n for cell, n in cells.items() if cell != ("theoretical", "contributor")) >= 60
    assert (
        sum(1 for e in examples if e.track == "technical" and (e.style is None or e.level is None))
        == 0
    )
    assert not {e.id for e in examples} & {e.id for e in load_check()}


def test_check_set_is_written_apart_from_training() -> None:
    """No check posting reuses training text beyond stock phrases (8-word shingles)."""

    def shingles(text: str) -> set[str]:
        words = fast_tokens(text)
        return {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}

    seen = set().union(*(shingles(e.text) for e in load_training()))
    shares = [len(s & seen) / len(s) for s in (shingles(e.text) for e in load_check()) if s]
    assert max(shares) < 0.3
    assert sum(shares) / len(shares) < 0.05


def test_bad_corpus_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "part9.jsonl"
    good = {"id": "x", "title": "Engineer", "text": "Build things.", "kind": "job"}
    bad.write_text(
        json.dumps(good) + "\n" + json.dumps({**good, "id": "y", "style": "empiric"}) + "\n"
    )
    with pytest.raises(CorpusError, match=r"part9.jsonl: line 2: style 'empiric'"):
        read_examples(bad)


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2)])
def test_fast_vectorizer_matches_scikit_learn(ngrams: tuple[int, int]) -> None:
    texts = [e.text for e in load_training()[:80]]
    vectorizer = FastTfidfVectorizer(ngram_range=ngrams, min_df=2).fit(texts[:60])
    unseen = [*texts[60:], "", "C++ and fine-tuning, café: naïve!", "one"]
    fast = vectorizer.transform(unseen)
    slow = TfidfVectorizer.transform(vectorizer, unseen)
    assert fast.shape == slow.shape
    assert abs(fast - slow).max() < 1e-6
    assert fast_tokens("Fine-tuning (RLHF), C++/C#; café") == [
        "fine-tuning",
        "rlhf",
        "c++",
        "c#",
        "café",
    ]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Research Scientist", "Run experiments with PyTorch on GPUs.", {"level": "lead", "style": "empirical"}),
        ("Research Engineer", "Prove theorems; formal proofs in a mathematical framework.", {"level": "contributor", "style": "theoretical"}),
        ("Operations Manager", "Payroll and office.", {"track": "operations", "kind": "job"}),
        ("Policy Analyst", "Write policy on standards.", {"track": "governance"}),
        ("Funded PhD Studentship", "Join the group.", {"kind": "phd", "level": "contributor"}),
        ("Summer Research Internship", "Build evals.", {"kind": "internship"}),
    ],
)  # fmt: skip
def test_keyword_baseline_gets_the_easy_cases(
    title: str, text: str, expected: dict[str, str]
) -> None:
    tags = keyword_predict([PostingText(title=title, text=text)])[0]
    assert {name: tags[name] for name in expected} == expected


def test_training_is_deterministic() -> None:
    examples = load_training()[::5]
    check = load_check()[:30]
    first = fit_classifier(examples).predict(check)
    second = fit_classifier(examples).predict(check)
    for a, b in zip(first, second, strict=True):
        assert a.probabilities == b.probabilities
        assert a.evidence == b.evidence
    assert examples_hash(examples) == examples_hash(list(reversed(examples)))


def test_model_beats_keyword_baseline_on_check_set(classifier: RoleClassifier) -> None:
    check = load_check()
    for subset in (check, [e for e in check if e.is_hard]):
        assert len(subset) >= 20
        model = score_examples(subset, [tagset_of(p) for p in classifier.predict(subset)])
        baseline = score_examples(subset, keyword_predict(subset))
        for name in ("style", "level"):
            assert model[name].macro_f1 >= baseline[name].macro_f1, (name, len(subset))
        assert model["level"].accuracy > baseline["level"].accuracy
    overall = score_examples(check, [tagset_of(p) for p in classifier.predict(check)])
    assert overall["style"].accuracy >= 0.9 and overall["level"].accuracy >= 0.85


def test_prediction_contract_and_calibrated_probabilities(classifier: RoleClassifier) -> None:
    posting = PostingText(
        title="Research Engineer, Evaluations",
        text="You will implement evaluation harnesses in Python and PyTorch, run experiments "
        "designed by our research scientists, and maintain GPU training infrastructure.",
    )
    [prediction] = classifier.predict([posting])
    out = prediction.to_contract("a-1")
    assert list(out) == ["id", "kind", "track", "style", "level", "areas", "evidence"]
    assert out["style"]["label"] == "empirical" and out["level"]["label"] == "contributor"
    assert out["track"]["label"] == "technical"
    assert set(out["evidence"]) == {"style", "level"}
    for name in ("kind", "track", "style", "level"):
        dist = prediction.probabilities[name]
        assert sum(dist.values()) == pytest.approx(1.0, abs=1e-6)
        assert out[name]["p"] == pytest.approx(dist[out[name]["label"]], abs=1e-4)
        assert out[name]["p"] == pytest.approx(max(dist.values()), abs=1e-4)
    text = (posting.title + " " + posting.text).lower()
    for phrase in out["evidence"]["style"] + out["evidence"]["level"]:
        assert all(word in text for word in phrase.removeprefix("title: ").split()), phrase
    assert out["evidence"]["style"], "an obvious posting should come with evidence"


def test_batch_prediction_equals_one_by_one(classifier: RoleClassifier) -> None:
    check = load_check()[:25]
    together = classifier.predict(check)
    for example, prediction in zip(check, together, strict=True):
        [alone] = classifier.predict([example])
        assert alone.evidence == prediction.evidence
        assert alone.probabilities["level"] == pytest.approx(prediction.probabilities["level"])


def test_theory_posting_is_theoretical_with_theory_evidence(classifier: RoleClassifier) -> None:
    posting = PostingText(
        title="Researcher, Agent Foundations",
        text="Set your own research agenda on decision theory and embedded agency. The output "
        "is proofs, formal frameworks and written arguments; code is occasional. A PhD in "
        "mathematics or theoretical computer science and a record of first-author papers.",
    )
    [prediction] = classifier.predict([posting])
    assert prediction.style.label == "theoretical"
    assert prediction.level.label == "lead"
    assert "theory" in prediction.areas
    assert any("theor" in p or "formal" in p or "proof" in p for p in prediction.evidence["style"])


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("", ""),
        ("!!!", "--- ### +++"),
        ("Ingénieure de recherche 🤖", "Évaluations des modèles\x00 et sécurité."),
        ("Engineer", "word " * 20_000),
    ],
)
def test_odd_text_still_gets_tags(classifier: RoleClassifier, title: str, text: str) -> None:
    [prediction] = classifier.predict([PostingText(title=title, text=text)])
    out = prediction.to_contract("x")
    assert json.loads(json.dumps(out)) == out
    assert all(0.0 <= out[name]["p"] <= 1.0 for name in ("kind", "track", "style", "level"))


def test_every_posting_gets_style_and_level_even_if_not_technical(
    classifier: RoleClassifier,
) -> None:
    [prediction] = classifier.predict(
        [PostingText(title="Operations Manager", text="Run our office, payroll and events.")]
    )
    assert prediction.track.label == "operations"
    assert prediction.style.label in EXPECTED_VOCABULARY["style"]
    assert 0.0 <= prediction.level.p <= 1.0


def test_empty_batch_and_unfitted_model() -> None:
    empty = RoleClassifier.__new__(RoleClassifier)
    empty.heads = {}
    with pytest.raises(NotTrained):
        empty.predict([PostingText(title="x", text="y")])


def test_pick_phrases_prefers_longer_phrases() -> None:
    ranked = ["title: engineer", "pytorch", "title: research engineer", "engineer", "gpu"]
    assert pick_phrases(ranked, 5) == ["title: research engineer", "pytorch", "gpu"]
    assert pick_phrases(["gpu", "jax", "evals"], 2) == ["gpu", "jax"]
    assert pick_phrases(["own", "research", "own research", "agenda"], 2) == [
        "own research",
        "agenda",
    ]


def test_evidence_skips_stop_word_phrases(classifier: RoleClassifier) -> None:
    shown = [p for p, ok in zip(classifier._phrases, classifier._eligible, strict=True) if ok]
    assert shown and not any(p.split()[-1] in ("and", "the", "of") for p in shown)
    assert not any(p.removeprefix("title: ").split()[0] in ("and", "the", "of") for p in shown)


def test_evidence_has_no_contraction_ends_or_bare_punctuation(classifier: RoleClassifier) -> None:
    shown = [p for p, ok in zip(classifier._phrases, classifier._eligible, strict=True) if ok]
    words = {w for p in shown for w in p.removeprefix("title: ").split()}
    assert not words & {"ll", "ve", "re", "s", "t", "-", "–", "+"}
    posting = PostingText(
        "Senior Research Engineer, Evaluations",
        "You'll build evaluation suites - and we'll run them. You've shipped ML systems; "
        "you're at ease with agents. We'd love to hear from you - apply today.",
    )
    [prediction] = classifier.predict([posting])
    for phrase in prediction.evidence["style"] + prediction.evidence["level"]:
        assert all(w not in ("ll", "ve", "re", "d", "-") for w in phrase.split()), phrase


def test_saved_model_round_trip_and_sidecar(trained_dir: Path, classifier: RoleClassifier) -> None:
    sidecar = read_sidecar(trained_dir)
    assert sidecar is not None
    assert sidecar["model_version"] == classifier.version
    assert sidecar["label_set_hash"] == taxonomy.label_set_hash()
    assert sidecar["corpus_hash"] == examples_hash(load_training())
    assert set(sidecar["versions"]) >= {"python", "scikit-learn", "numpy", "scipy"}
    check = sidecar["metrics"]["check"]
    assert check["all"]["model"]["style"]["n"] > 0 and check["hard"]["baseline"]["level"]["n"] > 0
    assert not list(ROOT.glob("matcher/**/*.joblib")), "no binary model in the repository"


def test_stale_or_broken_model_is_retrained(trained_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(trained_dir, folder)
    assert load_model(folder) is not None
    sidecar = json.loads((folder / SIDECAR_FILE).read_text())
    sidecar["label_set_hash"] = "0000"
    (folder / SIDECAR_FILE).write_text(json.dumps(sidecar))
    assert load_model(folder) is None  # another vocabulary: refused
    shutil.copy(trained_dir / SIDECAR_FILE, folder / SIDECAR_FILE)
    (folder / MODEL_FILE).write_bytes(b"not a model")
    assert load_model(folder) is None
    retrained = load_or_train(folder)
    assert (
        retrained.version == json.loads((trained_dir / SIDECAR_FILE).read_text())["model_version"]
    )
    assert load_model(folder) is not None


def test_corrections_change_the_version_and_join_training(classifier: RoleClassifier) -> None:
    corpus = load_training()[::3]
    posting = PostingText(title="Research Engineer", text="Implement PyTorch experiments on GPUs.")
    extra = [
        Example(
            id=f"label-{i}",
            title=posting.title,
            text=posting.text + f" variant {i}",
            style="theoretical",
        )
        for i in range(30)
    ]
    before = fit_classifier(corpus).predict([posting])[0].probabilities["style"]["theoretical"]
    after = (
        fit_classifier([*corpus, *extra])
        .predict([posting])[0]
        .probabilities["style"]["theoretical"]
    )
    assert after > before + 0.2
    assert np.isfinite(after)


def test_report_headline_counts_corrections_in_words(trained_dir: Path) -> None:
    from matcher.classifier.report import format_report

    sidecar = read_sidecar(trained_dir)
    assert sidecar is not None
    one = format_report({**sidecar, "n_extra": 1}).splitlines()[0]
    two = format_report({**sidecar, "n_extra": 2}).splitlines()[0]
    assert "+ 1 correction, trained in" in one and "+ 2 corrections, trained in" in two
