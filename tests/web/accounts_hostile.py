"""Hostile postings for the browser tests: every field a crawler fills carries a payload.

Each payload, if it ever ran, would leave a trace the tests look for: a dialog or console line
containing ``XSS-``, a ``data-pwned`` attribute, a request to the beacon server, or a red page.
The HTML is stored as is (the crawler's own sanitising is bypassed on purpose): the pages must
be safe even when stored data is not.
"""

from datetime import timedelta

from sqlmodel import Session

from store.clock import utcnow
from store.models import Organisation, Posting, PostingLink, Source

MARK = "XSS-"


def description_payloads(beacon: str) -> list[str]:
    """Description HTML payloads: scripts, event handlers, javascript: links, SVG, CSS."""
    return [
        '<p>Join our alignment team.</p><script>alert("XSS-d1")</script>',
        "<img src=x onerror=\"alert('XSS-d2')\">",
        "<svg onload=\"alert('XSS-d3')\"><circle r='4'/></svg>",
        '<svg><script>alert("XSS-d4")</script><a xlink:href="javascript:alert(\'XSS-d5\')">'
        "<text y='20'>svg link</text></a></svg>",
        '<a href="javascript:alert(\'XSS-d6\')" id="jslink">apply here</a>',
        "<a href=\" JaVaScRiPt:alert('XSS-d7')\">spaced scheme</a>",
        "<a href=\"data:text/html,<script>alert('XSS-d8')</script>\">data link</a>",
        "<iframe src=\"javascript:alert('XSS-d9')\"></iframe>",
        "<details open ontoggle=\"alert('XSS-d10')\"><summary>more</summary>x</details>",
        "<math><mtext><table><mglyph><style><img src=x onerror=\"alert('XSS-d11')\">",
        f'<style>@import url("{beacon}/css-import"); body {{ background: #f00 !important; }}</style>',
        f'<p style="background:url({beacon}/css-attr);position:fixed;top:0;left:0;'
        'width:100%;height:100%;background-color:red;z-index:9">overlay</p>',
        "<div style=\"width: expression(alert('XSS-d12'))\">old IE</div>",
        f'<link rel="stylesheet" href="{beacon}/link-css">',
        "<object data=\"javascript:alert('XSS-d13')\"></object>",
        "<embed src=\"data:text/html,<script>alert('XSS-d14')</script>\">",
        f'<form action="{beacon}/form"><button>Apply</button></form>',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(\'XSS-d15\')">',
        "<div onmouseover=\"document.body.setAttribute('data-pwned', 1)\">hover me</div>",
        "<p>Real text after the payloads: we sponsor visas.</p>",
    ]


TITLES = [
    '"><svg onload=alert("XSS-t1")></title><script>alert("XSS-t2")</script> Research Engineer',
    "'><img src=x onerror=alert('XSS-t3')> Evals Fellow {{7*7}}",
    '</text></svg><script>alert("XSS-t4")</script><a href="javascript:alert(\'XSS-t5\')">Lead</a>',
]


def add_hostile_postings(session: Session, beacon: str) -> list[int]:
    """Write the hostile postings (open, tagged, with deadlines); return their ids."""
    org = Organisation(name="<img src=x onerror=alert('XSS-o1')>Evil Org", org_type="nonprofit")
    session.add(org)
    session.add(
        Source(
            id="hostile-board",
            platform="greenhouse",
            endpoint="<script>alert('XSS-s1')</script>",
            last_success_at=utcnow(),
            last_error="<img src=x onerror=\"alert('XSS-s2')\"> HTTP 500",
            error_streak=2,
        )
    )
    session.flush()
    now = utcnow()
    rows = []
    styles = [("empirical", "contributor"), ("theoretical", "lead"), ("empirical", "lead")]
    for index, title in enumerate(TITLES):
        style, level = styles[index]
        rows.append(
            Posting(
                source_id="hostile-board",
                external_id=f"hostile-{index}",
                url="javascript:alert('XSS-u1')",
                apply_url="data:text/html,<script>alert('XSS-u2')</script>",
                title=title,
                organisation_id=org.id,
                organisation_name=org.name,
                department="<script>alert('XSS-dep')</script>Research",
                locations=["<svg onload=alert('XSS-l1')>London, UK", "Remote"],
                remote="hybrid",
                posted_at=now - timedelta(hours=index + 1),
                deadline=(now + timedelta(days=6 + index)).date(),
                deadline_evidence="<script>alert('XSS-e1')</script>Apply by next week.",
                salary_min=80000.0,
                salary_max=95000.0,
                salary_currency="GBP",
                salary_period="year",
                salary_evidence="<img src=x onerror=alert('XSS-e2')>GBP 80k-95k",
                visa_sponsorship="yes",
                visa_evidence="<a href=\"javascript:alert('XSS-e3')\">We sponsor visas.</a>",
                description_html="".join(description_payloads(beacon)),
                description_text="Join our alignment team. Real text after the payloads.",
                kind="job",
                kind_p=0.9,
                track="technical",
                track_p=0.9,
                style=style,
                style_p=0.8,
                level=level,
                level_p=0.7,
                areas=["evals", "interpretability"],
                tag_probabilities={"kind": {"job": 0.9}},
                tag_evidence={
                    "kind": ["<img src=x onerror=alert('XSS-g1')>we are hiring"],
                    "style": ['"><script>alert("XSS-g2")</script>'],
                },
                model_version="hostile-test",
                extras={"note": "<script>alert('XSS-x1')</script>"},
            )
        )
    session.add_all(rows)
    session.flush()
    for row in rows:
        session.add(
            PostingLink(
                posting_id=row.id or 0,
                source_id="hostile-board",
                external_id=row.external_id,
                url="javascript:alert('XSS-k1')",
            )
        )
    return [row.id or 0 for row in rows]
