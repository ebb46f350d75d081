"""HTML to plain text and allow-list sanitising, with no network and no state."""

import html
import re
from typing import Any

import nh3
from lxml import etree
from lxml import html as lxml_html

# Tags a description may keep after sanitising; everything else is dropped (content kept).
ALLOWED_TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h1", "h2", "h3", "h4", "h5",
    "h6", "a", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr",
    "span", "div", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "blockquote", "pre", "hr", "section", "article", "header", "footer",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "template", "head", "title"}
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_BLANKS = re.compile(r"\n\s*\n+")


def sanitize_html(raw: str) -> str:
    """Keep only allow-listed tags and attributes (scripts, styles, handlers are removed)."""
    if not raw:
        return ""
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    ).strip()


def html_to_text(raw: str) -> str:
    """Plain text of an HTML fragment: no tags, no entities, one blank line between blocks."""
    if not raw:
        return ""
    if "<" not in raw:
        return normalise_text(html.unescape(raw))
    try:
        root = lxml_html.fragment_fromstring(raw, create_parent="div")
    except (etree.ParserError, ValueError):
        return normalise_text(re.sub(r"<[^>]*>", " ", raw))
    out: list[str] = []
    _walk(root, out)
    return normalise_text("".join(out))


def _walk(node: Any, out: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _SKIP or not isinstance(node.tag, str):
        if node.tail:
            out.append(node.tail)
        return
    block = tag in _BLOCKS
    if block:
        out.append("\n- " if tag == "li" else "\n")
    if node.text:
        out.append(node.text)
    for child in node:
        _walk(child, out)
    if block:
        out.append("\n")
    if node.tail:
        out.append(node.tail)


def normalise_text(text: str) -> str:
    """Collapse runs of spaces, trim lines and keep at most one blank line between paragraphs."""
    text = html.unescape(text) if "&" in text else text
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    joined = "\n".join(lines)
    return _BLANKS.sub("\n\n", joined).strip()


def clean_line(value: object) -> str:
    """A single-line string: whitespace collapsed, entities decoded; '' for None."""
    if value is None:
        return ""
    text = html.unescape(str(value)) if "&" in str(value) else str(value)
    return " ".join(text.split())


def describe(raw_html: str, plain: str | None = None) -> tuple[str, str]:
    """(description_text, description_html) from HTML, preferring a given plain text."""
    if "<" not in raw_html and "&lt;" in raw_html:
        raw_html = html.unescape(raw_html)  # HTML that arrived entity-escaped
    safe = sanitize_html(raw_html)
    text = normalise_text(plain) if plain else html_to_text(raw_html)
    return text, safe
