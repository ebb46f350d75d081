"""Profiles: the documented example loads, and every kind of mistake names its field."""

from pathlib import Path

import pytest

from matcher.errors import ProfileError
from matcher.profile import ProfileDoc, load_profile, profile_from_dict

EXAMPLE = Path(__file__).parents[2] / "examples" / "profile.toml"


def test_example_profile_loads_with_every_section() -> None:
    profile = load_profile(EXAMPLE)
    assert profile.name == "Sam Example"
    assert profile.kinds == ["job", "fellowship", "internship"]
    assert profile.style is not None and profile.style.prefer == "empirical"
    assert profile.location.places == ["London", "United Kingdom", "Oxford"]
    assert profile.work_authorisation.countries == ["United Kingdom"]
    assert profile.experience.degree == "masters"
    assert profile.salary.currency == "GBP"
    assert profile.deadlines.within_days == 120
    assert profile.readiness.can_reproduce_ml_paper is True
    assert "pytorch" in profile.skills and "sparse" in profile.bio


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "x", "style": {"prefer": "emp"}},
            "style.prefer: must be empirical, theoretical or either",
        ),
        (
            {"name": "x", "level": {"prefer": "boss"}},
            "level.prefer: must be lead, contributor or either",
        ),
        ({"name": "x", "kinds": ["job", "jobs"]}, "kinds[1]: must be job, internship,"),
        ({"name": "x", "areas": ["alignment"]}, "areas[0]: must be interpretability,"),
        ({"name": "x", "style": {"strength": 2}}, "style.strength: must be at most 1"),
        (
            {"name": "x", "experience": {"degree": "MSc"}},
            "experience.degree: must be none, bachelors, masters or phd",
        ),
        ({"name": "x", "experience": {"years": -1}}, "experience.years: must be at least 0"),
        ({"name": "x", "email": "not an address"}, "email: must be an email address"),
        (
            {"name": "x", "organisations": {"exclude_types": ["lab"]}},
            "organisations.exclude_types[0]: must be frontier-lab,",
        ),
        ({"name": "x", "colour": "blue"}, "colour: is not a profile field"),
        ({"name": "x", "readiness": {"bio": "hi"}}, "readiness.bio: bio belongs at the top level"),
        ({"name": "  "}, "name: must not be blank"),
        ({}, "name: is required"),
        ({"name": "x", "skills": "python"}, "skills: must be a valid list"),
    ],
)
def test_invalid_profiles_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError) as caught:
        profile_from_dict(data, source="profile.toml")
    text = str(caught.value)
    assert text.startswith("profile.toml: ")
    assert message in text
    assert "\n" not in text


def test_invalid_toml_gives_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "me.toml"
    bad.write_text('name = "x"\nkinds = job\n')
    with pytest.raises(ProfileError, match=r"me\.toml: invalid TOML: .*line 2"):
        load_profile(bad)


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(tmp_path / "nope.toml")


def test_deadline_limit_accepts_none_word() -> None:
    assert (
        profile_from_dict({"name": "x", "deadlines": {"within_days": "none"}}).deadlines.within_days
        is None
    )


def test_readiness_sets_unstated_preferences() -> None:
    empirical = profile_from_dict(
        {
            "name": "x",
            "readiness": {"can_reproduce_ml_paper": True, "first_author_publications": False},
        }
    )
    assert empirical.effective_style()[0].prefer == "empirical"
    assert empirical.effective_style()[1] == "readiness"
    assert empirical.effective_level()[0].prefer == "contributor"
    theory = profile_from_dict(
        {
            "name": "x",
            "readiness": {"strong_theory_background": True, "first_author_publications": True},
        }
    )
    assert theory.effective_style()[0].prefer == "theoretical"
    assert theory.effective_level()[0].prefer == "lead"
    silent = profile_from_dict({"name": "x"})
    assert silent.effective_style()[0].prefer == "either"
    assert silent.effective_level()[1] == "none"


def test_stated_preference_beats_readiness() -> None:
    profile = profile_from_dict(
        {
            "name": "x",
            "style": {"prefer": "theoretical", "strength": 0.9},
            "readiness": {"can_reproduce_ml_paper": True},
        }
    )
    assert profile.effective_style() == (profile.style, "stated")


def test_round_trip_through_json_keeps_the_profile() -> None:
    profile = load_profile(EXAMPLE)
    assert ProfileDoc.model_validate(profile.model_dump(mode="json")) == profile
