"""PostingRecord: the one normalised shape every source is parsed into.

``rolefit parse`` prints these (``contract_dict``), ``rolefit import`` reads them back, and
``store.ingest`` turns them into Posting rows. The contract keys are fixed; evidence sentences
found in the prose travel beside them in ``evidence`` and are not part of the printed record.
"""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from store.clock import as_utc

Remote = Literal["remote", "hybrid", "onsite", "unknown"]
EmploymentType = Literal[
    "full_time", "part_time", "contract", "internship", "temporary", "volunteer", "unknown"
]
Visa = Literal["yes", "no", "unknown"]

CONTRACT_KEYS = (
    "source_format",
    "external_id",
    "organisation",
    "title",
    "url",
    "apply_url",
    "locations",
    "remote",
    "employment_type",
    "posted_at",
    "deadline",
    "salary",
    "department",
    "visa_sponsorship",
    "description_text",
    "description_html",
)


class Salary(BaseModel):
    """A pay range; either bound may be missing. ``period`` is year, month, week, day or hour."""

    model_config = ConfigDict(extra="forbid")

    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str | None = None


class PostingRecord(BaseModel):
    """One posting as a source lists it, normalised."""

    model_config = ConfigDict(extra="forbid")

    source_format: str
    external_id: str = Field(min_length=1)
    organisation: str = ""
    title: str = Field(min_length=1)
    url: str = ""
    apply_url: str | None = None
    locations: list[str] = Field(default_factory=list)
    remote: Remote = "unknown"
    employment_type: EmploymentType = "unknown"
    posted_at: datetime | None = None
    deadline: date | None = None
    salary: Salary | None = None
    department: str | None = None
    visa_sponsorship: Visa = "unknown"
    description_text: str = ""
    description_html: str = ""
    # Not part of the printed contract: sentences that justify deadline/salary/visa/remote,
    # and source-specific facts (e.g. an aggregator's own tags) worth keeping.
    evidence: dict[str, str] = Field(default_factory=dict, exclude=True)
    extras: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @field_validator("external_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("posted_at")
    @classmethod
    def _posted_at_utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value) if value else None

    @field_validator("title")
    @classmethod
    def _strip_title(cls, value: str) -> str:
        stripped = " ".join(value.split())
        if not stripped:
            raise ValueError("title is empty")
        return stripped

    def contract_dict(self) -> dict[str, Any]:
        """The record as ``rolefit parse`` prints it: exactly the contract keys, JSON-ready."""
        data = self.model_dump(mode="json")
        return {key: data[key] for key in CONTRACT_KEYS}
