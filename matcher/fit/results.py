"""The typed results of a match: what the CLI prints, the Python API returns and HTTP sends.

``MatchResults.to_json()`` is the one JSON shape (docs/MATCHING.md documents it), so the three
interfaces cannot drift apart.
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CheckItem(_Frozen):
    """One hard constraint for one posting: meets, misses or unknown, and why."""

    constraint: str
    status: Literal["meets", "misses", "unknown"]
    detail: str


class PostingTags(_Frozen):
    """The classifier's tags (None until the posting is tagged) and their probabilities."""

    kind: str | None = None
    kind_p: float | None = None
    track: str | None = None
    track_p: float | None = None
    style: str | None = None
    style_p: float | None = None
    level: str | None = None
    level_p: float | None = None
    areas: list[str] = []


class MatchResult(_Frozen):
    """One posting ranked for one profile, with the reasons for its place."""

    posting_id: int
    title: str
    organisation: str
    url: str
    score: float
    tags: PostingTags
    reasons: list[str]
    checklist: list[CheckItem]
    flags: list[str] = []
    factors: dict[str, float] = {}
    deadline: date | None = None
    locations: list[str] = []
    excluded_reason: str | None = None


class MatchResults(_Frozen):
    """A ranked list of matches (and, on request, the excluded postings with their reasons)."""

    profile: str
    considered: int
    eligible: int
    matches: list[MatchResult]
    excluded: list[MatchResult] = []
    weights: dict[str, float] = {}

    def to_json(self) -> dict[str, Any]:
        """The documented JSON object (dates as ISO strings)."""
        return self.model_dump(mode="json")
