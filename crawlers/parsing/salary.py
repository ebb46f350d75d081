"""Salary ranges from structured fields and from prose ("$257K – $335K", "£60,000-£75,000")."""

import re

from store.records import Salary

_SYMBOLS = {
    "$": "USD",
    "£": "GBP",
    "€": "EUR",
    "US$": "USD",
    "A$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
}
_CODES = ("USD", "GBP", "EUR", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "JPY", "SGD")
_AMOUNT = r"(?P<{n}>\d{{1,3}}(?:[,.\u202f ]\d{{3}})+|\d+(?:\.\d+)?)\s*(?P<{n}k>[kK]|m\b|M\b)?"
_CUR = r"(?P<{n}cur>US\$|CA\$|[AC]\$|[$£€]|(?:" + "|".join(_CODES) + r")\s?)"
RANGE = re.compile(
    _CUR.format(n="a")
    + r"\s?"
    + _AMOUNT.format(n="lo")
    + r"\s*(?:-|–|—|to)\s*"
    + r"(?:"
    + _CUR.format(n="b")
    + r")?\s?"
    + _AMOUNT.format(n="hi")
    + r"(?:\s*(?P<tail>"
    + "|".join(_CODES)
    + r"))?"
)
SINGLE = re.compile(_CUR.format(n="a") + r"\s?" + _AMOUNT.format(n="lo"))
_PERIOD = (
    (re.compile(r"per\s+(?:hour|hr)|/\s*(?:hour|hr)\b|hourly", re.I), "hour"),
    (re.compile(r"per\s+day|/\s*day\b|daily rate", re.I), "day"),
    (re.compile(r"per\s+week|/\s*week\b|weekly", re.I), "week"),
    (re.compile(r"per\s+month|/\s*(?:month|mo)\b|monthly", re.I), "month"),
    (
        re.compile(r"per\s+(?:year|annum)|/\s*(?:year|yr)\b|annual|annually|a year|p\.a\.", re.I),
        "year",
    ),
)
_INTERVALS = {
    "1 YEAR": "year", "YEAR": "year", "per-year-salary": "year", "year": "year", "yearly": "year",
    "annual": "year", "1 MONTH": "month", "MONTH": "month", "per-month-salary": "month",
    "month": "month", "monthly": "month", "1 WEEK": "week", "WEEK": "week", "week": "week",
    "1 DAY": "day", "DAY": "day", "day": "day", "per-day-salary": "day", "1 HOUR": "hour",
    "HOUR": "hour", "hour": "hour", "hourly": "hour", "per-hour-wage": "hour",
}  # fmt: skip


def period(value: object) -> str | None:
    """Normalise a pay interval (Ashby '1 YEAR', Lever 'per-year-salary', 'year') to a word."""
    if not value:
        return None
    return _INTERVALS.get(str(value).strip(), _INTERVALS.get(str(value).strip().lower()))


def number(value: object) -> float | None:
    """A number from an int, float or numeric string (Recruitee sends '60000'); else None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).replace(",", "").replace(" ", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def structured(
    min_value: object, max_value: object, currency: object, interval: object
) -> Salary | None:
    """A Salary from structured fields, or None when both bounds are missing."""
    low, high = number(min_value), number(max_value)
    if low is None and high is None:
        return None
    code = str(currency).strip().upper() if currency else None
    return Salary(min=low, max=high, currency=code or None, period=period(interval))


def _amount(digits: str, suffix: str | None) -> float:
    cleaned = re.sub(r"[,\u202f ]", "", digits)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")  # European thousands separator: 70.000
    value = float(cleaned)
    if suffix in ("k", "K"):
        value *= 1000
    elif suffix in ("m", "M"):
        value *= 1_000_000
    return value


def _currency(symbol: str | None) -> str | None:
    if not symbol:
        return None
    symbol = symbol.strip()
    return _SYMBOLS.get(symbol, symbol.upper() if symbol.upper() in _CODES else None)


def from_text(text: str) -> Salary | None:
    """The first salary range (or single amount with a currency) in a sentence; None if absent."""
    match = RANGE.search(text)
    if match:
        low = _amount(match["lo"], match["lok"] or match["hik"])
        high = _amount(match["hi"], match["hik"])
        currency = _currency(match["acur"]) or _currency(match["bcur"]) or match["tail"]
        if low > high:
            return None
        if low < 100 and high >= 1000:
            return None  # "$5 - 10,000" style mismatch: not a range we trust
    else:
        match = SINGLE.search(text)
        if not match:
            return None
        low = high = _amount(match["lo"], match["lok"])
        currency = _currency(match["acur"])
    if high < 10:
        return None
    return Salary(min=low, max=high, currency=currency, period=_period_of(text, high))


def _period_of(text: str, amount: float) -> str | None:
    for pattern, name in _PERIOD:
        if pattern.search(text):
            return name
    return "year" if amount >= 10_000 else None
