"""Plain words for a match: the checklist details and the top soft factors.

Pure functions of one posting's facts, the profile and the numbers the scoring computed; only
called for the postings that are shown, so they can afford to be thorough.
"""

from dataclasses import dataclass
from datetime import date

from matcher.fit.constraints import MEETS, MISSES, STATUS_NAMES
from matcher.fit.corpus import NO_PHD, PHD_PREFERRED, PHD_REQUIRED, PostingFacts
from matcher.fit.places import country_key, location_keys, place_key
from matcher.fit.scoring import NEUTRAL, Weights
from matcher.profile import ProfileDoc

URGENT_DAYS = 14
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _list(items: list[str], conjunction: str = "and") -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def _days(deadline: date, today: date) -> str:
    days = (deadline - today).days
    if days == 0:
        return "closes today"
    if days == 1:
        return "closes tomorrow"
    if days < 0:
        return f"closed {-days} days ago"
    return f"closes in {days} days"


def _where(fact: PostingFacts) -> str:
    return _list(list(fact.locations)) or "an unstated place"


def detail(name: str, status: int, fact: PostingFacts, profile: ProfileDoc, today: date) -> str:
    """One line for one checklist item."""
    if name == "open":
        return "closed" if status == MISSES else "open"
    if name == "deadline":
        if fact.deadline is None:
            return "no deadline stated"
        when = _days(fact.deadline, today)
        limit = profile.deadlines.within_days
        if status == MISSES and fact.deadline >= today and limit is not None:
            return f"{when}, further ahead than your {limit} days"
        return f"deadline passed ({fact.deadline.isoformat()})" if status == MISSES else when
    if name in ("kind", "track"):
        value = fact.kind if name == "kind" else fact.track
        wanted = list(profile.kinds if name == "kind" else profile.tracks)
        if value is None:
            return f"{name} not tagged yet"
        if not wanted:
            return f"{value}; you accept any {name}"
        if status == MEETS:
            return f"{value}, one you want"
        return f"{value}; you want {_list(wanted, 'or')}"
    if name == "location":
        return _location_detail(status, fact, profile)
    if name == "sponsorship":
        return _sponsorship_detail(status, fact, profile)
    return _organisation_detail(status, fact, profile)


def _location_detail(status: int, fact: PostingFacts, profile: ProfileDoc) -> str:
    remote = fact.remote == "remote" or any(location_keys(loc).remote for loc in fact.locations)
    places = _list(profile.location.places, "or") or "anywhere"
    if remote:
        if status == MEETS:
            return "remote" if profile.location.remote_ok else f"remote, also in {places}"
        if profile.location.remote_ok:
            return f"remote only from {_where(fact)}; you listed {places}"
        return "fully remote; you did not accept remote"
    if not fact.locations:
        return "no location given"
    hybrid = " (hybrid)" if fact.remote == "hybrid" else ""
    if status == MEETS:
        return f"in {_where(fact)}{hybrid}"
    if hybrid and profile.location.hybrid_ok is False:
        wanted = {place_key(p) for p in profile.location.places}
        if any(location_keys(loc).keys & wanted for loc in fact.locations):
            return f"{_where(fact)} (hybrid); you did not accept hybrid"
    return f"based in {_where(fact)}{hybrid}; you listed {places}"


def _sponsorship_detail(status: int, fact: PostingFacts, profile: ProfileDoc) -> str:
    authorised = profile.work_authorisation.countries
    if not authorised:
        return "not checked: your profile lists no work_authorisation countries"
    countries = sorted({c for loc in fact.locations for c in location_keys(loc).countries})
    wanted = {country_key(c) for c in authorised}
    if status == MEETS and wanted & set(countries):
        return f"in {_list([c.title() for c in countries if c in wanted])}, where you may work"
    if status == MEETS:
        return "sponsors visas"
    if status == MISSES:
        return f"will not sponsor a visa, and {_list([c.title() for c in countries])} is outside your work authorisation"
    if fact.visa == "no":
        return "will not sponsor a visa; the country is not stated"
    return "sponsorship not mentioned"


def _organisation_detail(status: int, fact: PostingFacts, profile: ProfileDoc) -> str:
    org = fact.organisation or "the organisation"
    if status == MISSES:
        if org.strip().lower() in {o.strip().lower() for o in profile.organisations.exclude}:
            return f"{org} is on your exclude list"
        return f"{org} is a {fact.org_type} organisation, a type you exclude"
    if status == MEETS:
        return f"{org} is not excluded"
    return f"type of {org} unknown"


def flags(fact: PostingFacts, profile: ProfileDoc) -> list[str]:
    """Neutral notes the profile asked for, e.g. "Acme AI is a frontier-lab organisation"."""
    out = []
    for flag in profile.organisations.flag:
        wanted = flag.strip().lower()
        if wanted and wanted == fact.organisation.strip().lower():
            out.append(f"{fact.organisation} is on your flag list")
        elif wanted and wanted == (fact.org_type or ""):
            out.append(f"{fact.organisation} is a {fact.org_type} organisation (you flag these)")
    return out


@dataclass(frozen=True)
class FactorContext:
    """What the factor phrases need besides the posting: the numbers and shared words."""

    values: dict[str, float]
    similarity: float
    shared_terms: list[str]
    today: date
    weights: Weights


def _role_phrase(fact: PostingFacts, profile: ProfileDoc) -> str:
    style, style_from = profile.effective_style()
    level, level_from = profile.effective_level()
    if fact.style is None and fact.level is None:
        return "role type not known yet (posting not tagged)"
    if fact.track not in (None, "technical"):
        return f"{fact.track} role, so style and level do not apply"
    compared = [
        (value, tag_p, pref.prefer)
        for value, tag_p, pref in (
            (fact.style, fact.style_p, style),
            (fact.level, fact.level_p, level),
        )
        if value and pref.prefer != "either"
    ]
    p = 1.0
    for _, tag_p, _ in compared:
        p *= tag_p if tag_p is not None else 1.0
    names = " ".join(value for value, _, _ in compared)
    source = " (from your readiness answers)" if "readiness" in (style_from, level_from) else ""
    if not compared:
        known = " ".join(v for v in (fact.style, fact.level) if v)
        untagged = [
            pref.prefer
            for value, pref in ((fact.style, style), (fact.level, level))
            if not value and pref.prefer != "either"
        ]
        if untagged:
            return f"{known} role; not tagged for your {' '.join(untagged)} preference{source}"
        return f"{known} role; you did not state a style or level preference"
    same = [value for value, _, wanted in compared if value == wanted]
    other = [(value, wanted) for value, _, wanted in compared if value != wanted]
    if not other:
        return f"{names} role (p={p:.2f}), as you prefer{source}"
    if not same:
        wants = " ".join(wanted for _, wanted in other)
        return f"{names} role (p={p:.2f}), you prefer {wants}{source}"
    # Half a match: say which half, so the reason cannot read as all for or all against.
    value, wanted = other[0]
    return f"{same[0]} as you prefer, but {value} where you prefer {wanted} (p={p:.2f}){source}"


def factor_phrase(
    name: str, fact: PostingFacts, profile: ProfileDoc, ctx: FactorContext
) -> str | None:
    """Plain words for one soft factor of one posting; None when the posting says nothing."""
    value = ctx.values[name]
    if name == "role":
        return _role_phrase(fact, profile) if fact.tagged else None
    if name == "areas":
        if not fact.tagged:
            return None
        shared = [a for a in fact.areas if a in profile.areas]
        if not shared:
            return f"areas {_list(list(fact.areas)) or 'none tagged'}: none of yours"
        count = NUMBER_WORDS[len(shared)] if len(shared) < len(NUMBER_WORDS) else str(len(shared))
        return f"mentions {_list(shared)}, {count} of your areas"
    if name == "text":
        if ctx.shared_terms and value >= 0.2:
            return f"shares words with your skills and bio: {', '.join(ctx.shared_terms)} (similarity {ctx.similarity:.2f})"
        return f"little overlap with your skills and bio (similarity {ctx.similarity:.2f})"
    if name == "seniority":
        return _seniority_phrase(fact, profile)
    if name == "salary":
        return _salary_phrase(fact, profile)
    return _days(fact.deadline, ctx.today) if fact.deadline else None


def _seniority_phrase(fact: PostingFacts, profile: ProfileDoc) -> str | None:
    degree, years = profile.experience.degree, profile.experience.years
    parts = []
    if fact.phd == NO_PHD:
        parts.append("says no PhD required")
    elif fact.phd in (PHD_REQUIRED, PHD_PREFERRED):
        verb = "asks for" if fact.phd == PHD_REQUIRED else "prefers"
        have = "which you have" if degree == "phd" else f"you listed {degree or 'no degree'}"
        parts.append(f"{verb} a PhD, {have}")
    if fact.min_years is not None and years is not None:
        need = f"{fact.min_years:g}+ years of experience"
        parts.append(f"asks for {need}, you have {years:g}")
    return "; ".join(parts) or None


def _salary_phrase(fact: PostingFacts, profile: ProfileDoc) -> str | None:
    low, high = fact.salary_year()
    top = high if high is not None else low
    minimum = profile.salary.minimum or 0
    currency = (fact.salary_currency or "").upper()
    if top is None:
        return None
    if profile.salary.currency and currency != profile.salary.currency:
        return f"salary in {currency or 'an unstated currency'}; your minimum is in {profile.salary.currency}"
    side = "above" if top >= minimum else "below"
    amount = f"{top:,.0f} {currency}".strip()
    return f"pays up to {amount} a year, {side} your {minimum:,.0f} minimum"


def soft_reasons(
    fact: PostingFacts, profile: ProfileDoc, ctx: FactorContext, top: int = 3
) -> list[str]:
    """The factors that moved the score most, in plain words: helps first, then hurts."""
    moves = sorted(
        ((ctx.weights.of(n) * (v - NEUTRAL), n) for n, v in ctx.values.items()),
        key=lambda pair: (-abs(pair[0]), pair[1]),
    )
    phrases = {n: factor_phrase(n, fact, profile, ctx) for _, n in moves}
    helps = [n for move, n in moves if move > 0.005 and phrases[n]][:top]
    hurts = [n for move, n in moves if move < -0.01 and phrases[n]][:2]
    reasons = [phrase for n in helps + hurts if (phrase := phrases[n])]
    soon = fact.deadline is not None and 0 <= (fact.deadline - ctx.today).days <= URGENT_DAYS
    if soon and "deadline" not in helps and phrases.get("deadline"):
        # A close deadline is worth saying even when it moved the score little.
        reasons.append(str(phrases["deadline"]))
    if not fact.tagged:
        reasons.append("role type and areas not known yet (posting not tagged)")
    if not reasons:
        said = [phrase for _, n in moves if (phrase := phrases[n])]
        reasons.append(said[0] if said else "nothing in your profile singles it out either way")
    return reasons


def status_name(status: int) -> str:
    """meets / misses / unknown."""
    return STATUS_NAMES[status]
