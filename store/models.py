"""The database tables, as SQLModel classes.

Used by every other package: crawlers write Source, Posting, PostingLink, PostingChange and
CrawlRun; matcher writes the tag columns and reads Label; web and scheduler read everything and
write User, Profile, Subscription, ApiToken and DigestSend. Migrations in
``store/migrations/versions`` must match these classes (a test compares them).

Times are timezone-aware UTC datetimes throughout (SQLModel refuses naive ones);
``store.clock.utcnow`` gives the current one.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.clock import utcnow

ORG_TYPES = (
    "frontier-lab",
    "nonprofit",
    "government",
    "academic",
    "program",
    "funder",
    "aggregator",
)
REMOTE_VALUES = ("remote", "hybrid", "onsite", "unknown")
EMPLOYMENT_TYPES = (
    "full_time",
    "part_time",
    "contract",
    "internship",
    "temporary",
    "volunteer",
    "unknown",
)
VISA_VALUES = ("yes", "no", "unknown")
CLOSE_REASONS = ("missing_from_source", "deadline_passed", "page_gone", "closed_banner", "manual")


class Organisation(SQLModel, table=True):
    """An employer, program or funder; several sources may share one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    org_type: str = Field(default="nonprofit")
    homepage: str | None = None


class Source(SQLModel, table=True):
    """One place postings come from (an ATS board, an aggregator, a page), plus its crawl state.

    The crawl-state columns are how the scheduler knows what is due and how failures become data
    rather than exceptions: a failed crawl sets ``last_error`` and ``error_streak`` and pushes
    ``next_crawl_at`` back; a source that keeps failing is disabled with ``disabled_reason``.
    """

    id: str = Field(primary_key=True)
    platform: str
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    endpoint: str = ""
    enabled: bool = True
    disabled_reason: str | None = None
    default_kind: str | None = None
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    error_streak: int = 0
    next_crawl_at: datetime | None = Field(default=None, index=True)
    etag: str | None = None
    last_modified: str | None = None
    last_good_count: int = 0


class Posting(SQLModel, table=True):
    """One opening as found on one source, with its tags.

    A posting found again on another source is not a second row: it gets a PostingLink.
    Closed postings keep their row (``closed_at`` and ``close_reason`` say why); they reopen
    when seen again.
    """

    __table_args__ = (
        UniqueConstraint("source_id", "external_id", name="uq_posting_source_external"),
        # Closing postings whose deadline passed (store/closing.py).
        Index("ix_posting_open_deadline", "closed_at", "deadline"),
        # "Similar openings" walks open postings newest first (web/detail.py).
        Index("ix_posting_open_posted", "closed_at", "posted_at"),
        # The sources page counts open postings per source (migration 0003).
        Index("ix_posting_open_source", "closed_at", "source_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", index=True)
    external_id: str
    url: str = ""
    apply_url: str | None = None
    title: str
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    organisation_name: str = ""
    department: str | None = None
    locations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    remote: str = "unknown"
    employment_type: str = "unknown"
    posted_at: datetime | None = None
    deadline: date | None = None
    deadline_evidence: str | None = Field(default=None, sa_column=Column(Text))
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    salary_evidence: str | None = Field(default=None, sa_column=Column(Text))
    visa_sponsorship: str = "unknown"
    visa_evidence: str | None = Field(default=None, sa_column=Column(Text))
    description_html: str = Field(default="", sa_column=Column(Text, nullable=False))
    description_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    content_hash: str = ""
    first_seen_at: datetime = Field(default_factory=utcnow)
    # Indexed so the matcher's freshness check (max of last_seen_at, tagged_at) is a lookup.
    last_seen_at: datetime = Field(default_factory=utcnow, index=True)
    missing_count: int = 0
    closed_at: datetime | None = Field(default=None, index=True)
    close_reason: str | None = None
    # Tags written by the classifier; a Label row overrides any of them for this posting.
    kind: str | None = Field(default=None, index=True)
    kind_p: float | None = None
    track: str | None = Field(default=None, index=True)
    track_p: float | None = None
    style: str | None = Field(default=None, index=True)
    style_p: float | None = None
    level: str | None = Field(default=None, index=True)
    level_p: float | None = None
    areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tag_probabilities: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    tag_evidence: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    model_version: str | None = None
    tagged_at: datetime | None = Field(default=None, index=True)
    extras: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class PostingChange(SQLModel, table=True):
    """What a posting looked like before an update changed its content."""

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="posting.id", index=True)
    changed_at: datetime = Field(default_factory=utcnow)
    old_title: str
    old_deadline: date | None = None
    old_content_hash: str


class PostingLink(SQLModel, table=True):
    """One sighting of a posting on a source; a merged duplicate adds a link with its reason."""

    __table_args__ = (UniqueConstraint("source_id", "external_id", name="uq_link_source_external"),)

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="posting.id", index=True)
    source_id: str = Field(foreign_key="source.id", index=True)
    external_id: str
    url: str = ""
    reason: str = "origin"
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class CrawlRun(SQLModel, table=True):
    """One crawl of one source: what changed, what failed, how long it took."""

    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", index=True)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    finished_at: datetime | None = None
    status: str = "running"  # running | ok | failed | suspicious | not_modified
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    errors: int = 0
    error_message: str | None = Field(default=None, sa_column=Column(Text))
    duration_s: float | None = None
    stats: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class User(SQLModel, table=True):
    """A person who signs in (by magic link) or the single local user."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal token for scripts; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = ""
    token_hash: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class UsedLoginToken(SQLModel, table=True):
    """Magic-link token ids already used, so each link signs in once."""

    jti: str = Field(primary_key=True)
    used_at: datetime = Field(default_factory=utcnow)


class Label(SQLModel, table=True):
    """A person's correction of one tag on one posting; it beats the classifier's guess."""

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="posting.id", index=True)
    field: str  # kind | track | style | level | areas
    value: str  # for areas: comma-separated list
    user_id: int | None = Field(default=None, foreign_key="user.id")
    author: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    used_in_model: str | None = None


class Profile(SQLModel, table=True):
    """A person's profile; ``document`` holds the validated profile fields (matcher.profile)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    name: str = ""
    email: str | None = None
    document: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Subscription(SQLModel, table=True):
    """A digest someone asked for: which profile, where to, how often, how picky."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    profile_id: int = Field(foreign_key="profile.id", index=True)
    email: str
    frequency: str = "weekly"  # daily | weekly
    min_score: float = 0.0
    min_matches: int = 1
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    unsubscribed_at: datetime | None = None
    last_sent_at: datetime | None = None
    last_error: str | None = None


class DigestSend(SQLModel, table=True):
    """One digest for one subscription and period; the unique key makes sending exactly-once."""

    __table_args__ = (
        UniqueConstraint("subscription_id", "period_key", name="uq_digest_subscription_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    period_key: str
    status: str = "pending"  # pending | sending | sent | unknown | skipped | failed
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    message_id: str | None = None
    posting_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
