"""Choosing and rendering one digest: pure functions over plain data, no database, no SMTP.

``build_digest`` picks what a subscriber should see (new, good-enough matches; a closing-soon
block; at most a few postings per organisation) or returns None when nothing qualifies.
``render_text`` / ``render_html`` turn a Digest into the two email parts; the HTML has its CSS
inlined as ``style`` attributes because most mail clients drop <style> blocks.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
CLOSING_DAYS = 14
PER_ORG = 3
MAX_ITEMS = 25

# Inline styles, one per element kind; kept here so the template stays readable.
CSS = {
    "body": "margin:0;padding:0;background:#f5f5f2;",
    "wrap": "max-width:640px;margin:0 auto;padding:24px 16px;"
    "font-family:Helvetica,Arial,sans-serif;color:#1d1d1b;font-size:15px;line-height:1.45;",
    "h1": "font-size:20px;margin:0 0 4px 0;",
    "lead": "color:#5b5b57;margin:0 0 20px 0;",
    "h2": "font-size:16px;margin:24px 0 8px 0;border-bottom:1px solid #d8d8d2;padding-bottom:4px;",
    "h2_alert": "font-size:16px;margin:24px 0 8px 0;color:#9a3412;"
    "border-bottom:1px solid #f0c9a8;padding-bottom:4px;",
    "item": "margin:0 0 14px 0;",
    "title": "color:#1f4e8c;font-weight:bold;text-decoration:none;",
    "meta": "color:#5b5b57;font-size:13px;",
    "reason": "margin:2px 0 0 0;",
    "deadline": "color:#9a3412;font-size:13px;font-weight:bold;",
    "more": "color:#5b5b57;font-size:13px;font-style:italic;margin:0 0 14px 0;",
    "foot": "margin-top:28px;border-top:1px solid #d8d8d2;padding-top:10px;"
    "color:#77776f;font-size:12px;",
    "link": "color:#1f4e8c;",
}


@dataclass(frozen=True)
class Candidate:
    """One matched posting as the ranking reports it, with what the digest needs to show."""

    posting_id: int
    title: str
    organisation: str
    url: str
    score: float
    reason: str = ""
    deadline: date | None = None
    first_seen_at: datetime | None = None
    location: str = ""


@dataclass(frozen=True)
class DigestItem:
    """One posting as shown; ``more_from_org`` > 0 on an organisation's last shown posting."""

    candidate: Candidate
    more_from_org: int = 0


@dataclass(frozen=True)
class Digest:
    """What one email will say; ``posting_ids`` are the postings shown (recorded as sent)."""

    today: date
    closing_soon: list[DigestItem]
    matches: list[DigestItem]
    not_shown: int = 0  # qualifying matches beyond MAX_ITEMS
    profile_name: str = ""
    posting_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many postings the email shows."""
        return len(self.closing_soon) + len(self.matches)

    def days_left(self, item: DigestItem) -> int | None:
        """Days until the item's deadline, from the digest's day."""
        deadline = item.candidate.deadline
        return None if deadline is None else (deadline - self.today).days


def qualifying(
    candidates: Iterable[Candidate],
    *,
    today: date,
    min_score: float,
    already_sent: set[int],
    since: datetime | None,
) -> list[Candidate]:
    """Matches good enough, not yet mailed, first seen since the last digest, still open; ranked."""
    chosen = [
        c
        for c in candidates
        if c.score >= min_score
        and c.posting_id not in already_sent
        and (since is None or c.first_seen_at is None or c.first_seen_at >= since)
        and (c.deadline is None or c.deadline >= today)
    ]
    return sorted(chosen, key=lambda c: (-c.score, c.posting_id))


def _org(candidate: Candidate) -> str:
    return candidate.organisation.strip().lower()


def cap_per_org(ranked: Sequence[Candidate], per_org: int) -> tuple[list[Candidate], Counter[str]]:
    """Keep the best ``per_org`` postings of each organisation; count the rest per organisation."""
    kept: list[Candidate] = []
    seen: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    for candidate in ranked:
        seen[_org(candidate)] += 1
        if seen[_org(candidate)] <= per_org:
            kept.append(candidate)
        else:
            hidden[_org(candidate)] += 1
    return kept, hidden


def _with_notes(ordered: list[Candidate], hidden: Counter[str]) -> list[DigestItem]:
    """Items in display order, "+N more" on each organisation's last shown posting."""
    last = {_org(c): n for n, c in enumerate(ordered)}
    return [
        DigestItem(candidate=c, more_from_org=hidden[_org(c)] if last[_org(c)] == n else 0)
        for n, c in enumerate(ordered)
    ]


def build_digest(
    candidates: Iterable[Candidate],
    *,
    today: date,
    min_score: float = 0.0,
    min_matches: int = 1,
    already_sent: set[int] | None = None,
    since: datetime | None = None,
    profile_name: str = "",
    per_org: int = PER_ORG,
    max_items: int = MAX_ITEMS,
    closing_days: int = CLOSING_DAYS,
) -> Digest | None:
    """The digest for one subscriber, or None when fewer than ``min_matches`` qualify."""
    ranked = qualifying(
        candidates,
        today=today,
        min_score=min_score,
        already_sent=already_sent or set(),
        since=since,
    )
    if not ranked or len(ranked) < min_matches:
        return None
    kept, hidden = cap_per_org(ranked, per_org)
    shown, dropped = kept[:max_items], kept[max_items:]
    # An organisation with nothing shown has nowhere for its "+N more": count it overall.
    orgs = {_org(c) for c in shown}
    not_shown = len(dropped) + sum(n for org, n in hidden.items() if org not in orgs)
    horizon = today + timedelta(days=closing_days)
    closing = sorted(
        (c for c in shown if c.deadline is not None and c.deadline <= horizon),
        key=lambda c: (c.deadline, -c.score),
    )
    rest = [c for c in shown if c not in closing]
    items = _with_notes(closing + rest, hidden)
    return Digest(
        today=today,
        closing_soon=items[: len(closing)],
        matches=items[len(closing) :],
        not_shown=not_shown,
        profile_name=profile_name,
        posting_ids=[c.posting_id for c in shown],
    )


def subject(digest: Digest) -> str:
    """The email subject: how many new matches, and how many close soon."""
    n = digest.count
    noun = "match" if n == 1 else "matches"
    who = f" for {digest.profile_name}" if digest.profile_name else ""
    soon = f" ({len(digest.closing_soon)} closing soon)" if digest.closing_soon else ""
    return f"rolefit: {n} new {noun}{who}{soon}"


@dataclass(frozen=True)
class DigestLinks:
    """The links every digest carries besides the postings'."""

    unsubscribe: str
    manage: str
    site: str


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name and name.endswith(".html")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render_text(digest: Digest, links: DigestLinks) -> str:
    """The plain-text part."""
    template = _environment().get_template("digest.txt")
    return template.render(d=digest, links=links, subject=subject(digest))


def render_html(digest: Digest, links: DigestLinks) -> str:
    """The HTML part, every style inlined."""
    template = _environment().get_template("digest.html")
    return template.render(d=digest, links=links, css=CSS, subject=subject(digest))
