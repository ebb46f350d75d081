"""Date and time parsing for the formats' many spellings; all results are aware UTC."""

import re
from datetime import UTC, date, datetime

_RECRUITEE = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)? ?UTC$")


def parse_datetime(value: object) -> datetime | None:
    """ISO 8601 (with offset, Z, date only) or Recruitee's 'YYYY-MM-DD HH:MM:SS UTC'; else None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return from_epoch(value)
    text = str(value).strip()
    match = _RECRUITEE.match(text)
    if match:
        text = f"{match.group(1)}T{match.group(2)}+00:00"
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return _rfc822(text)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _rfc822(text: str) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def from_epoch(value: float) -> datetime | None:
    """Unix seconds or milliseconds (values past the year 5000 in seconds are taken as ms)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    if number > 1e11:
        number /= 1000.0
    return datetime.fromtimestamp(number, UTC)


def parse_date(value: object) -> date | None:
    """A calendar date from ISO text, a datetime or epoch; None for sentinels like 'No Deadline'."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    if parsed.year >= 2050:
        return None  # boards use far-future dates to mean "no deadline"
    return parsed.date()
