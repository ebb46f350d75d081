"""Feeds of a list of postings: RSS 2.0, Atom, iCalendar (deadlines), CSV and JSON.

Pure functions from postings to bytes; the route in web/routes/feeds.py picks the postings with
the same query as the openings page. XML is built with ElementTree, so titles and descriptions
are escaped by construction; ICS text is escaped and folded by hand (RFC 5545).
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import format_datetime

from store.clock import as_utc
from store.models import Posting
from web.schemas import summary_of

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 forbids even when escaped; a crawled title can carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
CSV_COLUMNS = (
    "id",
    "title",
    "organisation",
    "url",
    "page",
    "locations",
    "remote",
    "kind",
    "track",
    "style",
    "level",
    "areas",
    "posted_at",
    "deadline",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "visa_sponsorship",
)


def _clean(text: str | None) -> str:
    """Text safe to put in XML or a calendar: no control characters."""
    return _NOT_XML.sub("", text or "")


def _summary_text(p: Posting) -> str:
    parts = [p.organisation_name, "; ".join(p.locations or [])]
    if p.kind:
        parts.append(p.kind + (f", {p.track}" if p.track else ""))
    if p.deadline:
        parts.append(f"deadline {p.deadline.isoformat()}")
    head = " · ".join(x for x in parts if x)
    body = " ".join((p.description_text or "").split())[:500]
    return _clean(f"{head}\n\n{body}" if body else head)


def _when(p: Posting) -> datetime:
    return as_utc(p.posted_at or p.first_seen_at)


def rss(postings: Sequence[Posting], *, title: str, link: str, base: str, now: datetime) -> bytes:
    """An RSS 2.0 document; each item links to the posting's page on this site."""
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = _clean(title)
    ET.SubElement(channel, "link").text = link
    ET.SubElement(channel, "description").text = "Openings from rolefit matching this filter."
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(as_utc(now))
    for p in postings:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = _clean(f"{p.title} – {p.organisation_name}")
        ET.SubElement(item, "link").text = f"{base}/postings/{p.id}"
        ET.SubElement(item, "guid", isPermaLink="true").text = f"{base}/postings/{p.id}"
        ET.SubElement(item, "pubDate").text = format_datetime(_when(p))
        ET.SubElement(item, "description").text = _summary_text(p)
        for tag in (p.kind, p.track, *(p.areas or [])):
            if tag:
                ET.SubElement(item, "category").text = _clean(tag)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def atom(postings: Sequence[Posting], *, title: str, link: str, base: str, now: datetime) -> bytes:
    """An Atom 1.0 feed."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}", attrs)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", _clean(title))
    sub(feed, "id", link)
    sub(feed, "link", href=link, rel="self")
    sub(feed, "updated", as_utc(now).isoformat())
    sub(sub(feed, "author"), "name", "rolefit")
    for p in postings:
        entry = sub(feed, "entry")
        sub(entry, "title", _clean(f"{p.title} – {p.organisation_name}"))
        sub(entry, "id", f"{base}/postings/{p.id}")
        sub(entry, "link", href=f"{base}/postings/{p.id}")
        sub(entry, "updated", _when(p).isoformat())
        sub(entry, "summary", _summary_text(p))
        for tag in (p.kind, p.track, *(p.areas or [])):
            if tag:
                sub(entry, "category", term=_clean(tag))
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def _ics_text(value: str) -> str:
    value = _clean(value)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets (continuations start with a space)."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + piece for piece in out[1:])]


def ics(postings: Sequence[Posting], *, title: str, base: str, now: datetime, host: str) -> bytes:
    """An iCalendar file with each deadline as an all-day event."""
    stamp = as_utc(now).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//rolefit//deadlines//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(title)}",
    ]
    for p in postings:
        if p.deadline is None:
            continue
        lines += [
            "BEGIN:VEVENT",
            f"UID:posting-{p.id}-deadline@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{p.deadline:%Y%m%d}",
            f"DTEND;VALUE=DATE:{p.deadline + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(f'Deadline: {p.title} – {p.organisation_name}')}",
            f"URL:{base}/postings/{p.id}",
            f"DESCRIPTION:{_ics_text(_summary_text(p))}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    folded = [piece for line in lines for piece in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode()


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell starting with = + - @ is read as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_bytes(postings: Sequence[Posting], *, base: str) -> bytes:
    """A CSV table, one row per posting (UTF-8 with a header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for p in postings:
        row = [
            p.id,
            p.title,
            p.organisation_name,
            p.url,
            f"{base}/postings/{p.id}",
            "; ".join(p.locations or []),
            p.remote,
            p.kind,
            p.track,
            p.style,
            p.level,
            "; ".join(p.areas or []),
            p.posted_at.isoformat() if p.posted_at else "",
            p.deadline.isoformat() if p.deadline else "",
            p.salary_min,
            p.salary_max,
            p.salary_currency,
            p.salary_period,
            p.visa_sponsorship,
        ]
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def json_bytes(postings: Sequence[Posting], *, base: str, title: str) -> bytes:
    """A JSON document: {"title", "items": [posting summaries with their page URL]}."""
    items = []
    for p in postings:
        item = summary_of(p).model_dump(mode="json")
        item["page"] = f"{base}/postings/{p.id}"
        items.append(item)
    return json.dumps({"title": title, "items": items}, ensure_ascii=False).encode()
