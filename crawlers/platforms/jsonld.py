"""schema.org JobPosting in pages' JSON-LD: @graph, top-level arrays, @type lists, bad JSON."""

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from crawlers.errors import ParseError
from crawlers.parsing import salary as pay
from crawlers.parsing.dates import parse_date, parse_datetime
from crawlers.parsing.fields import employment_type, join_place, remote_from_text
from crawlers.parsing.text import clean_line
from crawlers.platforms.base import Context, Page, Platform, Request, build_record
from store.records import PostingRecord, Salary

_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def json_ld_blocks(page_html: str) -> tuple[list[Any], int]:
    """Decoded JSON-LD blocks of a page and how many blocks were malformed (skipped)."""
    blocks: list[Any] = []
    bad = 0
    try:
        root = lxml_html.document_fromstring(page_html)
    except (etree.ParserError, ValueError):
        return blocks, bad
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            blocks.append(json.loads(raw))
        except json.JSONDecodeError:
            try:  # the commonest hand-written mistake: a trailing comma
                blocks.append(json.loads(_TRAILING_COMMA.sub(r"\1", raw)))
            except json.JSONDecodeError:
                bad += 1
    return blocks, bad


def _is_job(node: dict[str, Any]) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).split("/")[-1] == "JobPosting" for k in kinds if k)


def job_postings(value: Any) -> Iterator[dict[str, Any]]:
    """Every JobPosting object in a JSON-LD value (arrays, @graph, nesting)."""
    if isinstance(value, list):
        for item in value:
            yield from job_postings(item)
    elif isinstance(value, dict):
        if _is_job(value):
            yield value
        elif "@graph" in value:
            yield from job_postings(value["@graph"])
        elif "mainEntity" in value:
            yield from job_postings(value["mainEntity"])


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _locations(job: dict[str, Any]) -> list[str]:
    places = job.get("jobLocation") or []
    places = places if isinstance(places, list) else [places]
    found = []
    for place in places:
        if isinstance(place, str):
            found.append(place)
            continue
        if not isinstance(place, dict):
            continue
        address = place.get("address") or {}
        if isinstance(address, str):
            found.append(address)
            continue
        country = address.get("addressCountry")
        if isinstance(country, dict):
            country = country.get("name")
        found.append(
            join_place(address.get("addressLocality"), address.get("addressRegion"), country)
        )
    return [p for i, p in enumerate(found) if p and p not in found[:i]]


def _salary(job: dict[str, Any]) -> Salary | None:
    base = _first(job.get("baseSalary"))
    if not isinstance(base, dict):
        return pay.from_text(str(base)) if base else None
    value = base.get("value")
    if isinstance(value, dict):
        low = value.get("minValue", value.get("value"))
        high = value.get("maxValue", value.get("value"))
        return pay.structured(low, high, base.get("currency"), value.get("unitText"))
    return pay.structured(value, value, base.get("currency"), base.get("unitText"))


def _identifier(job: dict[str, Any]) -> str:
    ident = job.get("identifier")
    if isinstance(ident, dict):
        ident = ident.get("value")
    return clean_line(ident) if ident not in (None, "") else ""


def parse_job_posting(ctx: Context, job: dict[str, Any], *, page_url: str = "") -> PostingRecord:
    """One schema.org JobPosting object as a record."""
    url = clean_line(job.get("url")) or page_url
    external_id = _identifier(job) or url
    if not external_id:
        raise ParseError("jsonld: a JobPosting has neither an identifier nor a url")
    org = _first(job.get("hiringOrganization"))
    org_name = org.get("name") if isinstance(org, dict) else org
    locations = _locations(job)
    remote = (
        "remote"
        if str(_first(job.get("jobLocationType")) or "").upper() == "TELECOMMUTE"
        else remote_from_text(*locations)
    )
    return build_record(
        ctx,
        external_id=external_id,
        organisation=org_name or ctx.organisation,
        title=job.get("title") or job.get("name") or "",
        url=url,
        apply_url=url or None,
        locations=locations,
        remote=remote,
        employment_type=employment_type(job.get("employmentType")),
        posted_at=parse_datetime(job.get("datePosted")),
        deadline=parse_date(job.get("validThrough")),
        salary=_salary(job),
        html=str(job.get("description") or ""),
    )


def parse_jsonld_page(ctx: Context, body: bytes | str, *, page_url: str = "") -> Page:
    """Every JobPosting on an HTML page; a page with malformed JSON-LD and none valid fails."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not text.strip():
        raise ParseError("jsonld: payload is empty")
    blocks, bad = json_ld_blocks(text)
    page = Page()
    for block in blocks:
        for job in job_postings(block):
            try:
                page.records.append(parse_job_posting(ctx, job, page_url=page_url))
            except (ParseError, ValueError) as exc:
                page.invalid.append(str(exc).splitlines()[0])
    if bad:
        page.invalid.append(f"jsonld: {bad} malformed JSON-LD block(s)")
    if not blocks and not bad and "<" not in text:
        raise ParseError("jsonld: expected an HTML page with JSON-LD scripts")
    if not page.records and bad:
        raise ParseError(f"jsonld: {bad} malformed JSON-LD block(s) and no readable JobPosting")
    return page


class JsonLd(Platform):
    """Pages (``url``) carrying JobPosting JSON-LD."""

    name = "jsonld"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse every JobPosting on the page."""
        return parse_jsonld_page(ctx, body, page_url=request.url)
