"""RSS 2.0 and Atom feeds of hiring posts: one item or entry per posting."""

from collections.abc import Callable
from typing import Any

from crawlers.errors import ParseError
from crawlers.parsing.dates import parse_datetime
from crawlers.platforms.base import Context, Page, Platform, Request, build_record
from crawlers.platforms.personio import parse_xml
from store.records import PostingRecord

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def _text(node: Any, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None and found.text else ""


def _rss_item(ctx: Context, item: Any) -> PostingRecord:
    link = _text(item, "link")
    guid = _text(item, "guid") or link
    title = _text(item, "title")
    if not guid or not title:
        raise ParseError("feed: an item has no guid/link or no title")
    return build_record(
        ctx,
        external_id=guid,
        title=title,
        url=link,
        apply_url=link or None,
        posted_at=parse_datetime(_text(item, "pubDate")),
        department=_text(item, "category") or None,
        html=_text(item, CONTENT) or _text(item, "description"),
    )


def _atom_entry(ctx: Context, entry: Any) -> PostingRecord:
    link = ""
    for node in entry.findall(f"{ATOM}link"):
        if node.get("rel") in (None, "alternate"):
            link = node.get("href") or ""
            break
    entry_id = _text(entry, f"{ATOM}id") or link
    title = _text(entry, f"{ATOM}title")
    if not entry_id or not title:
        raise ParseError("feed: an entry has no id/link or no title")
    return build_record(
        ctx,
        external_id=entry_id,
        title=title,
        url=link,
        apply_url=link or None,
        posted_at=parse_datetime(
            _text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated")
        ),
        html=_text(entry, f"{ATOM}content") or _text(entry, f"{ATOM}summary"),
    )


def parse_feed(ctx: Context, body: bytes) -> Page:
    """An RSS 2.0 ``<rss><channel><item>`` or Atom ``<feed><entry>`` document."""
    root = parse_xml(body, "feed")
    one: Callable[[Context, Any], PostingRecord]
    if root.tag == "rss":
        channel = root.find("channel")
        items, one = (channel.findall("item") if channel is not None else []), _rss_item
        feed_title = _text(channel, "title") if channel is not None else ""
    elif root.tag == f"{ATOM}feed":
        items, one, feed_title = (
            root.findall(f"{ATOM}entry"),
            _atom_entry,
            _text(root, f"{ATOM}title"),
        )
    else:
        raise ParseError(f"feed: expected an RSS or Atom document, got <{root.tag}>")
    if not ctx.organisation and feed_title:
        ctx.organisation = feed_title
    page = Page()
    for item in items:
        try:
            page.records.append(one(ctx, item))
        except ParseError as exc:
            page.invalid.append(str(exc))
    return page


class Feed(Platform):
    """Hiring-post feeds (``url``)."""

    name = "feed"

    def handle(self, ctx: Context, request: Request, body: bytes) -> Page:
        """Parse the whole feed."""
        return parse_feed(ctx, body)
