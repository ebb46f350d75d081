"""The pure digest core: choosing, capping per organisation, closing soon, rendering."""

from datetime import UTC, date, datetime, timedelta

from scheduler.digests import (
    Candidate,
    DigestLinks,
    build_digest,
    cap_per_org,
    render_html,
    render_text,
)
from scheduler.selection import period_key

TODAY = date(2026, 11, 30)
LINKS = DigestLinks(
    unsubscribe="https://r.test/u/T", manage="https://r.test/m", site="https://r.test"
)


def cand(pid: int, org: str = "Acme", score: float = 0.5, **kw: object) -> Candidate:
    return Candidate(
        posting_id=pid,
        title=f"Role {pid}",
        organisation=org,
        url=f"https://jobs.test/{pid}",
        score=score,
        **kw,
    )  # type: ignore[arg-type]


def test_at_most_three_per_organisation_with_more_note_on_the_last_shown() -> None:
    ranked = [cand(i, "Acme" if i < 5 else "Beacon", score=1 - i / 10) for i in range(7)]
    kept, hidden = cap_per_org(ranked, 3)
    assert [c.posting_id for c in kept] == [0, 1, 2, 5, 6] and hidden == {"acme": 2}
    digest = build_digest(ranked, today=TODAY)
    assert digest is not None and digest.posting_ids == [0, 1, 2, 5, 6]
    assert [i.more_from_org for i in digest.matches] == [0, 0, 2, 0, 0]
    text = render_text(digest, LINKS)
    assert text.count("+2 more from Acme") == 1
    assert text.index("Role 2") < text.index("+2 more from Acme") < text.index("Role 5")


def test_selection_rules() -> None:
    since = datetime(2026, 11, 29, 7, tzinfo=UTC)
    candidates = [
        cand(1, score=0.9, first_seen_at=since + timedelta(hours=1)),
        cand(2, score=0.9, first_seen_at=since - timedelta(hours=1)),  # before the last digest
        cand(3, score=0.2, first_seen_at=since + timedelta(hours=1)),  # below min score
        cand(4, score=0.8, first_seen_at=since + timedelta(hours=2)),  # already mailed
        cand(5, score=0.7, deadline=TODAY - timedelta(days=1)),  # deadline passed
        cand(6, score=0.6, deadline=TODAY + timedelta(days=14)),  # closing soon (edge)
        cand(7, score=0.95, deadline=TODAY + timedelta(days=15)),  # not "soon"
    ]
    digest = build_digest(candidates, today=TODAY, min_score=0.5, already_sent={4}, since=since)
    assert digest is not None
    assert [i.candidate.posting_id for i in digest.closing_soon] == [6]
    assert [i.candidate.posting_id for i in digest.matches] == [7, 1]
    assert (
        build_digest(
            candidates, today=TODAY, min_score=0.5, min_matches=4, already_sent={4}, since=since
        )
        is None
    )
    assert build_digest([], today=TODAY) is None


def test_closing_soon_sorted_by_deadline_and_overflow_counted() -> None:
    candidates = [
        cand(
            i,
            f"Org {i}",
            score=1 - i / 100,
            deadline=TODAY + timedelta(days=10 - i) if i < 3 else None,
        )
        for i in range(30)
    ]
    digest = build_digest(candidates, today=TODAY, max_items=10)
    assert digest is not None and digest.count == 10 and digest.not_shown == 20
    assert [i.candidate.posting_id for i in digest.closing_soon] == [2, 1, 0]
    assert "...and 20 more: https://r.test" in render_text(digest, LINKS)


def test_html_escapes_posting_text_and_inlines_css() -> None:
    evil = Candidate(
        posting_id=1,
        title="<script>x</script> Engineer",
        organisation="A & B",
        url="https://jobs.test/1?a=1&b=2",
        score=0.9,
        reason='Says "remote" <ok>',
    )
    digest = build_digest([evil], today=TODAY)
    assert digest is not None
    html = render_html(digest, LINKS)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "A &amp; B" in html and "https://jobs.test/1?a=1&amp;b=2" in html
    assert "<style" not in html and html.count('style="') > 5
    text = render_text(digest, LINKS)
    assert "<script>x</script> Engineer - A & B" in text  # plain text is not HTML-escaped


def test_period_keys() -> None:
    monday = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    assert period_key("daily", monday) == "d:2026-11-30"
    assert period_key("weekly", monday) == "w:2026-W49"
    assert period_key("weekly", monday + timedelta(days=6)) == "w:2026-W49"
    assert period_key("weekly", monday + timedelta(days=7)) == "w:2026-W50"
    assert period_key("weekly", datetime(2027, 1, 1, tzinfo=UTC)) == "w:2026-W53"


def test_more_note_sits_on_the_organisations_last_item_after_closing_soon_moves_first() -> None:
    ranked = [cand(i, "Acme", score=1 - i / 10, deadline=TODAY + timedelta(days=3) if i == 2 else None)
              for i in range(5)]  # fmt: skip
    digest = build_digest(ranked, today=TODAY)
    assert digest is not None
    assert [i.candidate.posting_id for i in digest.closing_soon] == [2]
    assert [(i.candidate.posting_id, i.more_from_org) for i in digest.matches] == [(0, 0), (1, 2)]
    assert digest.closing_soon[0].more_from_org == 0
