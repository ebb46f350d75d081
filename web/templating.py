"""The Jinja2 environment shared by every page: filters, the description sanitiser, globals.

Autoescaping is on for every template; the only markup that reaches a page unescaped is a
posting description after ``clean_description`` (nh3 with a strict allow-list), even though the
crawler sanitised it already: stored HTML is treated as hostile.
"""

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nh3
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from store.clock import as_utc, utcnow
from web.config import WebConfig

TEMPLATES = Path(__file__).parent / "templates"
ALLOWED_TAGS = {
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "code",
    "pre",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
SAFE_SCHEMES = {"http", "https", "mailto"}
CURRENCY_SIGNS = {"USD": "$", "GBP": "£", "EUR": "€"}


def clean_description(html: str) -> Markup:
    """A posting description reduced to harmless markup; links open safely and never run code."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )
    return Markup(cleaned)  # noqa: S704  (nh3 output is the allow-listed markup)


def safe_url(url: str | None) -> str:
    """``url`` when it is an http(s) or mailto link, else ``""`` (no javascript: or data: hrefs)."""
    value = (url or "").strip()
    scheme = urlsplit(value).scheme.lower()
    return value if scheme in SAFE_SCHEMES and "\n" not in value else ""


def format_date(value: date | datetime | None) -> str:
    """``3 Dec 2026`` (empty for None)."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def format_datetime(value: datetime | None) -> str:
    """``3 Dec 2026 14:05 UTC``."""
    if value is None:
        return ""
    value = as_utc(value)
    return f"{format_date(value)} {value:%H:%M} UTC"


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """``today``, ``3 days ago``, ``5 weeks ago``."""
    if value is None:
        return ""
    days = ((now or utcnow()) - as_utc(value)).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 70:
        return f"{days // 7} weeks ago"
    return format_date(value)


def days_left(value: date | None, today: date | None = None) -> str:
    """``closes today``, ``closes in 5 days``, ``closed 2 days ago``."""
    if value is None:
        return ""
    days = (value - (today or utcnow().date())).days
    if days == 0:
        return "closes today"
    if days == 1:
        return "closes tomorrow"
    if days > 1:
        return f"closes in {days} days"
    return f"deadline passed {-days} days ago"


def _amount(value: float, currency: str | None) -> str:
    sign = CURRENCY_SIGNS.get(currency or "", "")
    if value >= 1000 and value % 1000 == 0:
        number = f"{value / 1000:,.0f}k"
    else:
        number = f"{value:,.0f}"
    return f"{sign}{number}" if sign else f"{number} {currency or ''}".strip()


def salary(item: Any) -> str:
    """``$260k-$360k a year`` from salary_min/max/currency/period (empty when not stated)."""
    low, high = item.salary_min, item.salary_max
    if low is None and high is None:
        return ""
    currency = item.salary_currency
    if low is not None and high is not None and low != high:
        text = f"{_amount(low, currency)}–{_amount(high, currency)}"
    else:
        text = _amount(low if low is not None else high, currency)
    period = {
        "year": "a year",
        "month": "a month",
        "hour": "an hour",
        "week": "a week",
        "day": "a day",
    }.get(item.salary_period or "", "")
    return f"{text} {period}".strip()


def _context(request: Request) -> dict[str, Any]:
    config: WebConfig = request.app.state.config
    user = getattr(request.state, "user", None)
    return {
        "demo": config.demo,
        "user": user,
        "single_user": config.single_user,
        "path": request.url.path,
    }


def make_templates() -> Jinja2Templates:
    """The app's Jinja2Templates, with rolefit's filters and context."""
    templates = Jinja2Templates(directory=TEMPLATES, context_processors=[_context])
    env = templates.env
    # Templates ship with the code and never change while serving: without this, every page
    # stats its template file (and each include) to see whether it changed - ~12% of a request.
    env.auto_reload = False
    env.filters.update(
        clean=clean_description,
        safe_url=safe_url,
        day=format_date,
        when=format_datetime,
        ago=ago,
        days_left=days_left,
        salary=salary,
    )
    return templates
