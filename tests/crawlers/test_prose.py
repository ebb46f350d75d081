"""Facts from prose keep the sentence that states them."""

from datetime import date

import pytest

from crawlers.parsing.salary import from_text
from crawlers.prose import extract


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Applications close 15 March 2026.", date(2026, 3, 15)),
        ("Please apply by March 3rd, 2026 at the latest.", date(2026, 3, 3)),
        ("Deadline: 2026-05-01", date(2026, 5, 1)),
        ("The closing date is 1st of June 2026.", date(2026, 6, 1)),
        ("Founded on 15 March 2019 in Oxford.", None),  # a date, but not a deadline
    ],
)
def test_deadlines(text, expected):
    facts = extract(text)
    assert facts.deadline == expected
    if expected:
        assert facts.evidence["deadline"] == text


def test_rolling_basis_is_kept_as_evidence_without_a_date():
    facts = extract("About the team.\nWe review applications on a rolling basis.")
    assert facts.deadline is None and facts.rolling
    assert facts.evidence["deadline"] == "We review applications on a rolling basis."


@pytest.mark.parametrize(
    ("text", "low", "high", "currency", "period"),
    [
        ("$257K – $335K", 257000, 335000, "USD", "year"),
        ("£60,000-£75,000 per year", 60000, 75000, "GBP", "year"),
        ("€70k", 70000, 70000, "EUR", "year"),
        ("USD 120,000 to 150,000 annually", 120000, 150000, "USD", "year"),
        ("$45/hour", 45, 45, "USD", "hour"),
        ("EUR 5.000 - 6.000 per month", 5000, 6000, "EUR", "month"),
    ],
)
def test_salary_ranges(text, low, high, currency, period):
    found = from_text(text)
    assert (found.min, found.max, found.currency, found.period) == (low, high, currency, period)


def test_salary_needs_a_currency_in_prose():
    assert extract("We have 3 offices and 120 staff across 4 teams.").salary is None
    facts = extract("Our team. The salary range is £60,000-£75,000 per year. Benefits follow.")
    assert facts.salary.min == 60000
    assert facts.evidence["salary"] == "The salary range is £60,000-£75,000 per year."


@pytest.mark.parametrize(
    ("text", "visa"),
    [
        ("We will sponsor visas for this role.", "yes"),
        ("Visa sponsorship is available.", "yes"),
        ("We are unable to sponsor visas.", "no"),
        ("We will not sponsor work visas for this position.", "no"),
        ("US citizenship is required.", "no"),
        ("Candidates must be able to work without sponsorship.", "no"),
        ("We work on interpretability.", "unknown"),
    ],
)
def test_visa(text, visa):
    facts = extract(text)
    assert facts.visa == visa
    if visa != "unknown":
        assert facts.evidence["visa"] == text


@pytest.mark.parametrize(
    ("text", "remote"),
    [
        ("This is a fully remote position.", "remote"),
        ("Hybrid: three days a week in the office.", "hybrid"),
        ("This is an in-person role in Berkeley.", "onsite"),
        ("We value honesty.", "unknown"),
    ],
)
def test_remote_hints(text, remote):
    assert extract(text).remote == remote
