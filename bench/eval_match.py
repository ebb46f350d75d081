"""Evaluate matching: NDCG@10 over the team's judged profiles, against a text-only baseline.

Loads the demo sample (rolefit/demo, unshifted: "today" is its reference day) into a temporary
database, tags it with the role classifier (trained into a temporary folder), then ranks every
profile in bench/match_eval/profiles with:

- tfidf-only: TF-IDF cosine of the profile's skills and bio alone, over every open posting
  (the baseline the issue asks for);
- constraints+tfidf: the hard constraints, then TF-IDF alone (what the constraints add);
- matcher (untagged): the full matcher before the classifier has run (role and areas unknown);
- matcher: the full matcher with classifier tags, the shipped default weights.

Gains are 2^grade - 1 with grades 0-3 from judgements.jsonl; unjudged postings count as 0.
The weights were chosen before the judgements were read and are not tuned on them.

Run: make eval-match   (or .venv/bin/python bench/eval_match.py [--no-tags])
Figures are printed and written to bench/results/eval_match.json.
"""

import argparse
import json
import math
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EVAL = ROOT / "bench" / "match_eval"
RESULTS = ROOT / "bench" / "results" / "eval_match.json"
K = 10


def dcg(gains: list[float]) -> float:
    """Discounted cumulative gain of a list of gains in rank order."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """NDCG@k of external ids in ranked order against graded judgements."""
    gains = [2 ** grades.get(e, 0) - 1 for e in ranked[:k]]
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:k]
    best = dcg(ideal)
    return dcg(gains) / best if best > 0 else 0.0


def load_judgements() -> dict[str, dict[str, int]]:
    """Profile name -> {external id: grade}."""
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (EVAL / "judgements.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            grades[row["profile"]][row["external_id"]] = int(row["grade"])
    return grades


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-tags", action="store_true", help="Skip the classifier run.")
    args = parser.parse_args()

    import numpy as np
    from sqlmodel import Session, select

    from matcher.fit import Weights
    from matcher.fit.load import CorpusCache
    from matcher.fit.match import profile_text, rank
    from matcher.profile import load_profile
    from rolefit.demo_data import REFERENCE_DAY, load_demo
    from rolefit.settings import Settings
    from store.db import make_engine
    from store.migrate import upgrade
    from store.models import Posting

    judgements = load_judgements()
    profiles = sorted((EVAL / "profiles").glob("*.toml"))
    today: date = REFERENCE_DAY
    text_only = Weights(role=0, areas=0, text=1, seniority=0, salary=0, deadline=0)

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder))
        engine = make_engine(f"sqlite:///{Path(folder) / 'eval.db'}")
        upgrade(engine)
        load_demo(engine, today=today)
        with Session(engine) as session:
            external = {p.id: p.external_id for p in session.exec(select(Posting)).all()}
        cache = CorpusCache()

        def rankings(tagged: bool) -> dict[str, Callable[[Any], list[str]]]:
            with Session(engine) as session:
                loaded = cache.get(session, today)
            corpus, text = loaded.corpus, loaded.text
            everything = len(corpus)

            def matcher(weights: Weights | None) -> Callable[[Any], list[str]]:
                def run(profile: Any) -> list[str]:
                    results = rank(
                        corpus, text, profile, today=today, limit=everything, weights=weights
                    )
                    return [external[m.posting_id] for m in results.matches]

                return run

            def tfidf_only(profile: Any) -> list[str]:
                sims = text.similarity(text.query(profile_text(profile)))
                open_rows = np.flatnonzero(~corpus.closed)
                order = open_rows[np.lexsort((corpus.ids[open_rows], -sims[open_rows]))]
                return [external[int(corpus.ids[i])] for i in order]

            if not tagged:
                return {
                    "tfidf-only": tfidf_only,
                    "constraints+tfidf": matcher(text_only),
                    "matcher (untagged)": matcher(None),
                }
            return {"matcher": matcher(None)}

        systems = rankings(tagged=False)
        tagged_note = "classifier not run (--no-tags)"
        if not args.no_tags:
            from rolefit.tagging import tag_all

            count = tag_all(settings, engine)
            tagged_note = f"{count} postings tagged by the role classifier"
            systems |= rankings(tagged=True)

        scores: dict[str, dict[str, float]] = {name: {} for name in systems}
        for path in profiles:
            profile = load_profile(path)
            grades = judgements.get(path.stem, {})
            if not grades:
                print(f"warning: no judgements for {path.stem}; skipped")
                continue
            for name, run in systems.items():
                scores[name][path.stem] = ndcg_at(run(profile), grades)
        engine.dispose()

    names = list(systems)
    print(f"NDCG@{K} over {len(scores[names[0]])} profiles ({tagged_note}; today = {today})")
    print(f"{'profile':<38}" + "".join(f"{n:>21}" for n in names))
    for stem in scores[names[0]]:
        print(f"{stem:<38}" + "".join(f"{scores[n][stem]:>21.3f}" for n in names))
    means = {n: round(sum(scores[n].values()) / max(len(scores[n]), 1), 4) for n in names}
    print(f"{'mean':<38}" + "".join(f"{means[n]:>21.3f}" for n in names))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "metric": f"NDCG@{K}, gain 2^grade-1, unjudged = 0",
                "data": "rolefit/demo sample, bench/match_eval judgements",
                "tags": tagged_note,
                "mean": means,
                "per_profile": scores,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
