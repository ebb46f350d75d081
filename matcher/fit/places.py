"""Place names: turn "London, UK" or "Remote (US)" into keys a profile's places can meet.

A posting location becomes a set of keys: the cities it names, its countries (named, or implied
by a known city or a US state), and any other part as written. A profile place becomes one key,
its most specific one, so "London" meets "London, UK" and "United Kingdom" meets "London".
The gazetteer is data (places.toml), loaded once on first use.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

GAZETTEER = Path(__file__).with_name("places.toml")
_SPLIT = re.compile(r"[,;/|()\[\]]|\s+-\s+|\s+–\s+")
_REMOTE = re.compile(r"\b(remote|anywhere|distributed|work from home|wfh)\b")
# Words around a place that do not name one: "Remote (US only)", "UK-based", "within the EU".
_FILLER = re.compile(r"\b(only|based|within|the|first|preferred|timezones?|time zones?|hours?)\b")


@dataclass(frozen=True)
class Gazetteer:
    """Country aliases, cities with their country, and US state markers."""

    country_of_alias: dict[str, str]
    country_of_city: dict[str, str]
    us_states: frozenset[str]
    ambiguous: frozenset[str]  # two-letter codes that are both a country alias and a US state


@cache
def gazetteer() -> Gazetteer:
    """The bundled gazetteer (read once)."""
    data = tomllib.loads(GAZETTEER.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    for country, names in data["countries"].items():
        aliases[country] = country
        for name in names:
            aliases[name] = country
    cities = dict(data["cities"])
    # Parts lose their trailing dot when split ("U.K." -> "u.k"), so index that spelling too.
    aliases |= {name.strip("."): country for name, country in aliases.items()}
    cities |= {name.strip("."): country for name, country in cities.items()}
    states = frozenset(data["us_states"]["codes"]) | frozenset(data["us_states"]["names"])
    ambiguous = frozenset(code for code in data["us_states"]["codes"] if code in aliases)
    return Gazetteer(aliases, cities, states, ambiguous)


def _parts(text: str) -> list[str]:
    cleaned = _FILLER.sub(" ", _REMOTE.sub(" ", text.lower()))
    parts = (
        " ".join(part.replace(".", ". ").split()).strip(" .-") for part in _SPLIT.split(cleaned)
    )
    return [part for part in parts if part]


def _canon(part: str) -> str:
    # "u. k." and "u.k." both become "u.k." so dotted abbreviations hit the alias table.
    return part.replace(". ", ".").strip() if "." in part else part


@dataclass(frozen=True)
class PlaceKeys:
    """What one posting location says: cities, countries, other names, and remote."""

    cities: frozenset[str]
    countries: frozenset[str]
    others: frozenset[str]
    remote: bool

    @property
    def keys(self) -> frozenset[str]:
        """Every key a profile place may meet."""
        return self.cities | self.countries | self.others


@lru_cache(maxsize=65536)  # postings repeat a few hundred location strings many times over
def location_keys(text: str) -> PlaceKeys:
    """Parse one location string ("San Francisco, CA", "Remote - UK") into keys."""
    gaz = gazetteer()
    parts = [_canon(part) for part in _parts(text)]
    cities: set[str] = set()
    named: set[str] = set()
    implied: set[str] = set()
    others: set[str] = set()
    codes: list[str] = []
    us_state = False
    for part in parts:
        if part in gaz.ambiguous:
            codes.append(part)
        elif part in gaz.country_of_city:
            cities.add(part)
            implied.add(gaz.country_of_city[part])
        elif part in gaz.country_of_alias:
            named.add(gaz.country_of_alias[part])
        elif part in gaz.us_states:
            us_state = True
        else:
            others.add(part)
    us_city = "united states" in implied
    for code in codes:
        # "CA" after a US city (or beside another state) is California; alone it is Canada.
        if us_city or us_state or "united states" in named:
            us_state = True
        else:
            named.add(gaz.country_of_alias[code])
    if us_state:
        named.add("united states")
    countries = named or implied
    return PlaceKeys(
        frozenset(cities),
        frozenset(countries),
        frozenset(others),
        bool(_REMOTE.search(text.lower())),
    )


def place_key(place: str) -> str:
    """The key of a place a person names in a profile: the city if known, else the country."""
    keys = location_keys(place)
    if keys.cities:
        return sorted(keys.cities)[0]
    if keys.countries and not keys.others:
        return sorted(keys.countries)[0]
    return " ".join(place.lower().split())


def country_key(name: str) -> str:
    """The canonical country for a name a person gives ("UK" -> "united kingdom")."""
    canon = _canon(" ".join(name.lower().split()).strip(" ."))
    return gazetteer().country_of_alias.get(canon, canon)
