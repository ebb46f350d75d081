"""Fit matching: rank postings for a profile and say why (docs/MATCHING.md).

    from matcher.fit import match
    results = match(session, profile_doc, limit=20)

Layout: places (location keys), corpus (facts as columns), textsim (TF-IDF), constraints (hard
rules), scoring (soft factors and weights), reasons (plain words), results (typed output),
load (database reading and the corpus cache), match (the pipeline).
"""

from matcher.fit.match import clear_cache, match, rank, warm
from matcher.fit.results import CheckItem, MatchResult, MatchResults, PostingTags
from matcher.fit.scoring import Weights

__all__ = [
    "CheckItem",
    "MatchResult",
    "MatchResults",
    "PostingTags",
    "Weights",
    "clear_cache",
    "match",
    "rank",
    "warm",
]
