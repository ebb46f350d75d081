"""Cross-source dedup: is a posting found on one source the same opening as one already stored?

Rules, in order (the first that matches names the reason on the PostingLink):

1. ``ats_id``: both point at the same ATS job (a Greenhouse/Lever/Ashby/... job id inside the
   posting or apply URL).
2. ``canonical_url``: the same URL once tracking parameters, ``www.``, fragments and trailing
   slashes are stripped.
3. ``title_description``: same organisation, same normalised title and near-identical text.

Rounds or cohorts stay separate: two postings whose deadlines are both known and differ are
never merged. Only postings from *other* sources are candidates.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from store.models import Posting

_TRACKING = re.compile(
    r"^(utm_.*|gh_src|gh_jid_src|lever-source|lever-origin|source|src|ref|referrer|fbclid|gclid|"
    r"mc_cid|mc_eid|_hsenc|_hsmi|ashby_src)$",
    re.I,
)
_ATS_PATTERNS = (
    ("greenhouse", re.compile(r"greenhouse\.io/(?:embed/job_app\?.*?token=|[^/]+/jobs/)(\d+)")),
    ("greenhouse", re.compile(r"[?&]gh_jid=(\d+)")),
    ("lever", re.compile(r"jobs\.(?:eu\.)?lever\.co/[^/]+/([0-9a-f-]{36})", re.I)),
    ("ashby", re.compile(r"jobs\.ashbyhq\.com/[^/]+/([0-9a-f-]{36})", re.I)),
    ("ashby", re.compile(r"[?&]ashby_jid=([0-9a-f-]{36})", re.I)),
    ("workable", re.compile(r"apply\.workable\.com/(?:[^/]+/)?j/([A-Z0-9]{6,12})", re.I)),
    ("smartrecruiters", re.compile(r"smartrecruiters\.com/[^/]+/(\d{6,})")),
    ("personio", re.compile(r"jobs\.personio\.(?:de|com)/job/(\d+)")),
    ("recruitee", re.compile(r"([a-z0-9-]+\.recruitee\.com/o/[a-z0-9-]+)", re.I)),
    ("teamtailor", re.compile(r"teamtailor\.com/jobs/(\d+)")),
)
_WORDS = re.compile(r"[a-z0-9]+")


def ats_key(url: str | None) -> str | None:
    """'platform:job-id' when the URL carries an ATS job id, else None."""
    if not url:
        return None
    for platform, pattern in _ATS_PATTERNS:
        match = pattern.search(url)
        if match:
            return f"{platform}:{match.group(1).lower()}"
    return None


def canonical_url(url: str | None) -> str | None:
    """The URL with tracking parameters, www., fragment and trailing slash removed."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(query), ""))


def title_key(organisation: str, title: str) -> str:
    """Organisation and title, lower-cased, punctuation and gender markers dropped."""
    title = re.sub(r"\((?:m|f|w|d|x)(?:/(?:m|f|w|d|x))+\)", " ", title.lower())
    return " ".join(_WORDS.findall(organisation.lower())) + "|" + " ".join(_WORDS.findall(title))


def near_identical(a: str, b: str, threshold: float = 0.9) -> bool:
    """True when two texts share at least ``threshold`` of their word 3-grams (Jaccard)."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / len(sa | sb) >= threshold


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.lower())
    return {tuple(words[i : i + 3]) for i in range(max(0, len(words) - 2))}


def similar_titles(a: str, b: str) -> bool:
    """True when two titles share at least half their words."""
    wa, wb = set(_WORDS.findall(a.lower())), set(_WORDS.findall(b.lower()))
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.5


def different_rounds(a: date | None, b: date | None) -> bool:
    """True when both deadlines are known and differ: separate rounds of one program."""
    return a is not None and b is not None and a != b


@dataclass
class _Entry:
    posting_id: int
    source_id: str
    deadline: date | None
    title: str


@dataclass
class DedupIndex:
    """Keys of stored postings, built once per crawl and updated as postings are added."""

    by_key: dict[str, list[_Entry]] = field(default_factory=dict)

    @classmethod
    def build(cls, session: Session) -> "DedupIndex":
        """Index every stored posting by its dedup keys."""
        index = cls()
        columns = sa_select(
            col(Posting.id),
            col(Posting.source_id),
            col(Posting.url),
            col(Posting.apply_url),
            col(Posting.organisation_name),
            col(Posting.title),
            col(Posting.deadline),
        )
        rows = session.connection().execute(columns).all()
        for posting_id, source_id, url, apply_url, org, title, deadline in rows:
            index.add(posting_id, source_id, url, apply_url, org, title, deadline)
        return index

    def add(
        self,
        posting_id: int | None,
        source_id: str,
        url: str | None,
        apply_url: str | None,
        organisation: str,
        title: str,
        deadline: date | None,
    ) -> None:
        """Register one posting under all its keys."""
        if posting_id is None:
            return
        entry = _Entry(posting_id, source_id, deadline, title)
        for key in keys_for(url, apply_url, organisation, title):
            self.by_key.setdefault(key, []).append(entry)

    def find(
        self,
        session: Session,
        *,
        source_id: str,
        url: str | None,
        apply_url: str | None,
        organisation: str,
        title: str,
        deadline: date | None,
        description: str,
    ) -> tuple[int, str] | None:
        """(posting id, reason) of a stored duplicate from another source, or None."""
        for key in keys_for(url, apply_url, organisation, title):
            kind = key.split("=", 1)[0]
            for entry in self.by_key.get(key, []):
                if entry.source_id == source_id or different_rounds(entry.deadline, deadline):
                    continue
                if kind == "url" and not similar_titles(entry.title, title):
                    continue  # one careers page URL shared by several openings
                if kind == "title" and not _same_text(session, entry.posting_id, description):
                    continue
                return entry.posting_id, {"ats": "ats_id", "url": "canonical_url"}.get(
                    kind, "title_description"
                )
        return None


def keys_for(url: str | None, apply_url: str | None, organisation: str, title: str) -> list[str]:
    """Dedup keys in rule order: ATS ids, canonical URLs, then organisation + title."""
    keys: list[str] = []
    for value in (url, apply_url):
        found = ats_key(value)
        if found and f"ats={found}" not in keys:
            keys.append(f"ats={found}")
    for value in (url, apply_url):
        found = canonical_url(value)
        if found and f"url={found}" not in keys:
            keys.append(f"url={found}")
    if organisation.strip() and title.strip():
        keys.append(f"title={title_key(organisation, title)}")
    return keys


def _same_text(session: Session, posting_id: int, description: str) -> bool:
    stored = session.exec(
        select(Posting.description_text).where(col(Posting.id) == posting_id)
    ).first()
    return near_identical(stored or "", description)
