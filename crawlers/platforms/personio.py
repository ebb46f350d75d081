"""Personio XML feed: ``<workzag-jobs><position>...`` with CDATA sections and no URL element."""

from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from crawlers.errors import ParseError
from crawlers.parsing.dates import parse_datetime
from crawlers.parsing.fields import employment_type, remote_from_text
from crawlers.platforms.base import Context, Page, Platform, Request, build_record
from store.records import PostingRecord


def parse_xml(body: bytes, fmt: str) -> Any:
    """Parse XML safely (no entities resolved, no network) or raise ParseError."""
    if not body.strip():
        raise ParseError(f"{fmt}: payload is empty")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        return etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{fmt}: not valid XML ({exc.msg})") from exc


def _text(node: Any, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None and found.text else ""


def _slug(ctx: Context) -> str | None:
    if ctx.token:
        return ctx.token
    if ctx.url:
        host = urlsplit(ctx.url).hostname or ""
        if ".jobs.personio." in host:
            return host.split(".jobs.personio.")[0]
    return None


def parse_personio_position(ctx: Context, position: Any) -> PostingRecord:
    """One ``<position>`` as a record; the job URL is built from the tenant slug."""
    job_id = _text(position, "id")
    title = _text(position, "name")
    if not job_id or not title:
        raise ParseError("personio: a position has no id or name")
    offices = [_text(position, "office")] + [
        (o.text or "").strip() for o in position.findall("additionalOffices/office")
    ]
    offices = [o for i, o in enumerate(offices) if o and o not in offices[:i]]
    sections = []
    for description in position.findall("jobDescriptions/jobDescription"):
        name, value = _text(description, "name"), _text(description, "value")
        if value:
            sections.append(f"<h3>{name}</h3>{value}" if name else value)
    slug = _slug(ctx)
    domain = ctx.config.get("domain", "com")
    url = f"https://{slug}.jobs.personio.{domain}/job/{job_id}" if slug else ""
    schedule = _text(position, "schedule")
    return build_record(
        ctx,
        external_id=job_id,
        organisation=_text(position, "subcompany") or ctx.organisation,
        title=title,
        url=url,
        apply_url=url or None,
        locations=offices,
        remote=remote_from_text(*offices),
        employment_type=employment_type(schedule or _text(position, "employmentType")),
        posted_at=parse_datetime(_text(position, "createdAt")),
        department=_text(position, "department") or None,
        html="\n".join(sections),
        extras={"seniority": _text(position, "seniority")} if _text(position, "seniority") else {},
    )


def parse_personio_feed(ctx: Context, body: bytes) -> Page:
    """A ``<workzag-jobs>`` feed; a position that does not parse is noted, not fatal."""
    root = parse_xml(body, "personio")
    if root.tag != "workzag-jobs":
        raise ParseError(f"personio: expected a <workzag-jobs> document, got <{root.tag}>")
    page = Page()
    for position in root.findall("position"):
        try:
            page.records.append(parse_personio_position(ctx, position))
        except ParseError as exc:
            page.invalid.append(str(exc))
    return page


class Personio(Platform):
    """Personio tenants' XML feeds (English)."""

    name = "personio"

    def default_url(self, token: str) -> str:
        """The English XML feed."""
        return f"https://{token}.jobs.personio.com/xml?language=en"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse the whole feed."""
        return parse_personio_feed(ctx, body)
