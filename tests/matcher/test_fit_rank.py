"""Fit ranking on plain posting facts: hard constraints, scores and reasons (no database)."""

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.fit import MatchResult, MatchResults, Weights, rank
from matcher.fit.corpus import PostingFacts, build_corpus, requirements
from matcher.fit.places import location_keys, place_key
from matcher.fit.reasons import _role_phrase
from matcher.fit.textsim import build_text_index
from matcher.profile import profile_from_dict

TODAY = date(2026, 11, 29)

BASE = PostingFacts(
    id=1,
    title="Research Engineer",
    organisation="Open Lab",
    org_type="nonprofit",
    url="https://example.org/1",
    locations=("London, UK",),
    remote="onsite",
    kind="job",
    kind_p=0.95,
    track="technical",
    track_p=0.97,
    style="empirical",
    style_p=0.95,
    level="contributor",
    level_p=0.96,
    areas=("interpretability",),
    tagged=True,
)
UNTAGGED = PostingFacts(id=99, title="Something", organisation="Quiet Org")


def run(
    facts: list[PostingFacts],
    profile: dict[str, Any],
    *,
    docs: list[str] | None = None,
    weights: Weights | None = None,
    limit: int = 50,
) -> MatchResults:
    texts = docs or [f"{f.title} placeholder words" for f in facts]
    return rank(
        build_corpus(facts),
        build_text_index(texts),
        profile_from_dict({"name": "Test", **profile}),
        today=TODAY,
        limit=limit,
        include_excluded=True,
        weights=weights,
    )


def status(result: MatchResult, constraint: str) -> str:
    return next(c.status for c in result.checklist if c.constraint == constraint)


def only(results: MatchResults) -> tuple[MatchResult, bool]:
    """The single result and whether it was included."""
    everything = results.matches + results.excluded
    assert len(everything) == 1
    return everything[0], bool(results.matches)


# (posting change, profile, included?, constraint, status, words in the reason)
CASES = [
    ({"closed": True}, {}, False, "open", "misses", "closed"),
    ({}, {}, True, "open", "meets", "open"),
    ({"deadline": TODAY - timedelta(days=1)}, {}, False, "deadline", "misses", "deadline passed"),
    ({"deadline": TODAY + timedelta(days=200)}, {"deadlines": {"within_days": 120}}, False, "deadline", "misses", "further ahead than your 120 days"),
    ({"deadline": TODAY + timedelta(days=200)}, {}, True, "deadline", "meets", "closes in 200 days"),
    ({"deadline": None}, {"deadlines": {"within_days": 30}}, True, "deadline", "unknown", "no deadline stated"),
    ({"kind": "grant"}, {"kinds": ["job", "fellowship"]}, False, "kind", "misses", "grant; you want job or fellowship"),
    ({"kind": "job"}, {"kinds": ["job", "fellowship"]}, True, "kind", "meets", "job"),
    ({"kind": None}, {"kinds": ["job"]}, True, "kind", "unknown", "not tagged"),
    ({"kind": "grant"}, {"kinds": []}, True, "kind", "meets", "any kind"),
    ({"track": "operations"}, {"tracks": ["technical"]}, False, "track", "misses", "operations"),
    ({"track": None}, {"tracks": ["technical"]}, True, "track", "unknown", "not tagged"),
    ({"locations": ("San Francisco, CA",)}, {"location": {"places": ["London"]}}, False, "location", "misses", "San Francisco"),
    ({"locations": ("London",)}, {"location": {"places": ["United Kingdom"]}}, True, "location", "meets", "London"),
    ({"locations": ("Oxford, England",)}, {"location": {"places": ["UK"]}}, True, "location", "meets", "Oxford"),
    ({"locations": ()}, {"location": {"places": ["London"]}}, True, "location", "unknown", "no location given"),
    ({"locations": ("Remote",), "remote": "remote"}, {"location": {"places": ["London"], "remote_ok": True}}, True, "location", "meets", "remote"),
    ({"locations": ("Remote",), "remote": "remote"}, {"location": {"places": ["London"], "remote_ok": False}}, False, "location", "misses", "you did not accept remote"),
    ({"locations": ("Remote (US only)",), "remote": "remote"}, {"location": {"places": ["Edinburgh", "United Kingdom"]}}, False, "location", "misses", "remote only from Remote (US only)"),
    ({"locations": ("Remote (UK)",), "remote": "remote"}, {"location": {"places": ["Edinburgh"]}}, True, "location", "meets", "remote"),
    ({"locations": ("Remote (US only)", "Remote"), "remote": "remote"}, {"location": {"places": ["London"]}}, True, "location", "meets", "remote"),
    ({"locations": ("Remote (US only)",), "remote": "remote"}, {"location": {"places": []}}, True, "location", "meets", "remote"),
    ({"locations": ("Remote",), "remote": "remote"}, {"location": {"places": [], "remote_ok": False}}, False, "location", "misses", "you did not accept remote"),
    ({"locations": ("London, UK", "Remote"), "remote": "remote"}, {"location": {"places": ["London"], "remote_ok": False}}, True, "location", "meets", "also in London"),
    ({"locations": ("London",), "remote": "hybrid"}, {"location": {"places": ["London"], "hybrid_ok": False}}, False, "location", "misses", "you did not accept hybrid"),
    ({"locations": ("London",), "remote": "hybrid"}, {"location": {"places": ["London"]}}, True, "location", "meets", "hybrid"),
    ({"locations": ("Berkeley, CA",)}, {"location": {"places": []}}, True, "location", "meets", "Berkeley"),
    ({"locations": ("Berkeley, CA",), "visa": "no"}, {"location": {"places": ["Berkeley"]}, "work_authorisation": {"countries": ["United Kingdom"]}}, False, "sponsorship", "misses", "will not sponsor"),
    ({"locations": ("London",), "visa": "no"}, {"work_authorisation": {"countries": ["UK"]}}, True, "sponsorship", "meets", "where you may work"),
    ({"locations": ("Berkeley, CA",), "visa": "unknown"}, {"work_authorisation": {"countries": ["United Kingdom"]}}, True, "sponsorship", "unknown", "not mentioned"),
    ({"locations": ("Berkeley, CA",), "visa": "yes"}, {"work_authorisation": {"countries": ["United Kingdom"]}}, True, "sponsorship", "meets", "sponsors visas"),
    ({"locations": (), "visa": "no"}, {"work_authorisation": {"countries": ["United Kingdom"]}}, True, "sponsorship", "unknown", "country is not stated"),
    ({"locations": ("Berkeley, CA",), "visa": "no"}, {}, True, "sponsorship", "unknown", "not checked"),
    ({"organisation": "Big Lab"}, {"organisations": {"exclude": ["big lab"]}}, False, "organisation", "misses", "on your exclude list"),
    ({"org_type": "frontier-lab"}, {"organisations": {"exclude_types": ["frontier-lab"]}}, False, "organisation", "misses", "a type you exclude"),
    ({"org_type": None}, {"organisations": {"exclude_types": ["frontier-lab"]}}, True, "organisation", "unknown", "unknown"),
    ({"org_type": "frontier-lab"}, {"organisations": {"flag": ["frontier-lab"]}}, True, "organisation", "meets", "not excluded"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "profile", "included", "constraint", "expected", "words"), CASES
)
def test_each_hard_constraint(
    change: dict[str, Any],
    profile: dict[str, Any],
    included: bool,
    constraint: str,
    expected: str,
    words: str,
) -> None:
    result, was_included = only(run([replace(BASE, **change)], profile))
    assert was_included is included
    assert status(result, constraint) == expected
    item = next(c for c in result.checklist if c.constraint == constraint)
    assert words in item.detail
    if included:
        assert result.excluded_reason is None
    else:
        assert result.excluded_reason and words in result.excluded_reason


STRICT = {
    "kinds": ["job"],
    "tracks": ["technical"],
    "areas": ["evals"],
    "style": {"prefer": "theoretical", "strength": 1.0},
    "level": {"prefer": "lead", "strength": 1.0},
    "location": {"places": ["Tokyo"], "remote_ok": False, "hybrid_ok": False},
    "work_authorisation": {"countries": ["Japan"]},
    "experience": {"years": 0, "degree": "none"},
    "salary": {"minimum": 500000, "currency": "JPY"},
    "organisations": {"exclude_types": ["frontier-lab"], "exclude": ["Other"]},
    "deadlines": {"within_days": 1},
}


def test_unknowns_never_exclude_even_for_a_strict_profile() -> None:
    result, included = only(run([UNTAGGED], STRICT))
    assert included
    assert {c.status for c in result.checklist} <= {"meets", "unknown"}
    assert "role type and areas not known yet (posting not tagged)" in result.reasons


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([None, "job"]),
    track=st.sampled_from([None, "technical"]),
    locations=st.sampled_from([(), ("Tokyo",)]),
    visa=st.sampled_from(["unknown", "no", "yes"]),
    deadline_days=st.sampled_from([None, 0, 1]),
)
def test_a_posting_that_fits_or_is_silent_is_never_excluded(
    kind: str | None,
    track: str | None,
    locations: tuple[str, ...],
    visa: str,
    deadline_days: int | None,
) -> None:
    facts = replace(
        UNTAGGED,
        kind=kind,
        track=track,
        locations=locations,
        visa=visa if locations else "unknown",
        deadline=None if deadline_days is None else TODAY + timedelta(days=deadline_days),
    )
    _, included = only(run([facts], STRICT))
    assert included


def test_every_result_has_reasons_a_full_checklist_and_a_score_in_range() -> None:
    facts = [
        replace(BASE, id=i, style=style, level=level, areas=areas, closed=closed)
        for i, (style, level, areas, closed) in enumerate(
            [
                ("empirical", "contributor", ("interpretability",), False),
                ("theoretical", "lead", ("theory",), False),
                ("empirical", "lead", (), True),
            ],
            start=1,
        )
    ] + [UNTAGGED]
    results = run(facts, {"areas": ["interpretability"], "skills": ["python"]})
    assert len(results.matches) == 3 and len(results.excluded) == 1
    for item in results.matches + results.excluded:
        assert item.reasons and all(isinstance(r, str) and r for r in item.reasons)
        assert [c.constraint for c in item.checklist] == [
            "open", "deadline", "kind", "track", "location", "sponsorship", "organisation"
        ]  # fmt: skip
        assert 0.0 <= item.score <= 1.0
    scores = [m.score for m in results.matches]
    assert scores == sorted(scores, reverse=True)


def test_role_fit_ranks_and_explains_in_plain_words() -> None:
    wanted = replace(BASE, id=1, style_p=0.95, level_p=0.96)
    other = replace(BASE, id=2, style="theoretical", style_p=0.9, level="lead", level_p=0.8)
    results = run(
        [other, wanted],
        {
            "style": {"prefer": "empirical", "strength": 0.8},
            "level": {"prefer": "contributor", "strength": 0.6},
        },
    )
    assert [m.posting_id for m in results.matches] == [1, 2]
    top = results.matches[0]
    assert "empirical contributor role (p=0.91), as you prefer" in top.reasons
    assert any(
        r == "theoretical lead role (p=0.72), you prefer empirical contributor"
        for r in results.matches[1].reasons
    )
    half = replace(BASE, id=3, style="empirical", style_p=0.9, level="lead", level_p=0.6)
    [mixed] = run(
        [half],
        {
            "style": {"prefer": "empirical", "strength": 0.8},
            "level": {"prefer": "contributor", "strength": 0.6},
        },
    ).matches
    assert (
        "empirical as you prefer, but lead where you prefer contributor (p=0.54)" in mixed.reasons
    )
    # A posting without the tag the person cares about says so, and claims no match.
    untagged = replace(BASE, id=4, style="empirical", style_p=0.9, level=None, level_p=None)
    prefers_lead = profile_from_dict({"name": "x", "level": {"prefer": "lead", "strength": 0.6}})
    assert _role_phrase(untagged, prefers_lead) == (
        "empirical role; not tagged for your lead preference"
    )


def test_area_and_deadline_reasons() -> None:
    soon = replace(BASE, deadline=TODAY + timedelta(days=6))
    (result,) = run([soon], {"areas": ["interpretability", "evals"]}).matches
    assert "mentions interpretability, one of your areas" in result.reasons
    assert "closes in 6 days" in result.reasons


def test_readiness_answers_shift_the_ranking_when_no_preference_is_stated() -> None:
    empirical = replace(BASE, id=1, style="empirical", style_p=0.9)
    theoretical = replace(BASE, id=2, style="theoretical", style_p=0.9)
    answers = {"readiness": {"can_reproduce_ml_paper": True}}
    results = run([theoretical, empirical], answers)
    assert [m.posting_id for m in results.matches] == [1, 2]
    assert any("from your readiness answers" in r for r in results.matches[0].reasons)
    flipped = run([theoretical, empirical], {"readiness": {"strong_theory_background": True}})
    assert [m.posting_id for m in flipped.matches] == [2, 1]


def test_no_phd_required_is_never_hidden_from_a_switcher_and_ranks_higher() -> None:
    needs_phd = replace(BASE, id=1, phd=3)
    no_phd = replace(BASE, id=2, phd=1)
    results = run([needs_phd, no_phd], {"experience": {"degree": "bachelors", "years": 1}})
    assert [m.posting_id for m in results.matches] == [2, 1]
    assert "says no PhD required" in results.matches[0].reasons


def test_salary_below_minimum_ranks_lower_but_is_kept() -> None:
    low = replace(BASE, id=1, salary_min=40000, salary_max=50000, salary_currency="GBP")
    high = replace(BASE, id=2, salary_min=80000, salary_max=90000, salary_currency="GBP")
    other_currency = replace(BASE, id=3, salary_min=10, salary_max=20, salary_currency="USD")
    results = run([low, high, other_currency], {"salary": {"minimum": 70000, "currency": "gbp"}})
    assert [m.posting_id for m in results.matches] == [2, 3, 1]
    assert any("below your 70,000 minimum" in r for r in results.matches[2].reasons)
    assert results.matches[1].factors["salary"] == 0.5


def test_untagged_postings_still_match_with_role_unknown() -> None:
    results = run([UNTAGGED], {"style": {"prefer": "empirical", "strength": 1}})
    (result,) = results.matches
    assert result.tags.kind is None
    assert result.factors["role"] == 0.5


def test_text_similarity_explains_shared_words() -> None:
    facts = [replace(BASE, id=1), replace(BASE, id=2)]
    docs = [
        "pytorch transformers sparse autoencoders evaluation",
        "grant accounting payroll budgets",
    ]
    results = run(facts, {"skills": ["pytorch", "autoencoders"]}, docs=docs)
    assert results.matches[0].posting_id == 1
    assert any("pytorch" in r and "similarity" in r for r in results.matches[0].reasons)


def test_weights_are_configurable() -> None:
    near = replace(BASE, id=1, deadline=TODAY + timedelta(days=3), areas=("governance",))
    far = replace(BASE, id=2, deadline=None, areas=("interpretability",))
    profile = {"areas": ["interpretability"]}
    assert run([near, far], profile).matches[0].posting_id == 2
    only_deadline = Weights(role=0, areas=0, text=0, seniority=0, salary=0, deadline=1)
    assert run([near, far], profile, weights=only_deadline).matches[0].posting_id == 1


def test_ties_break_by_posting_id_and_limit_applies() -> None:
    facts = [replace(BASE, id=i) for i in (5, 3, 4)]
    results = run(facts, {}, limit=2)
    assert [m.posting_id for m in results.matches] == [3, 4]
    assert results.eligible == 3


def test_empty_corpus_is_an_empty_result() -> None:
    results = rank(
        build_corpus([]), build_text_index([]), profile_from_dict({"name": "x"}), today=TODAY
    )
    assert results.matches == [] and results.considered == 0


@pytest.mark.parametrize(
    ("text", "phd", "years"),
    [
        ("No PhD required. 3+ years of software engineering experience.", 1, 3.0),
        ("A PhD in machine learning is required.", 3, None),
        ("PhD preferred; at least 5 years of relevant experience", 2, 5.0),
        ("We will teach you the ML you need.", 1, None),
        ("Write code and run experiments.", 0, None),
    ],
)
def test_requirements_read_from_text(text: str, phd: int, years: float | None) -> None:
    assert requirements(text) == (phd, years)


@pytest.mark.parametrize(
    ("location", "cities", "countries", "remote"),
    [
        ("London, UK", {"london"}, {"united kingdom"}, False),
        ("San Francisco, CA", {"san francisco"}, {"united states"}, False),
        ("Toronto, CA", {"toronto"}, {"canada"}, False),
        ("Cambridge, MA", {"cambridge"}, {"united states"}, False),
        ("Cambridge, UK", {"cambridge"}, {"united kingdom"}, False),
        ("Remote - U.K.", set(), {"united kingdom"}, True),
        ("Remote (US)", set(), {"united states"}, True),
        ("Berlin, DE", {"berlin"}, {"germany"}, False),
        ("Remote (US only)", set(), {"united states"}, True),
        ("UK-based", set(), {"united kingdom"}, False),
    ],
)
def test_location_keys(location: str, cities: set[str], countries: set[str], remote: bool) -> None:
    keys = location_keys(location)
    assert keys.cities == cities and keys.countries == countries and keys.remote is remote


def test_profile_places_use_their_most_specific_key() -> None:
    assert place_key("London") == "london"
    assert place_key("UK") == "united kingdom"
    assert place_key("Lagos") == "lagos"


def test_documented_json_shape_matches_the_results() -> None:
    import json
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "MATCHING.md").read_text()
    example = json.loads(re.search(r"```json\n(.*?)\n```", doc, re.S).group(1))  # type: ignore[union-attr]
    actual = run([BASE], {"areas": ["interpretability"]}).to_json()
    assert set(example) == set(actual)
    assert set(example["matches"][0]) == set(actual["matches"][0])
    assert set(example["matches"][0]["tags"]) == set(actual["matches"][0]["tags"])
    assert set(example["matches"][0]["checklist"][0]) == set(actual["matches"][0]["checklist"][0])
