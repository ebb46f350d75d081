"""The postings the matcher ranks, as plain facts and as columns for vectorised scoring.

``PostingFacts`` is one posting reduced to what matching needs (no description text; that lives
in the TF-IDF index). ``Corpus`` holds the same facts as numpy columns plus inverted indexes for
places, organisations and countries, so one match is a handful of array operations instead of a
Python loop over every posting: that is what keeps a match over 100,000 postings fast.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from matcher.fit.places import location_keys
from matcher.taxonomy import AREAS, SINGLE_FIELDS
from store.models import ORG_TYPES

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Degree requirement stated in a posting's text.
PHD_UNKNOWN, NO_PHD, PHD_PREFERRED, PHD_REQUIRED = 0, 1, 2, 3
REMOTE_CODES = {"unknown": 0, "remote": 1, "hybrid": 2, "onsite": 3}
VISA_CODES = {"unknown": 0, "yes": 1, "no": 2}
NO_DEADLINE = -1
PERIOD_FACTOR = {"year": 1.0, "month": 12.0, "week": 52.0, "day": 260.0, "hour": 2080.0}

_NO_PHD = re.compile(
    r"no (?:phd|ph\.d\.?|doctorate|degree)s? (?:is )?(?:required|needed|necessary)"
    r"|(?:phd|ph\.d\.?|doctorate|degree) (?:is )?not (?:required|needed|necessary)"
    r"|(?:do not|don't|dont) need (?:a |to have a )?(?:phd|ph\.d|doctorate|degree)"
    r"|without a (?:phd|ph\.d|doctorate)|we will teach you|we'll teach you"
    r"|regardless of (?:formal )?(?:education|degree|credentials)"
)
_PHD_REQUIRED = re.compile(
    r"(?:phd|ph\.d\.?|doctorate|doctoral degree)[^.;]{0,60}\b(?:required|essential|mandatory)\b"
    r"|(?:requires?|must have|must hold|you have|you hold|need)\s+(?:a\s+)?(?:phd|ph\.d|doctorate)"
)
_PHD_PREFERRED = re.compile(
    r"(?:phd|ph\.d\.?|doctorate)[^.;]{0,60}\b(?:preferred|desirable|a plus|ideal|nice to have)\b"
    r"|(?:ideally|preferably) (?:a |with a )?(?:phd|ph\.d|doctorate)"
)
_YEARS = re.compile(
    r"(\d{1,2})\s*\+?\s*(?:or more\s+|plus\s+)?years?(?:'|’)?\s+(?:of\s+)?"
    r"(?:[a-z/&-]+\s+){0,4}?experience"
)


_DEGREE_WORDS = ("phd", "ph.d", "doctor", "degree", "teach you", "regardless of")


def requirements(text: str) -> tuple[int, float | None]:
    """Degree requirement code and minimum years of experience a posting's text asks for."""
    lower = text.lower()
    phd = PHD_UNKNOWN
    # The patterns are costly on long texts; most postings can be ruled out by a substring.
    if any(word in lower for word in _DEGREE_WORDS):
        if _NO_PHD.search(lower):
            phd = NO_PHD
        elif _PHD_REQUIRED.search(lower):
            phd = PHD_REQUIRED
        elif _PHD_PREFERRED.search(lower):
            phd = PHD_PREFERRED
    years: list[int] = []
    if "year" in lower and "experience" in lower:
        years = [int(m.group(1)) for m in _YEARS.finditer(lower) if 0 < int(m.group(1)) <= 30]
    return phd, (float(min(years)) if years else None)


@dataclass(frozen=True, slots=True)
class PostingFacts:
    """One posting, reduced to the facts matching uses; tags are None until classified."""

    id: int
    title: str
    organisation: str = ""
    org_type: str | None = None
    url: str = ""
    locations: tuple[str, ...] = ()
    remote: str = "unknown"
    deadline: date | None = None
    closed: bool = False
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    visa: str = "unknown"
    kind: str | None = None
    kind_p: float | None = None
    track: str | None = None
    track_p: float | None = None
    style: str | None = None
    style_p: float | None = None
    level: str | None = None
    level_p: float | None = None
    areas: tuple[str, ...] = ()
    tagged: bool = False
    phd: int = PHD_UNKNOWN
    min_years: float | None = None

    def salary_year(self) -> tuple[float | None, float | None]:
        """The stated pay range per year (hourly, daily, weekly, monthly scaled up)."""
        factor = PERIOD_FACTOR.get((self.salary_period or "year").lower(), 1.0)
        low = self.salary_min * factor if self.salary_min is not None else None
        high = self.salary_max * factor if self.salary_max is not None else None
        return low, high


def _code(values: Sequence[str], value: str | None) -> int:
    return values.index(value) if value in values else -1


def _side_p(label: str | None, p: float | None, side: str) -> float:
    """P(posting is ``side``) for a two-valued tag; NaN when the posting is not tagged."""
    if label is None:
        return float("nan")
    prob = 1.0 if p is None else float(p)
    return prob if label == side else 1.0 - prob


@dataclass
class Corpus:
    """Facts as columns (index i is ``facts[i]``) and inverted indexes for set lookups."""

    facts: list[PostingFacts]
    ids: IntArray
    kind: IntArray
    track: IntArray
    p_empirical: FloatArray
    p_lead: FloatArray
    area_bits: IntArray
    tagged: BoolArray
    deadline: IntArray  # date.toordinal(), NO_DEADLINE when none
    closed: BoolArray
    remote: IntArray
    remote_any: BoolArray  # remote by the remote field or a "Remote" location
    remote_region: BoolArray  # remote only within named countries ("Remote (US only)")
    has_onsite: BoolArray  # names a place that is not a remote location ("London" beside "Remote")
    has_location: BoolArray
    has_country: BoolArray
    visa: IntArray
    salary_low: FloatArray
    salary_high: FloatArray
    currency: IntArray  # index into ``currencies``; -1 when not stated
    currencies: list[str]
    org_type: IntArray
    phd: IntArray
    min_years: FloatArray
    place_index: dict[str, IntArray] = field(default_factory=dict)
    country_index: dict[str, IntArray] = field(default_factory=dict)
    org_index: dict[str, IntArray] = field(default_factory=dict)
    remote_country_index: dict[str, IntArray] = field(default_factory=dict)
    # Column of each posting in the TF-IDF index (-1: not indexed); the identity by default.
    text_col: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.facts)

    def rows_with(self, index: dict[str, IntArray], keys: Sequence[str]) -> BoolArray:
        """A mask of the postings that have any of ``keys`` in ``index``."""
        mask = np.zeros(len(self.facts), dtype=bool)
        for key in keys:
            rows = index.get(key)
            if rows is not None:
                mask[rows] = True
        return mask


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _index(groups: dict[str, list[int]]) -> dict[str, IntArray]:
    return {key: np.asarray(rows, dtype=np.int64) for key, rows in groups.items()}


def build_corpus(facts: Sequence[PostingFacts], text_col: IntArray | None = None) -> Corpus:
    """Columns and indexes for ``facts`` (pure; the order of ``facts`` is kept).

    ``text_col`` maps each posting to its column in the text index; by default posting i is
    column i (the index was built from the same postings in the same order).
    """
    facts = list(facts)
    kinds, tracks = SINGLE_FIELDS["kind"], SINGLE_FIELDS["track"]
    places: dict[str, list[int]] = defaultdict(list)
    countries: dict[str, list[int]] = defaultdict(list)
    orgs: dict[str, list[int]] = defaultdict(list)
    remote_countries: dict[str, list[int]] = defaultdict(list)
    remote_any, remote_region, has_onsite, has_country = [], [], [], []
    for i, fact in enumerate(facts):
        keys = [location_keys(loc) for loc in fact.locations]
        for key in {k for parsed in keys for k in parsed.keys}:
            places[key].append(i)
        found = {c for parsed in keys for c in parsed.countries}
        for country in found:
            countries[country].append(i)
        has_country.append(bool(found))
        remote_any.append(fact.remote == "remote" or any(parsed.remote for parsed in keys))
        # A remote location that names countries limits where the remote work can be done from,
        # unless another remote location names none ("Remote" beside "Remote (US)").
        regions = [parsed.countries for parsed in keys if parsed.remote]
        limited = bool(regions) and all(regions)
        remote_region.append(limited)
        has_onsite.append(any(not parsed.remote and parsed.keys for parsed in keys))
        for country in {c for region in regions for c in region} if limited else ():
            remote_countries[country].append(i)
        orgs[fact.organisation.strip().lower()].append(i)
    salary = [fact.salary_year() for fact in facts]
    named = [(f.salary_currency or "").strip().upper() for f in facts]
    currencies = sorted({c for c in named if c})
    currency_code = {c: i for i, c in enumerate(currencies)}
    return Corpus(
        facts=facts,
        ids=np.array([f.id for f in facts], dtype=np.int64),
        kind=np.array([_code(kinds, f.kind) for f in facts], dtype=np.int64),
        track=np.array([_code(tracks, f.track) for f in facts], dtype=np.int64),
        p_empirical=np.array([_side_p(f.style, f.style_p, "empirical") for f in facts]),
        p_lead=np.array([_side_p(f.level, f.level_p, "lead") for f in facts]),
        area_bits=np.array(
            [sum(1 << AREAS.index(a) for a in set(f.areas) if a in AREAS) for f in facts],
            dtype=np.int64,
        ),
        tagged=np.array([f.tagged for f in facts], dtype=bool),
        deadline=np.array(
            [f.deadline.toordinal() if f.deadline else NO_DEADLINE for f in facts], dtype=np.int64
        ),
        closed=np.array([f.closed for f in facts], dtype=bool),
        remote=np.array([REMOTE_CODES.get(f.remote, 0) for f in facts], dtype=np.int64),
        remote_any=np.array(remote_any, dtype=bool),
        remote_region=np.array(remote_region, dtype=bool),
        has_onsite=np.array(has_onsite, dtype=bool),
        has_location=np.array([bool(f.locations) for f in facts], dtype=bool),
        has_country=np.array(has_country, dtype=bool),
        visa=np.array([VISA_CODES.get(f.visa, 0) for f in facts], dtype=np.int64),
        salary_low=np.array([_or_nan(low) for low, _ in salary]),
        salary_high=np.array([_or_nan(high if high is not None else low) for low, high in salary]),
        currency=np.array([currency_code.get(c, -1) for c in named], dtype=np.int64),
        currencies=currencies,
        org_type=np.array([_code(ORG_TYPES, f.org_type) for f in facts], dtype=np.int64),
        phd=np.array([f.phd for f in facts], dtype=np.int64),
        min_years=np.array([_or_nan(f.min_years) for f in facts]),
        place_index=_index(places),
        country_index=_index(countries),
        org_index=_index(orgs),
        remote_country_index=_index(remote_countries),
        text_col=np.arange(len(facts), dtype=np.int64) if text_col is None else text_col,
    )
