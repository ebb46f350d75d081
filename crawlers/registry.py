"""Sources as data: load ``crawlers/sources.toml`` and the user's overrides into SourceConfig.

A user file uses the same ``[[source]]`` tables. An entry whose ``id`` is already known is
merged over the bundled one (so ``{id = "anthropic", enabled = false}`` switches one off, and
``url = ...`` points one at another host); a new id adds a source. Validation errors name the
file, the entry and the field in one line.
"""

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crawlers.errors import SourceConfigError
from crawlers.platforms import PLATFORMS
from store.models import ORG_TYPES

KINDS = ("job", "internship", "fellowship", "course", "phd", "postdoc", "grant", "other")
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
# Platforms whose endpoint is fixed (the key or the index comes from elsewhere).
_NO_TOKEN_NEEDED = {"eightyk"}


class SourceConfig(BaseModel):
    """One source entry.

    Example::

        [[source]]
        id = "examplelab"             # snake_case, unique
        platform = "greenhouse"       # one of crawlers.platforms.PLATFORMS
        token = "examplelab"          # the board token / slug (or give url)
        url = "https://..."           # optional: overrides the platform's default endpoint
        organisation = "Example Lab"
        org_type = "frontier-lab"
        kind = "job"                  # default opportunity kind
        verified = false              # known only from a directory, not seen live
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    platform: str
    token: str | None = None
    url: str | None = None
    organisation: str = ""
    org_type: str = "nonprofit"
    kind: str = "job"
    verified: bool = True
    enabled: bool = True
    homepage: str | None = None
    notes: str = ""
    selectors: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _snake_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be snake_case: lower-case letters, digits and _")
        return value

    @field_validator("platform", "org_type", "kind")
    @classmethod
    def _in_vocabulary(cls, value: str, info: ValidationInfo) -> str:
        allowed = {"platform": sorted(PLATFORMS), "org_type": ORG_TYPES, "kind": KINDS}
        if value not in allowed[info.field_name or ""]:
            unknown = "unknown platform; " if info.field_name == "platform" else ""
            raise ValueError(f"{unknown}use one of {', '.join(allowed[info.field_name or ''])}")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @model_validator(mode="after")
    def _where_from(self) -> "SourceConfig":
        if not self.token and not self.url and self.platform not in _NO_TOKEN_NEEDED:
            raise ValueError("needs a token or a url")
        if self.platform == "html" and "link" not in self.selectors:
            raise ValueError("an html source needs selectors.link")
        return self

    def endpoint(self) -> str:
        """The listing URL this source is crawled at."""
        if self.url:
            return self.url
        platform = PLATFORMS[self.platform]()
        return platform.default_url(self.token or "")

    def config(self) -> dict[str, Any]:
        """Options the platform adapter reads (selectors and platform options)."""
        return {**self.options, "selectors": dict(self.selectors), "kind": self.kind}


def bundled_sources_path() -> Path:
    """The sources file shipped with the package."""
    return Path(__file__).resolve().parent / "sources.toml"


def _read_entries(path: Path) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(f"{path}: no such sources file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(f"{path}: not valid TOML ({exc})") from exc
    entries = data.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SourceConfigError(f"{path}: expected [[source]] tables")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry.get("id"), str):
            raise SourceConfigError(f"{path}: source #{number} has no id")
    return entries


def _validate(path: Path, entry: dict[str, Any]) -> SourceConfig:
    try:
        return SourceConfig.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "entry"
        message = first["msg"].removeprefix("Value error, ")
        raise SourceConfigError(f"{path}: source {entry.get('id')!r}: {where}: {message}") from exc


def load_sources(extra: Path | list[Path] | None = None) -> list[SourceConfig]:
    """The bundled sources, with each extra file merged over them in order."""
    merged: dict[str, tuple[Path, dict[str, Any]]] = {}
    bundled = bundled_sources_path()
    for entry in _read_entries(bundled):
        if entry["id"] in merged:
            raise SourceConfigError(f"{bundled}: source id {entry['id']!r} appears twice")
        merged[entry["id"]] = (bundled, entry)
    files = [extra] if isinstance(extra, Path) else list(extra or [])
    for path in files:
        seen: set[str] = set()
        for entry in _read_entries(path):
            if entry["id"] in seen:
                raise SourceConfigError(f"{path}: source id {entry['id']!r} appears twice")
            seen.add(entry["id"])
            base = merged.get(entry["id"], (path, {}))[1]
            merged[entry["id"]] = (path, {**base, **entry})
    return [_validate(path, entry) for path, entry in merged.values()]


def select_sources(sources: list[SourceConfig], ids: list[str]) -> list[SourceConfig]:
    """The sources with the given ids (all when ids is empty); unknown ids are an error."""
    if not ids:
        return sources
    known = {s.id: s for s in sources}
    missing = [i for i in ids if i not in known]
    if missing:
        raise SourceConfigError(f"unknown source id(s): {', '.join(missing)}")
    return [known[i] for i in ids]
