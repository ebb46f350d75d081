"""The per-source state a crawl carries, and the result it hands back to the parent process.

A SourceJob is created from a source entry, collects records as responses arrive, and turns
into a JSON result line when its last request is done. Pure bookkeeping: no I/O.
"""

import time
from dataclasses import dataclass, field
from typing import Any

from crawlers.platforms import get_platform
from crawlers.platforms.base import Context, Platform
from store.records import PostingRecord

# Failure reasons recorded on the Source row and the CrawlRun.
REASONS = (
    "timeout",
    "network",
    "http_4xx",
    "http_5xx",
    "rate_limited",
    "robots_disallowed",
    "too_large",
    "parse_error",
    "config",
    "zero_results",
    "too_many_pages",
    "crawler_died",
)


@dataclass
class SourceJob:
    """One source being crawled: its adapter, context, collected records and failures."""

    source_id: str
    platform: Platform
    ctx: Context
    etag: str | None = None
    last_modified: str | None = None
    pending: int = 0
    requests: int = 0
    list_requests: int = 0
    records: dict[str, PostingRecord] = field(default_factory=dict)
    detail_errors: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    skipped: int = 0
    failure: tuple[str, str] | None = None
    not_modified: bool = False
    new_etag: str | None = None
    new_last_modified: str | None = None
    started: float = field(default_factory=time.monotonic)
    done: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SourceJob":
        """Build from the parent's description of a source."""
        return cls(
            source_id=data["id"],
            platform=get_platform(data["platform"]),
            ctx=Context(**data["ctx"]),
            etag=data.get("etag"),
            last_modified=data.get("last_modified"),
        )

    def fail(self, reason: str, message: str) -> None:
        """Record the first listing failure (later ones add nothing new)."""
        if self.failure is None:
            self.failure = (reason, message)

    def add(self, records: list[PostingRecord], *, detail: bool) -> None:
        """Keep listed records (first wins); a detail record replaces the listed one."""
        for record in records:
            if detail or record.external_id not in self.records:
                self.records[record.external_id] = record

    @property
    def status(self) -> str:
        """ok, not_modified, partial (some items did not parse) or failed."""
        if self.failure:
            return "failed"
        if self.not_modified:
            return "not_modified"
        if self.invalid:
            return "partial"
        return "ok"

    def result(self) -> dict[str, Any]:
        """The JSON line sent to the parent when the source is done."""
        reason, message = self.failure or (None, None)
        if self.status == "partial":
            reason = "parse_error"
            more = f" (+{len(self.invalid) - 1} more)" if len(self.invalid) > 1 else ""
            message = f"{len(self.invalid)} posting(s) did not parse: {self.invalid[0]}{more}"
        return {
            "event": "source_done",
            "source_id": self.source_id,
            "status": self.status,
            "reason": reason,
            "message": message,
            "records": [
                {**r.model_dump(mode="json"), "evidence": r.evidence, "extras": r.extras}
                for r in self.records.values()
            ],
            "skipped": self.skipped,
            "detail_errors": self.detail_errors[:20],
            "requests": self.requests,
            "etag": self.new_etag if self.list_requests == 1 else None,
            "last_modified": self.new_last_modified if self.list_requests == 1 else None,
            "duration_s": round(time.monotonic() - self.started, 3),
        }
