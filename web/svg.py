"""The role map: an SVG chart drawn on the server, one linked mark per opening.

x runs from empirical (left) to theoretical (right) and y from contributor (bottom) to lead
(top), both the classifier's probabilities. Marks are coloured by kind; a deterministic jitter
keeps postings with equal scores apart. Everything is built with ElementTree, so titles are
escaped, and colours are presentation attributes (the CSP forbids inline styles).
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from store.models import Posting

WIDTH, HEIGHT = 900, 640
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 40, 80
PAD = 0.06  # keep marks off the frame
DOT, SPACING, CELLS = 6, 7.5, 14
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
KIND_COLOURS = {
    "job": "#1f5fa8",
    "internship": "#d9822b",
    "fellowship": "#8e44ad",
    "course": "#7a7a2a",
    "phd": "#138a8a",
    "postdoc": "#2e9e5b",
    "grant": "#c0392b",
    "other": "#6b7280",
}
KIND_ORDER = {kind: i for i, kind in enumerate(KIND_COLOURS)}


@dataclass(frozen=True)
class MapPoint:
    """One opening on the map (x: theoretical-ness, y: lead-ness, both 0..1)."""

    id: int
    title: str
    organisation: str
    kind: str
    x: float
    y: float


def _probability(posting: Posting, field: str, high: str) -> float:
    dist = (posting.tag_probabilities or {}).get(field)
    if isinstance(dist, dict) and isinstance(dist.get(high), (int, float)):
        return float(dist[high])
    label, p = getattr(posting, field), getattr(posting, f"{field}_p")
    if label is None or p is None:
        return 0.5
    return float(p) if label == high else 1.0 - float(p)


def point_of(posting: Posting) -> MapPoint:
    """Where a posting sits: P(theoretical) across, P(lead) up."""
    return MapPoint(
        id=posting.id or 0,
        title=posting.title,
        organisation=posting.organisation_name,
        kind=posting.kind or "other",
        x=_probability(posting, "style", "theoretical"),
        y=_probability(posting, "level", "lead"),
    )


def _sx(x: float) -> float:
    inner = min(max(x, 0.0), 1.0) * (1 - 2 * PAD) + PAD
    return LEFT + inner * (WIDTH - LEFT - RIGHT)


def _sy(y: float) -> float:
    inner = min(max(y, 0.0), 1.0) * (1 - 2 * PAD) + PAD
    return TOP + (1.0 - inner) * (HEIGHT - TOP - BOTTOM)


def layout(points: Sequence[MapPoint]) -> dict[int, tuple[float, float]]:
    """Screen positions: points in the same small cell spread out on a sunflower spiral.

    A confident classifier puts many postings at nearly the same probabilities; a spiral around
    the cell's centre shows how many there are without hiding any (and is deterministic).
    """
    cells: dict[tuple[int, int], list[MapPoint]] = {}
    for p in points:
        cells.setdefault((round(p.x * CELLS), round(p.y * CELLS)), []).append(p)
    placed: dict[int, tuple[float, float]] = {}
    for members in cells.values():
        # Same kinds sit together inside a cluster: the spiral fills outwards kind by kind.
        members.sort(key=lambda p: (KIND_ORDER.get(p.kind, len(KIND_ORDER)), p.id))
        cx = sum(_sx(p.x) for p in members) / len(members)
        cy = sum(_sy(p.y) for p in members) / len(members)
        radius = SPACING * math.sqrt(len(members)) + DOT
        cx = min(max(cx, LEFT + radius), WIDTH - RIGHT - radius)
        cy = min(max(cy, TOP + radius), HEIGHT - BOTTOM - radius)
        for i, p in enumerate(members):
            r, angle = SPACING * math.sqrt(i), i * GOLDEN_ANGLE
            placed[p.id] = (round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1))
    return placed


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()}
    )
    element.text = text
    return element


def _frame(svg: ET.Element) -> None:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    _el(svg, "rect", x=LEFT, y=TOP, width=plot_w, height=plot_h, fill="#fbfcfe", stroke="#c9d0dc")
    mid_x, mid_y = _sx(0.5), _sy(0.5)
    for x1, y1, x2, y2 in ((mid_x, TOP, mid_x, TOP + plot_h), (LEFT, mid_y, LEFT + plot_w, mid_y)):
        _el(svg, "line", x1=x1, y1=y1, x2=x2, y2=y2, stroke="#dde2ea", stroke_dasharray="4 4")
    corners = (
        ("Empirical · lead", LEFT, TOP - 10, "start"),
        ("Theoretical · lead", LEFT + plot_w, TOP - 10, "end"),
        ("Empirical · contributor", LEFT, TOP + plot_h + 20, "start"),
        ("Theoretical · contributor", LEFT + plot_w, TOP + plot_h + 20, "end"),
    )
    for label, x, y, anchor in corners:
        _el(svg, "text", label, x=x, y=y, text_anchor=anchor, fill="#5a6376", font_size=13)
    axis_y = HEIGHT - 22
    _el(
        svg,
        "text",
        "← more empirical",
        x=mid_x - 12,
        y=axis_y,
        text_anchor="end",
        fill="#1b2230",
        font_size=14,
    )
    _el(
        svg,
        "text",
        "more theoretical →",
        x=mid_x + 12,
        y=axis_y,
        text_anchor="start",
        fill="#1b2230",
        font_size=14,
    )
    _el(
        svg,
        "text",
        "← contributor",
        x=-(mid_y + 12),
        y=30,
        transform="rotate(-90)",
        text_anchor="end",
        fill="#1b2230",
        font_size=14,
    )
    _el(
        svg,
        "text",
        "lead →",
        x=-(mid_y - 12),
        y=30,
        transform="rotate(-90)",
        text_anchor="start",
        fill="#1b2230",
        font_size=14,
    )


def role_map_svg(points: Sequence[MapPoint], preference: tuple[float, float] | None = None) -> str:
    """The SVG markup of the role map (marks are links to the postings)."""
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "aria-labelledby": "map-title map-desc",
            "font-family": "system-ui, sans-serif",
        },
    )
    _el(svg, "title", "Role map of current openings", id="map-title")
    _el(
        svg,
        "desc",
        f"{len(points)} technical openings placed by how theoretical (across) and "
        "how research-leading (up) the classifier judges them; colour shows the kind.",
        id="map-desc",
    )
    _frame(svg)
    positions = layout(points)
    for kind in KIND_COLOURS:  # one group per kind, drawn in a fixed order
        members = [
            p for p in points if p.kind == kind or (kind == "other" and p.kind not in KIND_COLOURS)
        ]
        if not members:
            continue
        group = _el(svg, "g", class_=f"kind kind-{kind}", fill=KIND_COLOURS[kind])
        for p in members:
            link = _el(group, "a", href=f"/postings/{p.id}")
            x, y = positions[p.id]
            circle = _el(link, "circle", cx=x, cy=y, r=DOT, fill_opacity="0.85", stroke="#fff")
            _el(circle, "title", f"{p.title} – {p.organisation} ({kind})")
    if preference is not None:
        px, py = _sx(preference[0]), _sy(preference[1])
        you = _el(svg, "g", class_="preference")
        _el(you, "circle", cx=px, cy=py, r=16, fill="none", stroke="#111", stroke_width=2.5)
        _el(you, "line", x1=px - 24, y1=py, x2=px + 24, y2=py, stroke="#111", stroke_width=1.5)
        _el(you, "line", x1=px, y1=py - 24, x2=px, y2=py + 24, stroke="#111", stroke_width=1.5)
        _el(
            you,
            "text",
            "your preference",
            x=px + 20,
            y=py - 20,
            fill="#111",
            font_size=14,
            font_weight=700,
        )
    return ET.tostring(svg, encoding="unicode")
