"""Ranking postings for a profile: hard constraints, then the weighted score, then reasons.

``rank`` is pure (a Corpus and TextIndex in, MatchResults out). ``match`` is the thin database
edge every interface calls (CLI, Python API, HTTP, web pages, digests), so they all rank alike.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlmodel import Session

from matcher.fit.constraints import CONSTRAINTS, Needs, check_all, excluded_mask
from matcher.fit.corpus import Corpus, FloatArray, IntArray, PostingFacts
from matcher.fit.load import CorpusCache
from matcher.fit.reasons import FactorContext, detail, flags, soft_reasons, status_name
from matcher.fit.results import CheckItem, MatchResult, MatchResults, PostingTags
from matcher.fit.scoring import FACTORS, Weights, combine, factor_values
from matcher.fit.textsim import TextIndex
from matcher.profile import ProfileDoc, load_profile, profile_from_dict
from store.clock import as_utc, utcnow

_CACHE = CorpusCache()


def profile_text(profile: ProfileDoc) -> str:
    """The words of a profile that text similarity compares with postings."""
    return " ".join([*profile.skills, profile.bio]).strip()


def _tags(fact: PostingFacts) -> PostingTags:
    return PostingTags(
        kind=fact.kind,
        kind_p=fact.kind_p,
        track=fact.track,
        track_p=fact.track_p,
        style=fact.style,
        style_p=fact.style_p,
        level=fact.level,
        level_p=fact.level_p,
        areas=list(fact.areas),
    )


def _order(scores: FloatArray, ids: IntArray, rows: IntArray) -> IntArray:
    """``rows`` sorted by score (high first), then by posting id for a stable tie-break."""
    keys = np.lexsort((ids[rows], -scores[rows]))
    return rows[keys]


@dataclass(frozen=True)
class _Scored:
    """Everything computed for one profile over the corpus; turns a row into a result."""

    corpus: Corpus
    profile: ProfileDoc
    statuses: dict[str, IntArray]
    values: dict[str, FloatArray]
    scores: FloatArray
    similarity: FloatArray
    text: TextIndex
    query: Any
    today: date
    weights: Weights

    def result(self, i: int) -> MatchResult:
        """The result for corpus row ``i``, with its checklist and reasons."""
        fact, profile = self.corpus.facts[i], self.profile
        checklist = [
            CheckItem(
                constraint=name,
                status=status_name(int(self.statuses[name][i])),  # type: ignore[arg-type]
                detail=detail(name, int(self.statuses[name][i]), fact, profile, self.today),
            )
            for name in CONSTRAINTS
        ]
        misses = [item.detail for item in checklist if item.status == "misses"]
        column = int(self.corpus.text_col[i])
        ctx = FactorContext(
            values={name: float(value[i]) for name, value in self.values.items()},
            similarity=float(self.similarity[i]),
            shared_terms=(
                self.text.shared_terms(self.query, column)
                if "text" in self.values and column >= 0
                else []
            ),
            today=self.today,
            weights=self.weights,
        )
        return MatchResult(
            posting_id=fact.id,
            title=fact.title,
            organisation=fact.organisation,
            url=fact.url,
            score=float(self.scores[i]),
            tags=_tags(fact),
            reasons=soft_reasons(fact, profile, ctx),
            checklist=checklist,
            flags=flags(fact, profile),
            factors={name: round(v, 4) for name, v in ctx.values.items()},
            deadline=fact.deadline,
            locations=list(fact.locations),
            excluded_reason="; ".join(misses) if misses else None,
        )


def _similarity(corpus: Corpus, text: TextIndex, query: Any) -> FloatArray:
    """Text similarity of every posting in corpus order (0 for postings not indexed)."""
    if not len(corpus):
        return np.zeros(0)
    by_column = text.similarity(query)
    cols = corpus.text_col
    indexed = (cols >= 0) & (cols < len(by_column))
    return np.where(indexed, by_column[np.where(indexed, cols, 0)], 0.0)


def rank(
    corpus: Corpus,
    text: TextIndex,
    profile: ProfileDoc,
    *,
    today: date,
    limit: int = 20,
    include_excluded: bool = False,
    weights: Weights | None = None,
) -> MatchResults:
    """Rank ``corpus`` for ``profile``: eligible postings by score, with reasons (pure)."""
    weights = weights or Weights()
    statuses = check_all(corpus, Needs.of(profile), today)
    excluded = excluded_mask(statuses) if len(corpus) else np.zeros(0, dtype=bool)
    words = profile_text(profile)
    query = text.query(words)
    similarity = _similarity(corpus, text, query)
    values = factor_values(corpus, profile, similarity if words else None, today, weights)
    scores = combine(values, weights, len(corpus))
    scored = _Scored(
        corpus, profile, statuses, values, scores, similarity, text, query, today, weights
    )
    eligible = np.flatnonzero(~excluded)
    matches = [scored.result(int(i)) for i in _order(scores, corpus.ids, eligible)[: max(limit, 0)]]
    hidden: list[MatchResult] = []
    if include_excluded:
        rows = _order(scores, corpus.ids, np.flatnonzero(excluded))[: max(limit, 0)]
        hidden = [scored.result(int(i)) for i in rows]
    return MatchResults(
        profile=profile.name,
        considered=len(corpus),
        eligible=int(len(eligible)),
        matches=matches,
        excluded=hidden,
        weights={name: weights.of(name) for name in FACTORS},
    )


def coerce_profile(profile: Any) -> ProfileDoc:
    """A ProfileDoc from a ProfileDoc, a dict, or a path to a TOML file."""
    if isinstance(profile, ProfileDoc):
        return profile
    if isinstance(profile, dict):
        return profile_from_dict(profile)
    if isinstance(profile, str | bytes) or hasattr(profile, "__fspath__"):
        return load_profile(profile if not isinstance(profile, bytes) else profile.decode())
    return profile_from_dict(profile)


def match(
    session: Session,
    profile: ProfileDoc | dict[str, Any],
    *,
    limit: int = 20,
    include_excluded: bool = False,
    now: datetime | date | None = None,
    weights: Weights | None = None,
) -> MatchResults:
    """Rank the stored postings for ``profile`` (the one entry point every interface uses)."""
    doc = coerce_profile(profile)
    if isinstance(now, datetime):
        today = as_utc(now).date()
    else:
        today = now or utcnow().date()
    loaded = _CACHE.get(session, today)
    return rank(
        loaded.corpus,
        loaded.text,
        doc,
        today=today,
        limit=limit,
        include_excluded=include_excluded,
        weights=weights,
    )


def warm(session: Session, *, now: datetime | date | None = None) -> int:
    """Build (or check) the cached corpus now, so the next match is fast; return its size.

    Call it after a crawl or a re-tag in a long-running process (the web server's scheduler),
    so no request waits for the rebuild.
    """
    today = as_utc(now).date() if isinstance(now, datetime) else (now or utcnow().date())
    return len(_CACHE.get(session, today).corpus)


def clear_cache() -> None:
    """Drop cached corpora (the next match rebuilds from the database)."""
    _CACHE.clear()


__all__ = ["warm", "clear_cache", "coerce_profile", "match", "profile_text", "rank"]
