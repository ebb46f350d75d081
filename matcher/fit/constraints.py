"""Hard constraints: which postings a profile can apply to at all.

Each constraint gives every posting one status: meets, misses or unknown. A posting is excluded
when any constraint misses; unknown never excludes (a posting that does not say where it is,
or whether it sponsors visas, stays in the list and says so). Vectorised over a Corpus.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from matcher.fit.corpus import NO_DEADLINE, REMOTE_CODES, VISA_CODES, BoolArray, Corpus, IntArray
from matcher.fit.places import country_key, location_keys, place_key
from matcher.profile import ProfileDoc
from matcher.taxonomy import SINGLE_FIELDS
from store.models import ORG_TYPES

UNKNOWN, MEETS, MISSES = 0, 1, 2
STATUS_NAMES = {UNKNOWN: "unknown", MEETS: "meets", MISSES: "misses"}
# The order constraints appear in a checklist, and the first miss names the excluded reason.
CONSTRAINTS = ("open", "deadline", "kind", "track", "location", "sponsorship", "organisation")


@dataclass(frozen=True)
class Needs:
    """The parts of a profile hard constraints read, normalised once per match."""

    kinds: tuple[int, ...]
    tracks: tuple[int, ...]
    places: tuple[str, ...]
    place_countries: tuple[str, ...]
    remote_ok: bool
    hybrid_ok: bool
    authorised: tuple[str, ...]
    excluded_orgs: tuple[str, ...]
    excluded_types: tuple[int, ...]
    within_days: int | None

    @classmethod
    def of(cls, profile: ProfileDoc) -> "Needs":
        """Normalise ``profile`` for the constraint checks."""
        return cls(
            kinds=tuple(SINGLE_FIELDS["kind"].index(k) for k in profile.kinds),
            tracks=tuple(SINGLE_FIELDS["track"].index(t) for t in profile.tracks),
            places=tuple(place_key(p) for p in profile.location.places if p.strip()),
            place_countries=tuple(
                sorted({c for p in profile.location.places for c in location_keys(p).countries})
            ),
            remote_ok=profile.location.remote_ok,
            hybrid_ok=profile.location.hybrid_ok,
            authorised=tuple(country_key(c) for c in profile.work_authorisation.countries),
            excluded_orgs=tuple(o.strip().lower() for o in profile.organisations.exclude),
            excluded_types=tuple(ORG_TYPES.index(t) for t in profile.organisations.exclude_types),
            within_days=profile.deadlines.within_days,
        )


def _member(codes: IntArray, wanted: tuple[int, ...]) -> BoolArray:
    """``codes`` in ``wanted`` by table lookup (np.isin sorts; this is one gather)."""
    size = max(int(codes.max(initial=0)), *wanted, 0) + 2
    table = np.zeros(size, dtype=bool)
    table[list(wanted)] = True
    return table[codes]  # code -1 (unknown) reads the last slot, which is never set


def _full(corpus: Corpus, status: int) -> IntArray:
    return np.full(len(corpus), status, dtype=np.int64)


def check_open(corpus: Corpus) -> IntArray:
    """Closed postings miss."""
    return np.where(corpus.closed, MISSES, MEETS)


def check_deadline(corpus: Corpus, needs: Needs, today: date) -> IntArray:
    """Past deadlines miss, as do deadlines further ahead than the profile allows."""
    out = np.where(corpus.deadline == NO_DEADLINE, UNKNOWN, MEETS)
    out[(corpus.deadline != NO_DEADLINE) & (corpus.deadline < today.toordinal())] = MISSES
    if needs.within_days is not None:
        out[corpus.deadline > today.toordinal() + needs.within_days] = MISSES
    return out


def check_choice(codes: IntArray, wanted: tuple[int, ...]) -> IntArray:
    """A tag in the wanted list meets; an untagged posting is unknown; no list means any."""
    if not wanted:
        return np.full(len(codes), MEETS, dtype=np.int64)
    out = np.where(_member(codes, wanted), MEETS, MISSES)
    out[codes < 0] = UNKNOWN
    return out


def check_location(corpus: Corpus, needs: Needs) -> IntArray:
    """Remote, hybrid and on-site postings against the profile's places (none listed: anywhere)."""
    if needs.places:
        in_place = corpus.rows_with(corpus.place_index, needs.places)
    else:
        in_place = np.ones(len(corpus), dtype=bool)
    out = np.where(corpus.has_location, np.where(in_place, MEETS, MISSES), UNKNOWN)
    hybrid = corpus.remote == REMOTE_CODES["hybrid"]
    if not needs.hybrid_ok:
        out[hybrid & in_place & corpus.has_location] = MISSES
    remote = corpus.remote_any
    if needs.remote_ok:
        # "Remote (US only)" is open only to people in those countries; a profile without
        # places is taken to be anywhere.
        region_ok = ~corpus.remote_region
        if needs.places:
            region_ok |= corpus.rows_with(corpus.remote_country_index, needs.place_countries)
        out[remote] = np.where((region_ok | in_place)[remote], MEETS, MISSES)
    else:
        # Not wanting remote work: a remote posting fits only through an office in your places.
        out[remote] = np.where((in_place & corpus.has_onsite)[remote], MEETS, MISSES)
    return out


def check_sponsorship(corpus: Corpus, needs: Needs) -> IntArray:
    """A posting that will not sponsor misses only when it is outside every authorised country."""
    if not needs.authorised:
        return _full(corpus, UNKNOWN)
    authorised = corpus.rows_with(corpus.country_index, needs.authorised)
    out = _full(corpus, UNKNOWN)
    out[corpus.visa == VISA_CODES["yes"]] = MEETS
    out[(corpus.visa == VISA_CODES["no"]) & corpus.has_country] = MISSES
    out[authorised] = MEETS
    return out


def check_organisation(corpus: Corpus, needs: Needs) -> IntArray:
    """Organisations excluded by name or by type miss."""
    out = _full(corpus, MEETS)
    if needs.excluded_types:
        out[corpus.org_type < 0] = UNKNOWN
        out[_member(corpus.org_type, needs.excluded_types)] = MISSES
    out[corpus.rows_with(corpus.org_index, needs.excluded_orgs)] = MISSES
    return out


def check_all(corpus: Corpus, needs: Needs, today: date) -> dict[str, IntArray]:
    """Every constraint's status for every posting, keyed by constraint name."""
    return {
        "open": check_open(corpus),
        "deadline": check_deadline(corpus, needs, today),
        "kind": check_choice(corpus.kind, needs.kinds),
        "track": check_choice(corpus.track, needs.tracks),
        "location": check_location(corpus, needs),
        "sponsorship": check_sponsorship(corpus, needs),
        "organisation": check_organisation(corpus, needs),
    }


def excluded_mask(statuses: dict[str, IntArray]) -> BoolArray:
    """True for postings that miss any constraint."""
    missing = [status == MISSES for status in statuses.values()]
    return np.logical_or.reduce(missing) if missing else np.zeros(0, dtype=bool)
