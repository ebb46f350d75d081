"""Normalising the fields every format has in its own words: remote, employment type, places."""

import re

_REMOTE_WORDS = re.compile(
    r"\b(remote|anywhere|home[- ]office|work from home|wfh|telecommute)\b", re.I
)
_HYBRID_WORDS = re.compile(r"\bhybrid\b", re.I)
_ONSITE_WORDS = re.compile(r"\b(on[- ]?site|in[- ]office|in person)\b", re.I)

_EMPLOYMENT = {
    "fulltime": "full_time",
    "full_time": "full_time",
    "full-time": "full_time",
    "full time": "full_time",
    "permanent": "full_time",
    "fulltime_permanent": "full_time",
    "fulltime_fixed_term": "temporary",
    "parttime": "part_time",
    "part_time": "part_time",
    "part-time": "part_time",
    "part time": "part_time",
    "parttime_permanent": "part_time",
    "contract": "contract",
    "contractor": "contract",
    "freelance": "contract",
    "intern": "internship",
    "internship": "internship",
    "temporary": "temporary",
    "temp": "temporary",
    "fixed term": "temporary",
    "fixed-term": "temporary",
    "volunteer": "volunteer",
    "volunteering": "volunteer",
    "trainee": "internship",
    "working_student": "part_time",
}


def employment_type(value: object) -> str:
    """Map a format's employment-type spelling onto the record's vocabulary ('unknown' if none)."""
    if isinstance(value, list | tuple):
        for item in value:
            mapped = employment_type(item)
            if mapped != "unknown":
                return mapped
        return "unknown"
    if not value:
        return "unknown"
    key = str(value).strip().lower()
    if key in _EMPLOYMENT:
        return _EMPLOYMENT[key]
    for word, mapped in (
        ("intern", "internship"),
        ("part", "part_time"),
        ("full", "full_time"),
        ("contract", "contract"),
        ("temp", "temporary"),
        ("fixed", "temporary"),
        ("volunt", "volunteer"),
        ("fellow", "full_time"),
    ):
        if word in key:
            return mapped
    return "unknown"


def workplace(value: object) -> str:
    """Map a workplace-type value (remote, hybrid, on-site, onsite, Remote, ...) onto the record's."""
    if not value:
        return "unknown"
    key = str(value).strip().lower().replace("_", "-")
    if key in {"remote", "telecommute", "fully remote", "remote-first"}:
        return "remote"
    if key == "hybrid":
        return "hybrid"
    if key in {"on-site", "onsite", "on site", "in-office", "office", "in person"}:
        return "onsite"
    return remote_from_text(key)


def remote_from_text(*texts: object) -> str:
    """Infer remote/hybrid/onsite from free text such as a location string ('unknown' if silent)."""
    joined = " ".join(str(t) for t in texts if t)
    if not joined:
        return "unknown"
    if _HYBRID_WORDS.search(joined):
        return "hybrid"
    if _REMOTE_WORDS.search(joined):
        return "remote"
    if _ONSITE_WORDS.search(joined):
        return "onsite"
    return "unknown"


def split_locations(value: object) -> list[str]:
    """Split a free-text location ('A | B', 'A; B') into places, trimmed, order kept, no repeats."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"\s*[|;]\s*", str(value))
    places: list[str] = []
    for item in items:
        place = " ".join(str(item).split()).strip(" ,")
        if place and place not in places:
            places.append(place)
    return places


def join_place(*parts: object) -> str:
    """'City, Region, Country' from the parts that are present."""
    seen: list[str] = []
    for part in parts:
        text = " ".join(str(part).split()) if part else ""
        if text and text not in seen:
            seen.append(text)
    return ", ".join(seen)
