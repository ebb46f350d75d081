"""Everything the posting page shows about one posting, gathered in one place."""

from typing import Any

from sqlmodel import Session, col, select

from store.db import get_by_id
from store.models import Label, Posting, PostingLink
from web.errors import NotFound
from web.schemas import PostingDetail, PostingLinkPublic, TagPublic, summary_of
from web.templating import clean_description

TAG_FIELDS = ("kind", "track", "style", "level")
TECHNICAL_ONLY = ("style", "level")
SIMILAR = 5
CANDIDATES = 300


def get_posting(session: Session, posting_id: int) -> Posting:
    """The posting, or NotFound."""
    posting = get_by_id(session, Posting, posting_id)
    if posting is None:
        raise NotFound(f"There is no opening number {posting_id}.")
    return posting


def tags_of(posting: Posting) -> list[TagPublic]:
    """The posting's tags with probabilities, full distributions and evidence phrases."""
    probabilities: dict[str, Any] = posting.tag_probabilities or {}
    evidence: dict[str, Any] = posting.tag_evidence or {}
    tags = []
    for name in TAG_FIELDS:
        value = getattr(posting, name)
        if value is None or (name in TECHNICAL_ONLY and posting.track != "technical"):
            continue  # style and level only describe technical work (docs/TAXONOMY.md)
        distribution = probabilities.get(name) if isinstance(probabilities.get(name), dict) else {}
        tags.append(
            TagPublic(
                field=name,
                value=value,
                probability=getattr(posting, f"{name}_p"),
                distribution={str(k): float(v) for k, v in (distribution or {}).items()},
                evidence=[str(e) for e in evidence.get(name) or []][:8],
            )
        )
    area_dist = probabilities.get("areas") if isinstance(probabilities.get("areas"), dict) else {}
    for area in posting.areas or []:
        p = (area_dist or {}).get(area)
        tags.append(
            TagPublic(
                field="areas",
                value=area,
                probability=float(p) if isinstance(p, (int, float)) else None,
                distribution={},
                evidence=[str(e) for e in (evidence.get("areas") or [])][:8]
                if not isinstance(evidence.get("areas"), dict)
                else [str(e) for e in evidence["areas"].get(area, [])][:8],
            )
        )
    return tags


def corrected_fields(session: Session, posting_id: int) -> set[str]:
    """Fields of this posting a person has corrected."""
    rows = session.exec(select(Label.field).where(col(Label.posting_id) == posting_id)).all()
    return set(rows)


def links_of(session: Session, posting: Posting) -> list[PostingLinkPublic]:
    """Every place the posting was found, origin first."""
    rows = session.exec(
        select(PostingLink)
        .where(col(PostingLink.posting_id) == posting.id)
        .order_by(col(PostingLink.reason) != "origin", col(PostingLink.created_at))
    ).all()
    links = [
        PostingLinkPublic(
            source_id=r.source_id,
            url=r.url,
            reason=r.reason,
            first_seen_at=r.created_at,
            last_seen_at=r.last_seen_at,
        )
        for r in rows
    ]
    if not links:
        links.append(
            PostingLinkPublic(
                source_id=posting.source_id,
                url=posting.url,
                reason="origin",
                first_seen_at=posting.first_seen_at,
                last_seen_at=posting.last_seen_at,
            )
        )
    return links


def similar_to(session: Session, posting: Posting) -> list[Posting]:
    """Open postings on the same track, closest in kind, areas, style and level."""
    statement = select(Posting).where(
        col(Posting.closed_at).is_(None),
        col(Posting.id) != posting.id,
        col(Posting.track) == posting.track,
    )
    candidates = session.exec(
        statement.order_by(col(Posting.posted_at).desc()).limit(CANDIDATES)
    ).all()
    areas = set(posting.areas or [])

    def closeness(other: Posting) -> tuple[float, int]:
        shared = len(areas & set(other.areas or []))
        same = (other.style == posting.style) + (other.level == posting.level)
        score = 2 * shared + 1.5 * (other.kind == posting.kind) + same
        score -= 0.5 * (other.organisation_name == posting.organisation_name)
        return (-score, -(other.id or 0))

    return sorted(candidates, key=closeness)[:SIMILAR]


def posting_detail(session: Session, posting_id: int) -> PostingDetail:
    """The posting page's data (also the JSON twin)."""
    posting = get_posting(session, posting_id)
    base = summary_of(posting).model_dump()
    return PostingDetail(
        **base,
        apply_url=posting.apply_url,
        department=posting.department,
        description_html=str(clean_description(posting.description_html)),
        deadline_evidence=posting.deadline_evidence,
        salary_evidence=posting.salary_evidence,
        visa_evidence=posting.visa_evidence,
        first_seen_at=posting.first_seen_at,
        last_seen_at=posting.last_seen_at,
        close_reason=posting.close_reason,
        model_version=posting.model_version,
        tags=tags_of(posting),
        links=links_of(session, posting),
        similar=[summary_of(p) for p in similar_to(session, posting)],
    )
