"""What every platform adapter provides, and the record builder they share.

A platform turns a source entry into its first requests (``start``) and turns each response
body into records plus follow-up requests (``handle``): more pages, or per-posting detail
calls. Both are pure, so the Scrapy spider is glue and the parsers are tested on fixture files.

To add a platform: subclass ``Platform``, set ``name``, implement ``start`` and ``handle``
(and ``fallback`` if a failed request has an alternative), and register it in
``crawlers.platforms.PLATFORMS``.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from crawlers.errors import ParseError
from crawlers.parsing.text import clean_line, describe
from crawlers.prose import extract
from store.records import PostingRecord


@dataclass(frozen=True)
class Request:
    """One HTTP request a platform wants made; ``state`` carries paging state back to it."""

    url: str
    method: str = "GET"
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    # list: a page of the board listing; posting: a page that is one posting (both must succeed
    # for the crawl to be complete); detail: optional enrichment of a listed posting.
    kind: str = "list"
    state: tuple[tuple[str, Any], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        """A value from the request's state."""
        return dict(self.state).get(key, default)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, for passing between processes."""
        return {
            "url": self.url,
            "method": self.method,
            "body": self.body,
            "headers": [list(h) for h in self.headers],
            "kind": self.kind,
            "state": [list(s) for s in self.state],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Request":
        """Inverse of ``to_json``."""
        return cls(
            url=data["url"],
            method=data.get("method", "GET"),
            body=data.get("body"),
            headers=tuple((k, v) for k, v in data.get("headers", [])),
            kind=data.get("kind", "list"),
            state=tuple((k, v) for k, v in data.get("state", [])),
        )


@dataclass
class Context:
    """What a parser knows besides the payload: the source's format, organisation and settings."""

    source_format: str
    organisation: str = ""
    token: str | None = None
    url: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)


@dataclass
class Page:
    """What one response yielded: records and further requests."""

    records: list[PostingRecord] = field(default_factory=list)
    follow: list[Request] = field(default_factory=list)
    skipped: int = 0  # postings deliberately left out (unlisted, not accepting applications)
    invalid: list[str] = field(default_factory=list)  # one line per item that did not parse


class Platform:
    """Base adapter. Subclasses set ``name`` and implement ``start`` and ``handle``."""

    name = ""
    # An unchanged board costs one 304 only when the listing is one request.
    single_request = True

    def default_url(self, token: str) -> str:
        """The listing endpoint for a board token."""
        raise NotImplementedError

    def start(self, ctx: Context) -> list[Request]:
        """The first request(s) for a source."""
        if ctx.url:
            return [Request(ctx.url)]
        if not ctx.token:
            raise ParseError(f"{self.name}: a source needs a token or a url")
        return [Request(self.default_url(ctx.token))]

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Records and follow-up requests from one response body."""
        raise NotImplementedError

    def fallback(self, ctx: Context, request: Request, status: int) -> list[Request]:
        """Alternative requests when ``request`` failed with ``status`` (none by default)."""
        return []


def load_json(body: bytes | str, fmt: str) -> Any:
    """Decode a JSON payload or raise ParseError naming the format and the position."""
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
    except UnicodeDecodeError as exc:
        raise ParseError(f"{fmt}: payload is not UTF-8 text") from exc
    if not text.strip():
        raise ParseError(f"{fmt}: payload is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"{fmt}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc


def expect(value: Any, kind: type | tuple[type, ...], fmt: str, what: str) -> Any:
    """Check a payload's top-level shape, raising ParseError that says what was expected."""
    if not isinstance(value, kind):
        raise ParseError(f"{fmt}: expected {what}, got {type(value).__name__}")
    return value


def listed(payload: Any, key: str, fmt: str) -> list[Any]:
    """The list under ``key`` of a top-level JSON object, or ParseError saying what was missing."""
    expect(payload, dict, fmt, f"a JSON object with '{key}'")
    if key not in payload:
        raise ParseError(f"{fmt}: expected an object with a '{key}' list")
    return list(expect(payload[key], list, fmt, f"'{key}' to be a list"))


def build_record(ctx: Context, **fields: Any) -> PostingRecord:
    """A PostingRecord from a parser's fields, with prose facts filling what the fields lack.

    ``html`` (raw description HTML) and ``plain`` (a plain-text version, if the format has
    one) become description_text/description_html. Deadline, salary, visa and remote from the
    prose only fill gaps; structured values win. Each fact's sentence goes into ``evidence``.
    """
    html = fields.pop("html", "") or ""
    plain = fields.pop("plain", None)
    text, safe = describe(html, plain)
    fields.setdefault("description_text", text)
    fields.setdefault("description_html", safe)
    fields.setdefault("organisation", ctx.organisation)
    fields["organisation"] = clean_line(fields["organisation"]) or ctx.organisation
    fields["source_format"] = ctx.source_format
    facts = extract(" ".join(filter(None, [fields.get("title", "")])) + "\n" + text)
    evidence = dict(fields.pop("evidence", {}) or {})
    if fields.get("deadline") is None and facts.deadline:
        fields["deadline"] = facts.deadline
        evidence["deadline"] = facts.evidence["deadline"]
    elif fields.get("deadline") is None and facts.rolling:
        evidence["deadline"] = facts.evidence["deadline"]
    if fields.get("salary") is None and facts.salary:
        fields["salary"] = facts.salary
        evidence["salary"] = facts.evidence["salary"]
    if fields.get("visa_sponsorship", "unknown") == "unknown" and facts.visa != "unknown":
        fields["visa_sponsorship"] = facts.visa
        evidence["visa"] = facts.evidence["visa"]
    if fields.get("remote", "unknown") == "unknown" and facts.remote != "unknown":
        fields["remote"] = facts.remote
        evidence["remote"] = facts.evidence["remote"]
    extras = dict(fields.pop("extras", {}) or {})
    if facts.rolling:
        extras["rolling_deadline"] = True
    if "remote" in evidence:
        extras["remote_evidence"] = evidence["remote"]  # the store has no column for this one
    fields["title"] = clean_line(fields.get("title"))
    fields["url"] = fields.get("url") or ""
    try:
        return PostingRecord(**fields, evidence=evidence, extras=extras)
    except ValueError as exc:
        first = str(exc).splitlines()
        detail = " ".join(first[1:3]) if len(first) > 2 else str(exc)
        raise ParseError(
            f"{ctx.source_format}: posting {fields.get('external_id')!r} is invalid: {detail}"
        ) from exc


def build_all(ctx: Context, items: list[Any], one: Any) -> Page:
    """Apply a per-item parser to each item; a bad item is noted in ``invalid``, not fatal.

    The crawl treats any invalid item as a parse error: the good records are stored but the
    crawl is not complete, so it closes nothing.
    """
    page = Page()
    for item in items:
        if not isinstance(item, dict):
            raise ParseError(
                f"{ctx.source_format}: expected job objects, got {type(item).__name__}"
            )
        try:
            record = one(ctx, item)
        except (ParseError, KeyError, TypeError, ValueError) as exc:
            page.invalid.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            continue
        if record is None:
            page.skipped += 1
        else:
            page.records.append(record)
    return page


def require(item: dict[str, Any], key: str, fmt: str) -> Any:
    """An item's required field, or ParseError naming it."""
    value = item.get(key)
    if value is None or value == "":
        raise ParseError(f"{fmt}: a posting has no {key!r}")
    return value
