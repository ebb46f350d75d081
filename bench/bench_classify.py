"""Benchmark and evaluate the role classifier (`make bench` runs it; figures in docs/TAXONOMY.md).

Measures, on one CPU core:
- training time of the shipped model on the corpus (and the full `rolefit train` evaluation);
- postings classified per second over 10,000 postings of about 500 words (target >= 2,000/s),
  as the classifier alone and as bulk re-tagging of a SQLite database;
and prints every evaluation figure: cross-validation per field, the check set for the model and
the keyword baseline, overall and on the hard cases. Results go to bench/results/classify.json.

Run: .venv/bin/python bench/bench_classify.py [--postings N]
"""

import os

# One core: pin the BLAS pools before numpy loads, and the process to one CPU.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher.classifier import PostingText, fit_classifier, train_and_save  # noqa: E402
from matcher.classifier.corpus import load_training  # noqa: E402
from matcher.classifier.report import format_report  # noqa: E402
from matcher.tagging import tag_postings  # noqa: E402
from store.db import make_engine, session_scope  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from store.models import Posting, Source  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "classify.json"


def synthetic_postings(count: int, words: int = 500, seed: int = 0) -> list[PostingText]:
    """``count`` postings of about ``words`` words, stitched from corpus paragraphs."""
    rng = random.Random(seed)
    corpus = load_training()
    paragraphs = [p for e in corpus for p in e.text.split("\n") if len(p.split()) > 5]
    postings = []
    for _ in range(count):
        base = rng.choice(corpus)
        parts = [base.text]
        while sum(len(p.split()) for p in parts) < words:
            parts.append(rng.choice(paragraphs))
        text = " ".join("\n".join(parts).split()[:words])
        postings.append(PostingText(title=base.title, text=text))
    return postings


def time_predict(postings: list[PostingText], batch: int = 500) -> tuple[float, float]:
    """Postings per second (wall clock, CPU time), best of three passes.

    CPU time is reported too because the benchmark may share its machine: wall-clock rates
    then understate what one free core does.
    """
    classifier = fit_classifier(load_training())
    classifier.predict(postings[:50])  # warm-up
    best_wall = best_cpu = float("inf")
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(postings), batch):
            classifier.predict(postings[start : start + batch])
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return len(postings) / best_wall, len(postings) / best_cpu


def time_db_tagging(postings: list[PostingText], folder: Path) -> float:
    classifier = fit_classifier(load_training(), version="bench")
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(Source(id="bench", platform="bench"))
        session.flush()
        session.add_all(
            Posting(source_id="bench", external_id=str(i), title=p.title, description_text=p.text)
            for i, p in enumerate(postings)
        )
    started = time.perf_counter()
    with session_scope(engine) as session:
        tagged = tag_postings(session, classifier)
    seconds = time.perf_counter() - started
    engine.dispose()
    return tagged / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=10_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    corpus = load_training()
    fits, fit_cpu = [], []
    for _ in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        fit_classifier(corpus)
        fits.append(time.perf_counter() - started)
        fit_cpu.append(time.process_time() - cpu)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        _, sidecar = train_and_save(Path(folder) / "model", cross_validation=True)
        full_train = time.perf_counter() - started
        postings = synthetic_postings(args.postings)
        mean_words = sum(len(p.text.split()) for p in postings) / len(postings)
        per_second, per_cpu_second = time_predict(postings)
        db_per_second = time_db_tagging(postings, Path(folder))

    print(format_report(sidecar))
    print()
    print(
        f"training (fit on {len(corpus)} examples, best of 3): {min(fits):.2f} s wall, "
        f"{min(fit_cpu):.2f} s CPU  (target < 30 s)"
    )
    print(f"rolefit train incl. 5-fold cross-validation and check set: {full_train:.1f} s")
    print(
        f"classification: {per_second:,.0f} postings/s over {len(postings):,} postings of "
        f"{mean_words:.0f} words on one core, wall clock  (target >= 2,000/s)"
    )
    print(f"classification per CPU-second of that core: {per_cpu_second:,.0f} postings/s")
    print(f"machine load average while running: {os.getloadavg()[0]:.1f}")
    print(f"bulk re-tagging a SQLite database: {db_per_second:,.0f} postings/s")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "training_seconds": round(min(fits), 3),
                "training_cpu_seconds": round(min(fit_cpu), 3),
                "train_with_evaluation_seconds": round(full_train, 2),
                "postings": len(postings),
                "mean_words": round(mean_words),
                "postings_per_second": round(per_second),
                "postings_per_cpu_second": round(per_cpu_second),
                "load_average": round(os.getloadavg()[0], 1),
                "db_retag_postings_per_second": round(db_per_second),
                "model_version": sidecar["model_version"],
                "n_corpus": sidecar["n_corpus"],
                "versions": sidecar["versions"],
                "metrics": sidecar["metrics"],
            },
            indent=2,
        )
    )
    print(f"written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
