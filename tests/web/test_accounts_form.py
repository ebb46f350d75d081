"""The profile form's conversion both ways, for any valid profile (property-based)."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.profile import profile_from_dict
from web.accounts import profile_form

# Item text as people type it: letters, spaces, commas, dots, hyphens (no ; or line breaks,
# which separate items).
ITEM = (
    st.text(st.sampled_from("abcXYZ ,.-'é"), min_size=1, max_size=20)
    .map(str.strip)
    .filter(lambda s: bool(s.strip(" ,")) and not s.startswith(",") and not s.endswith(","))
)
ITEMS = st.lists(ITEM, max_size=4, unique=True)
MAYBE_BOOL = st.sampled_from([None, True, False])


@st.composite
def documents(draw: Any) -> dict[str, Any]:
    """Valid profile documents in the stored shape (ProfileDoc.model_dump)."""

    def subset(values: tuple[str, ...]) -> list[str]:
        return draw(st.lists(st.sampled_from(values), unique=True, max_size=len(values)))

    def pref(values: tuple[str, ...]) -> dict[str, Any] | None:
        if draw(st.booleans()):
            return None
        strength = draw(st.integers(0, 100)) / 100
        return {"prefer": draw(st.sampled_from(values)), "strength": strength}

    return {
        "name": draw(ITEM.filter(lambda s: "," not in s)),
        "email": draw(st.sampled_from([None, "a@example.org"])),
        "kinds": subset(profile_form.KINDS),
        "tracks": subset(profile_form.TRACKS),
        "areas": subset(profile_form.AREAS),
        "style": pref(profile_form.STYLES),
        "level": pref(profile_form.LEVELS),
        "location": {
            "places": draw(ITEMS),
            "remote_ok": draw(st.booleans()),
            "hybrid_ok": draw(st.booleans()),
        },
        "work_authorisation": {"countries": draw(ITEMS)},
        "experience": {
            "years": draw(st.one_of(st.none(), st.integers(0, 40).map(float))),
            "degree": draw(st.sampled_from([None, *profile_form.DEGREES])),
        },
        "salary": {
            "minimum": draw(st.one_of(st.none(), st.integers(0, 500000).map(float))),
            "currency": draw(st.sampled_from([None, "GBP", "USD"])),
        },
        "organisations": {
            "exclude": draw(ITEMS),
            "exclude_types": subset(profile_form.ORG_TYPES),
            "flag": draw(ITEMS),
        },
        "deadlines": {"within_days": draw(st.one_of(st.none(), st.integers(0, 400)))},
        "readiness": {name: draw(MAYBE_BOOL) for name in profile_form.READINESS},
        "skills": draw(ITEMS),
        "bio": draw(st.text(st.sampled_from("ab \n,."), max_size=30)).strip(),
    }


def _as_posted(values: dict[str, Any]) -> dict[str, list[str]]:
    """What a browser posts for the filled-in form: checked boxes only, every value a string."""
    posted: dict[str, list[str]] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                posted[name] = ["1"]
        elif isinstance(value, list):
            posted[name] = value
        else:
            posted[name] = [value]
    return posted


def _canonical(document: dict[str, Any]) -> dict[str, Any]:
    """The validated document; ticked boxes come back in vocabulary order, so order is moot."""
    out = profile_from_dict(document).model_dump(mode="json")
    for name in ("kinds", "tracks", "areas"):
        out[name] = sorted(out[name])
    out["organisations"]["exclude_types"] = sorted(out["organisations"]["exclude_types"])
    return out


@settings(max_examples=150, deadline=None)
@given(documents())
def test_form_shows_and_saves_any_profile_unchanged(document: dict[str, Any]) -> None:
    stored = _canonical(document)
    values = profile_form.document_to_form(stored)
    again = profile_form.form_to_document(_as_posted(values))
    assert _canonical(again) == stored
