"""The profile edit form: HTML form fields <-> a profile document (examples/profile.toml).

Pure functions. ``form_to_document`` turns posted fields into the nested dict the matcher's
``ProfileDoc`` validates; ``document_to_form`` fills the form from a stored document. Lists
(places, skills, organisation names) are typed comma-separated (or semicolon-separated
when an item holds a comma); tag choices are checkboxes.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from matcher.taxonomy import AREAS as TAXONOMY_AREAS
from matcher.taxonomy import SINGLE_FIELDS
from store.models import ORG_TYPES as STORE_ORG_TYPES
from web.accounts.errors import ProfileFormError

FormData = Mapping[str, Sequence[str]]

AREAS = TAXONOMY_AREAS
ORG_TYPES = STORE_ORG_TYPES
KINDS = SINGLE_FIELDS["kind"]
TRACKS = SINGLE_FIELDS["track"]
STYLES = ("empirical", "theoretical", "either")
LEVELS = ("lead", "contributor", "either")
DEGREES = ("none", "bachelors", "masters", "phd")
READINESS = ("can_reproduce_ml_paper", "first_author_publications", "strong_theory_background")
MAX_TEXT = 5000


def _one(form: FormData, name: str) -> str:
    values = form.get(name) or []
    value = values[-1] if values else ""
    if len(value) > MAX_TEXT:
        raise ProfileFormError(name, f"is longer than {MAX_TEXT} characters")
    return value.strip()


def _many(form: FormData, name: str, allowed: Sequence[str]) -> list[str]:
    chosen = [v for v in form.get(name) or [] if v]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise ProfileFormError(name, f"{unknown[0]!r} is not one of {', '.join(allowed)}")
    return [v for v in allowed if v in chosen]  # vocabulary order, no duplicates


def _csv(form: FormData, name: str) -> list[str]:
    # Commas separate items, unless the text has semicolons or line breaks: then those do, so
    # a place like "San Francisco, CA" or a name like "Acme, Inc." can be one item.
    raw = _one(form, name)
    parts = re.split(r"[;\n]", raw) if re.search(r"[;\n]", raw) else raw.split(",")
    seen: list[str] = []
    for part in parts:
        item = part.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def _join(items: Any) -> str:
    """A list as the text field shows it (the inverse of ``_csv``)."""
    values = [str(item) for item in items or []]
    if not any("," in value for value in values):
        return ", ".join(values)
    # Semicolons keep "San Francisco, CA" whole; a lone item needs one to say so.
    return "; ".join(values) + (";" if len(values) == 1 else "")


def _number(form: FormData, name: str, *, integer: bool = False) -> float | int | None:
    raw = _one(form, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ProfileFormError(name, f"must be a number, not {raw[:40]!r}") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise ProfileFormError(name, "must be a finite number")
    if integer:
        if not value.is_integer():
            raise ProfileFormError(name, "must be a whole number")
        return int(value)
    return value


def _choice(form: FormData, name: str, allowed: Sequence[str]) -> str | None:
    value = _one(form, name)
    if not value:
        return None
    if value not in allowed:
        raise ProfileFormError(name, f"must be one of {', '.join(allowed)}")
    return value


def _tristate(form: FormData, name: str) -> bool | None:
    value = _choice(form, name, ("yes", "no"))
    return None if value is None else value == "yes"


def _preference(form: FormData, name: str, allowed: Sequence[str]) -> dict[str, Any] | None:
    prefer = _choice(form, f"{name}_prefer", allowed)
    if prefer is None:
        return None  # not stated: the readiness answers decide (see examples/profile.toml)
    strength = _number(form, f"{name}_strength")
    return {"prefer": prefer, "strength": 0.5 if strength is None else strength}


def form_to_document(form: FormData) -> dict[str, Any]:
    """The profile document for posted form fields; ProfileFormError names a malformed field."""
    document: dict[str, Any] = {
        "name": _one(form, "name"),
        "email": _one(form, "email") or None,
        "kinds": _many(form, "kinds", KINDS),
        "tracks": _many(form, "tracks", TRACKS),
        "areas": _many(form, "areas", AREAS),
        "style": _preference(form, "style", STYLES),
        "level": _preference(form, "level", LEVELS),
        "location": {
            "places": _csv(form, "places"),
            "remote_ok": bool(_one(form, "remote_ok")),
            "hybrid_ok": bool(_one(form, "hybrid_ok")),
        },
        "work_authorisation": {"countries": _csv(form, "countries")},
        "experience": {
            "years": _number(form, "experience_years"),
            "degree": _choice(form, "degree", DEGREES),
        },
        "salary": {
            "minimum": _number(form, "salary_minimum"),
            "currency": _one(form, "salary_currency").upper() or None,
        },
        "organisations": {
            "exclude": _csv(form, "org_exclude"),
            "exclude_types": _many(form, "org_exclude_types", ORG_TYPES),
            "flag": _csv(form, "org_flag"),
        },
        "deadlines": {"within_days": _number(form, "within_days", integer=True)},
        "readiness": {name: _tristate(form, name) for name in READINESS},
        "skills": _csv(form, "skills"),
        "bio": _one(form, "bio"),
    }
    return document


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def document_to_form(document: Mapping[str, Any]) -> dict[str, Any]:
    """Form values (strings, lists, booleans) that show ``document`` in the edit form."""

    def section(name: str) -> Mapping[str, Any]:
        value = document.get(name)
        return value if isinstance(value, Mapping) else {}

    style, level = section("style"), section("level")
    location, experience = section("location"), section("experience")
    salary, orgs, readiness = section("salary"), section("organisations"), section("readiness")
    tristate: dict[Any, str] = {True: "yes", False: "no"}
    return {
        "name": _text(document.get("name")),
        "email": _text(document.get("email")),
        "kinds": list(document.get("kinds") or []),
        "tracks": list(document.get("tracks") or []),
        "areas": list(document.get("areas") or []),
        "style_prefer": _text(style.get("prefer")),
        "style_strength": _text(style.get("strength", 0.5)),
        "level_prefer": _text(level.get("prefer")),
        "level_strength": _text(level.get("strength", 0.5)),
        "places": _join(location.get("places")),
        "remote_ok": bool(location.get("remote_ok", True)),
        "hybrid_ok": bool(location.get("hybrid_ok", True)),
        "countries": _join(section("work_authorisation").get("countries")),
        "experience_years": _text(experience.get("years")),
        "degree": _text(experience.get("degree")),
        "salary_minimum": _text(salary.get("minimum")),
        "salary_currency": _text(salary.get("currency")),
        "org_exclude": _join(orgs.get("exclude")),
        "org_exclude_types": list(orgs.get("exclude_types") or []),
        "org_flag": _join(orgs.get("flag")),
        "within_days": _text(section("deadlines").get("within_days")),
        **{name: tristate.get(readiness.get(name), "") for name in READINESS},
        "skills": _join(document.get("skills")),
        "bio": _text(document.get("bio")),
    }


def new_form(email: str) -> dict[str, Any]:
    """The form for a first profile: the defaults of examples/profile.toml and the user's email."""
    return document_to_form({"name": "", "email": "" if email == "local@localhost" else email})
