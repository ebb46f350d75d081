"""Soft factors and the score: how well an eligible posting fits, in [0, 1].

Each factor gives every posting a value in [0, 1]; 0.5 means "unknown" (a posting not yet
tagged, a salary in another currency), so unknowns neither help nor hurt. A factor the profile
says nothing about (no areas listed, no salary minimum) is left out and the other weights are
renormalised, so the score always spans [0, 1]. The weights are documented in docs/MATCHING.md.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from matcher.fit.corpus import (
    NO_DEADLINE,
    NO_PHD,
    PHD_PREFERRED,
    PHD_REQUIRED,
    PHD_UNKNOWN,
    Corpus,
    FloatArray,
)
from matcher.profile import ProfileDoc
from matcher.taxonomy import AREAS, SINGLE_FIELDS

NEUTRAL = 0.5
FACTORS = ("role", "areas", "text", "seniority", "salary", "deadline")


@dataclass(frozen=True)
class Weights:
    """Weights of the soft factors (any non-negative numbers; they are normalised).

    Chosen a priori, before the evaluation set was read: role type and areas are what the
    field's career guides say matters most, text similarity catches skills the tags cannot,
    and seniority, salary and deadline adjust rather than decide.
    """

    role: float = 0.30
    areas: float = 0.25
    text: float = 0.20
    seniority: float = 0.10
    salary: float = 0.05
    deadline: float = 0.10
    # Cosine similarity at which the text factor is full; TF-IDF cosines of a short bio with a
    # long posting rarely pass 0.3.
    text_full_at: float = 0.30

    def of(self, factor: str) -> float:
        """The weight of one factor."""
        if factor not in FACTORS:
            raise KeyError(factor)
        value: float = getattr(self, factor)
        return value


def _lean(p_side: FloatArray, strength: float) -> FloatArray:
    """Fit of a two-sided preference: 0.5 +/- strength, scaled by P(posting is that side)."""
    return np.where(np.isnan(p_side), NEUTRAL, NEUTRAL + strength * (p_side - NEUTRAL))


def role_fit(corpus: Corpus, profile: ProfileDoc) -> FloatArray | None:
    """Style and level probabilities against the stated (or readiness-derived) preferences."""
    style, _ = profile.effective_style()
    level, _ = profile.effective_level()
    parts: list[FloatArray] = []
    if style.prefer != "either" and style.strength > 0:
        p = corpus.p_empirical if style.prefer == "empirical" else 1.0 - corpus.p_empirical
        parts.append(_lean(p, style.strength))
    if level.prefer != "either" and level.strength > 0:
        p = corpus.p_lead if level.prefer == "lead" else 1.0 - corpus.p_lead
        parts.append(_lean(p, level.strength))
    if not parts:
        return None
    value = np.mean(parts, axis=0)
    # Style and level describe technical work only; other tracks are neutral on role type.
    technical = SINGLE_FIELDS["track"].index("technical")
    return np.where((corpus.track >= 0) & (corpus.track != technical), NEUTRAL, value)


def area_bits(areas: list[str]) -> int:
    """The bitmask of a list of areas (the Corpus encoding)."""
    return sum(1 << AREAS.index(a) for a in set(areas))


def areas_fit(corpus: Corpus, profile: ProfileDoc) -> FloatArray | None:
    """Share of the posting's areas (or of the profile's, if fewer) that the profile lists."""
    if not profile.areas:
        return None
    wanted = area_bits(profile.areas)
    shared = np.bitwise_count(corpus.area_bits & wanted).astype(np.float64)
    stated = np.bitwise_count(corpus.area_bits).astype(np.float64)
    denominator = np.minimum(stated, len(set(profile.areas)))
    value = np.divide(shared, denominator, out=np.zeros(len(corpus)), where=denominator > 0)
    return np.where(corpus.tagged, value, NEUTRAL)


def text_fit(similarity: FloatArray | None, weights: Weights) -> FloatArray | None:
    """TF-IDF cosine, scaled so ``text_full_at`` and above count fully."""
    if similarity is None:
        return None
    return np.clip(similarity / weights.text_full_at, 0.0, 1.0)


def seniority_fit(corpus: Corpus, profile: ProfileDoc) -> FloatArray | None:
    """Degree and years asked for against the profile; "no PhD required" fits everyone."""
    degree, years = profile.experience.degree, profile.experience.years
    if degree is None and years is None:
        return None
    parts: list[FloatArray] = []
    if degree is not None:
        has_phd = degree == "phd"
        value = np.full(len(corpus), 1.0 if has_phd else 0.75)
        if not has_phd:
            value[corpus.phd == PHD_REQUIRED] = 0.25
            value[corpus.phd == PHD_PREFERRED] = 0.6
            # Research leads mostly hold PhDs even when the posting does not say so.
            lead = np.nan_to_num(corpus.p_lead, nan=0.0) > 0.5
            value[(corpus.phd == PHD_UNKNOWN) & lead] = 0.6
        value[corpus.phd == NO_PHD] = 1.0
        parts.append(value)
    if years is not None:
        need = corpus.min_years
        ratio = np.divide(years, need, out=np.ones(len(corpus)), where=need > 0)
        parts.append(np.where(np.isnan(need), 0.75, np.clip(ratio, 0.2, 1.0)))
    return np.asarray(np.mean(parts, axis=0), dtype=np.float64)


def salary_fit(corpus: Corpus, profile: ProfileDoc) -> FloatArray | None:
    """Top of the stated yearly range against the minimum, when both state one."""
    minimum, currency = profile.salary.minimum, profile.salary.currency
    if not minimum:
        return None
    top = corpus.salary_high
    comparable = ~np.isnan(top)
    if currency:
        code = corpus.currencies.index(currency) if currency in corpus.currencies else -2
        comparable &= corpus.currency == code
    shortfall = np.clip((minimum - np.nan_to_num(top)) / minimum, 0.0, 1.0)
    # 25% short halves the factor; 50% short zeroes it. Never hidden, only ranked lower.
    return np.where(comparable, np.clip(1.0 - 2.0 * shortfall, 0.0, 1.0), NEUTRAL)


def deadline_fit(corpus: Corpus, today: date) -> FloatArray:
    """Urgency: full within a week of the deadline, falling to 0.25 at 60 days or no deadline."""
    days = (corpus.deadline - today.toordinal()).astype(np.float64)
    urgency = 0.25 + 0.75 * np.clip((60.0 - days) / 53.0, 0.0, 1.0)
    return np.where(corpus.deadline == NO_DEADLINE, 0.25, urgency)


def factor_values(
    corpus: Corpus,
    profile: ProfileDoc,
    similarity: FloatArray | None,
    today: date,
    weights: Weights,
) -> dict[str, FloatArray]:
    """Every factor that applies to this profile, as an array over the corpus."""
    values = {
        "role": role_fit(corpus, profile),
        "areas": areas_fit(corpus, profile),
        "text": text_fit(similarity, weights),
        "seniority": seniority_fit(corpus, profile),
        "salary": salary_fit(corpus, profile),
        "deadline": deadline_fit(corpus, today),
    }
    return {name: value for name, value in values.items() if value is not None}


def combine(values: dict[str, FloatArray], weights: Weights, size: int) -> FloatArray:
    """The weighted mean of the applicable factors, rounded to 4 places (what users see)."""
    total = sum(weights.of(name) for name in values)
    if total <= 0:
        return np.zeros(size)
    score = sum((weights.of(name) * value for name, value in values.items()), np.zeros(size))
    return np.round(np.clip(score / total, 0.0, 1.0), 4).astype(np.float64)
