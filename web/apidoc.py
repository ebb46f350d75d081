"""The OpenAPI description as plain data for a readable reference page (``/docs``).

FastAPI's own /docs is Swagger UI, a third-party script fetched from a CDN: blank offline, and
not something this site loads. ``describe`` turns ``app.openapi()`` into operations and schemas
that a server-rendered page lists, so the reference works without JavaScript or a network.
"""

from dataclasses import dataclass
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    """A parameter or a schema property."""

    name: str
    type: str
    required: bool
    description: str
    where: str = ""  # query, path, header (parameters only)


@dataclass(frozen=True)
class Operation:
    """One method on one path."""

    method: str
    path: str
    tag: str
    summary: str
    description: str
    parameters: list[Field]
    body: str | None
    responses: list[tuple[str, str]]  # (status, what comes back)

    @property
    def anchor(self) -> str:
        """A stable id for links within the page."""
        cleaned = "".join(c if c.isalnum() else "-" for c in self.path).strip("-")
        return f"{self.method}-{cleaned}"


@dataclass(frozen=True)
class Schema:
    """A named JSON shape."""

    name: str
    description: str
    fields: list[Field]


def type_of(schema: dict[str, Any]) -> str:
    """A short human name for a JSON schema ("list of PostingSummary", "string or null")."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(part) for part in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return "list of " + type_of(schema.get("items", {}))
    if kind == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        return "object of " + (type_of(values) if isinstance(values, dict) else "any")
    if kind is None:
        return "any"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def _body(operation: dict[str, Any]) -> str | None:
    content = operation.get("requestBody", {}).get("content", {})
    for media, spec in content.items():
        return f"{type_of(spec.get('schema', {}))} as {media}"
    return None


def _responses(operation: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for status, spec in operation.get("responses", {}).items():
        if status == "422":
            continue  # FastAPI's generic validation answer, on every route
        shapes = [
            f"{type_of(media.get('schema', {}))} ({name})"
            for name, media in spec.get("content", {}).items()
            if media.get("schema")
        ]
        text = spec.get("description", "")
        out.append((status, f"{text}: {', '.join(shapes)}" if shapes else text))
    return out


def _parameter(spec: dict[str, Any]) -> Field:
    return Field(
        name=spec["name"],
        type=type_of(spec.get("schema", {})),
        required=bool(spec.get("required")),
        description=spec.get("description", ""),
        where=spec.get("in", ""),
    )


def describe(openapi: dict[str, Any]) -> tuple[list[Operation], list[Schema]]:
    """The operations (in the description's order) and schemas (by name) of ``openapi``."""
    operations = []
    for path, item in openapi.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    tag=(spec.get("tags") or ["other"])[0],
                    summary=spec.get("summary", ""),
                    description=spec.get("description", ""),
                    parameters=[_parameter(p) for p in spec.get("parameters", [])],
                    body=_body(spec),
                    responses=_responses(spec),
                )
            )
    schemas = []
    for name, spec in sorted(openapi.get("components", {}).get("schemas", {}).items()):
        if name in ("HTTPValidationError", "ValidationError"):
            continue
        required = set(spec.get("required", []))
        fields = [
            Field(
                name=prop,
                type=type_of(details),
                required=prop in required,
                description=details.get("description", ""),
            )
            for prop, details in spec.get("properties", {}).items()
        ]
        schemas.append(Schema(name=name, description=spec.get("description", ""), fields=fields))
    return operations, schemas
