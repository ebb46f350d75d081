"""Profiles: what a person is looking for, as in examples/profile.toml (the documented schema).

A profile arrives as a TOML file (``rolefit match --profile``), a JSON body (``POST /api/match``),
a dict (the Python API) or a stored ``Profile.document``; all of them go through ``ProfileDoc``,
so every door accepts the same fields and rejects the same mistakes with one line that names the
field, e.g. ``profile.toml: style.prefer: must be empirical, theoretical or either``.
"""

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from matcher.errors import ProfileError
from matcher.taxonomy import AREAS, SINGLE_FIELDS
from store.models import ORG_TYPES

Degree = Literal["none", "bachelors", "masters", "phd"]
KINDS = SINGLE_FIELDS["kind"]
TRACKS = SINGLE_FIELDS["track"]
DEGREES: tuple[str, ...] = ("none", "bachelors", "masters", "phd")


class _Section(BaseModel):
    # Unknown keys are typos far more often than intent: reject them so they are not ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


class StylePref(_Section):
    """Empirical or theoretical work; ``strength`` (0-1) is how much it matters."""

    prefer: Literal["empirical", "theoretical", "either"] = "either"
    strength: float = Field(default=0.5, ge=0, le=1)


class LevelPref(_Section):
    """Leading research or contributing to it; ``strength`` (0-1) is how much it matters."""

    prefer: Literal["lead", "contributor", "either"] = "either"
    strength: float = Field(default=0.5, ge=0, le=1)


class LocationPref(_Section):
    """Cities or countries the person can work in, and whether remote or hybrid is fine."""

    places: list[str] = Field(default_factory=list)
    remote_ok: bool = True
    hybrid_ok: bool = True


class WorkAuthorisation(_Section):
    """Countries where the person may work without visa sponsorship."""

    countries: list[str] = Field(default_factory=list)


class Experience(_Section):
    """Years of relevant experience and the highest degree."""

    years: float | None = Field(default=None, ge=0, le=80)
    degree: Degree | None = None


class SalaryPref(_Section):
    """The lowest yearly pay the person wants; only compared with postings in the same currency."""

    minimum: float | None = Field(default=None, ge=0)
    currency: str | None = None

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else None


class OrganisationPrefs(_Section):
    """Organisations (by name) or organisation types to hide, or merely to flag."""

    exclude: list[str] = Field(default_factory=list)
    exclude_types: list[Literal[ORG_TYPES]] = Field(default_factory=list)  # type: ignore[valid-type]
    flag: list[str] = Field(default_factory=list)  # names or organisation types


class DeadlinePrefs(_Section):
    """How far ahead a deadline may be; None means no limit."""

    within_days: int | None = Field(default=None, ge=0)

    @field_validator("within_days", mode="before")
    @classmethod
    def _none_word(cls, value: Any) -> Any:
        # TOML has no null, so the example's "none = no limit" is also accepted as a string.
        if isinstance(value, str) and value.strip().lower() in {"none", ""}:
            return None
        return value


class Readiness(_Section):
    """Answers to the hiring teams' readiness questions (domain.md); each may be left out."""

    can_reproduce_ml_paper: bool | None = None
    first_author_publications: bool | None = None
    strong_theory_background: bool | None = None


class ProfileDoc(_Section):
    """A validated profile; the fields and defaults of examples/profile.toml."""

    name: str = Field(min_length=1)
    email: str | None = None
    kinds: list[Literal[KINDS]] = Field(default_factory=list)  # type: ignore[valid-type]
    tracks: list[Literal[TRACKS]] = Field(default_factory=list)  # type: ignore[valid-type]
    areas: list[Literal[AREAS]] = Field(default_factory=list)  # type: ignore[valid-type]
    style: StylePref | None = None
    level: LevelPref | None = None
    location: LocationPref = Field(default_factory=LocationPref)
    work_authorisation: WorkAuthorisation = Field(default_factory=WorkAuthorisation)
    experience: Experience = Field(default_factory=Experience)
    salary: SalaryPref = Field(default_factory=SalaryPref)
    organisations: OrganisationPrefs = Field(default_factory=OrganisationPrefs)
    deadlines: DeadlinePrefs = Field(default_factory=DeadlinePrefs)
    readiness: Readiness = Field(default_factory=Readiness)
    skills: list[str] = Field(default_factory=list)
    bio: str = ""

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        local, _, domain = value.partition("@")
        if not local or "." not in domain or " " in value:
            raise ValueError("must be an email address like name@example.org")
        return value

    def to_document(self) -> dict[str, Any]:
        """The profile as plain JSON data, for ``Profile.document`` and ``POST /api/match``."""
        return self.model_dump(mode="json")

    def effective_style(self) -> tuple[StylePref, str]:
        """The style preference in force and where it came from: stated, readiness or none."""
        if self.style is not None:
            return self.style, "stated"
        empirical = self.readiness.can_reproduce_ml_paper
        theory = self.readiness.strong_theory_background
        # One clear "yes" on one side shifts the preference gently; both or neither leave it open.
        if empirical and not theory:
            return StylePref(prefer="empirical", strength=0.5), "readiness"
        if theory and not empirical:
            return StylePref(prefer="theoretical", strength=0.5), "readiness"
        return StylePref(prefer="either", strength=0.0), "none"

    def effective_level(self) -> tuple[LevelPref, str]:
        """The level preference in force and where it came from: stated, readiness or none."""
        if self.level is not None:
            return self.level, "stated"
        papers = self.readiness.first_author_publications
        if papers is True:
            return LevelPref(prefer="lead", strength=0.4), "readiness"
        if papers is False:
            # No first-author record: lead roles usually ask for one, so lean to contributor.
            return LevelPref(prefer="contributor", strength=0.4), "readiness"
        return LevelPref(prefer="either", strength=0.0), "none"


def _join_choices(choices: list[str]) -> str:
    if len(choices) == 1:
        return choices[0]
    return ", ".join(choices[:-1]) + " or " + choices[-1]


def _message(error: Any) -> str:
    """One readable clause for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        choices = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]
        return "must be " + _join_choices([c for c in choices if c])
    if kind == "extra_forbidden":
        loc = error["loc"]
        if len(loc) > 1 and loc[-1] in ProfileDoc.model_fields:
            # The classic TOML slip: a top-level key written after a [table] header lands in it.
            return f"{loc[-1]} belongs at the top level: move it above the first [table]"
        return "is not a profile field (see examples/profile.toml)"
    if kind == "missing":
        return "is required"
    if kind in {"greater_than_equal", "less_than_equal"}:
        low, high = ctx.get("ge"), ctx.get("le")
        return f"must be at least {low}" if low is not None else f"must be at most {high}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"]).replace("Input should be", "must be")


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        else:
            parts.append(str(part))
    return ".".join(parts) or "(profile)"


def profile_from_dict(data: Any, *, source: str = "profile") -> ProfileDoc:
    """Validate a profile given as a dict; raise ProfileError naming the first bad field."""
    if isinstance(data, ProfileDoc):
        return data
    if not isinstance(data, dict):
        raise ProfileError(
            f"{source}: a profile must be a table of fields, not {type(data).__name__}"
        )
    try:
        return ProfileDoc.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ProfileError(f"{source}: {_location(first['loc'])}: {_message(first)}") from exc


def load_profile(path: Path | str) -> ProfileDoc:
    """Read and validate a profile TOML file; errors are one line naming the file and field."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ProfileError(f"no such profile file: {file}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{file.name}: cannot read: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message ends with "(at line N, column M)": keep it, it is the useful part.
        raise ProfileError(f"{file.name}: invalid TOML: {exc}") from exc
    return profile_from_dict(data, source=file.name)
