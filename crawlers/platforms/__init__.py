"""One adapter per platform family, looked up by name (``get_platform``)."""

from crawlers.errors import SourceConfigError
from crawlers.platforms.aisafety import AISafety
from crawlers.platforms.ashby import Ashby
from crawlers.platforms.base import Platform
from crawlers.platforms.eightyk import EightyK
from crawlers.platforms.feed import Feed
from crawlers.platforms.greenhouse import Greenhouse
from crawlers.platforms.html import Html
from crawlers.platforms.jsonld import JsonLd
from crawlers.platforms.lever import Lever
from crawlers.platforms.personio import Personio
from crawlers.platforms.recruitee import Recruitee
from crawlers.platforms.smartrecruiters import SmartRecruiters
from crawlers.platforms.teamtailor import Teamtailor
from crawlers.platforms.workable import Workable

PLATFORMS: dict[str, type[Platform]] = {
    cls.name: cls
    for cls in (
        Greenhouse, Lever, Ashby, Workable, SmartRecruiters, Recruitee, Personio, Teamtailor,
        JsonLd, AISafety, EightyK, Feed, Html,
    )
}  # fmt: skip


def get_platform(name: str) -> Platform:
    """A fresh adapter for a platform name, or SourceConfigError listing the known ones."""
    try:
        return PLATFORMS[name]()
    except KeyError:
        known = ", ".join(sorted(PLATFORMS))
        raise SourceConfigError(f"unknown platform {name!r}: use one of {known}") from None
