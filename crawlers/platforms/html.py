"""Careers pages: CSS selectors (from the source entry) find posting links; each posting page is
read from its JSON-LD when present, else from its main text.

Source entry keys (in ``[source.selectors]``): ``link`` (required: anchors to posting pages),
``title`` (optional, on posting pages; default ``h1``), ``content`` (optional: the element with
the description; default ``main``, ``article`` or ``body``).
"""

import hashlib
from typing import Any
from urllib.parse import urldefrag, urljoin

from crawlers.errors import ParseError
from crawlers.parsing.text import clean_line
from crawlers.platforms.base import Context, Page, Platform, Request, build_record
from crawlers.platforms.jsonld import parse_jsonld_page
from store.records import PostingRecord


def _soup(body: bytes | str) -> Any:
    from bs4 import BeautifulSoup  # only careers pages need CSS selectors; keep startup light

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if "<" not in text:
        raise ParseError("html: expected an HTML page")
    return BeautifulSoup(text, "lxml")


def posting_links(body: bytes | str, selector: str, base_url: str) -> list[str]:
    """Absolute URLs of the posting pages a careers page links to, in page order, no repeats."""
    soup = _soup(body)
    links: list[str] = []
    for anchor in soup.select(selector):
        href = anchor.get("href") if anchor.name == "a" else None
        if href is None:
            inner = anchor.find("a")
            href = inner.get("href") if inner else None
        if not href or str(href).startswith(("mailto:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin(base_url, str(href)))[0]
        if url not in links:
            links.append(url)
    return links


def _main(soup: Any, selector: str | None) -> Any:
    for candidate in filter(None, [selector, "main", "article", "[role=main]", "body"]):
        node = soup.select_one(candidate)
        if node is not None:
            return node
    return soup


def parse_posting_page(ctx: Context, body: bytes | str, *, page_url: str = "") -> PostingRecord:
    """One posting page: its JSON-LD JobPosting if any, else its title and main text."""
    try:
        page = parse_jsonld_page(ctx, body, page_url=page_url)
        if page.records:
            return page.records[0]
    except ParseError:
        pass  # malformed JSON-LD: read the page itself instead
    soup = _soup(body)
    selectors = ctx.config.get("selectors") or {}
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    heading = soup.select_one(selectors.get("title") or "h1")
    title = clean_line(heading.get_text(" ") if heading else "") or clean_line(
        soup.title.get_text() if soup.title else ""
    )
    if not title:
        raise ParseError("html: the page has no title or h1")
    canonical = soup.find("link", rel="canonical")
    url = str(canonical.get("href")) if canonical and canonical.get("href") else page_url
    external_id = url or hashlib.sha256(title.encode()).hexdigest()[:16]
    main = _main(soup, selectors.get("content"))
    return build_record(
        ctx, external_id=external_id, title=title, url=url, apply_url=url or None, html=str(main)
    )


class Html(Platform):
    """A careers page (``url``) whose links (``selectors.link``) lead to posting pages."""

    name = "html"
    single_request = False

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """On the careers page: follow links; on a posting page: one record."""
        if request.kind == "posting":
            return Page(records=[parse_posting_page(ctx, body, page_url=request.url)])
        selector = (ctx.config.get("selectors") or {}).get("link")
        if not selector:
            raise ParseError("html: the source needs selectors.link")
        links = posting_links(body, selector, request.url)
        limit = int(ctx.config.get("max_pages", 200))
        return Page(follow=[Request(link, kind="posting") for link in links[:limit]])
