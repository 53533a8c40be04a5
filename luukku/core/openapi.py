"""The OpenAPI description of the REST API as it actually behaves.

- DRF reads query strings as HTML form input: an optional parameter sent empty (`?lang=`) is the
  same as one left out and takes its default. drf-spectacular does not say so, which makes a
  correct answer to `?lang=` look like a schema violation to clients and fuzzers, so every
  optional query parameter is marked `allowEmptyValue`, as the Open311 document does.
- Every throttled operation can answer 429; drf-spectacular documents only what a view declares.
- DRF refuses NUL characters in text (400): plain string inputs carry a pattern that says so.
- Opening hours and van stop times are local wall-clock times (Europe/Helsinki) without an
  offset, which OpenAPI's `format: time` (RFC 3339 full-time) does not allow: `LocalTimeField`
  documents them as what they are.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

THROTTLED = {
    "description": "Too many requests from this client: wait for the Retry-After seconds.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            }
        }
    },
}


class LuukkuAutoSchema(AutoSchema):
    """drf-spectacular's schema with empty optional query parameters allowed and 429 documented
    on throttled operations (see the module)."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
            _refuse_nul(parameter.get("schema", {}))
        if self.view.get_throttles():
            operation.setdefault("responses", {}).setdefault("429", THROTTLED)
        return operation

    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and isinstance(field, serializers.CharField):
            _refuse_nul(schema)
        return schema


# DRF's text fields refuse NUL characters (400); a plain string schema says so with a pattern.
NO_NUL = "^[^\\x00]*$"


def _refuse_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & schema.keys():
        schema["pattern"] = NO_NUL


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
        "description": "Local time in Finland (Europe/Helsinki), without an offset.",
        "example": "09:00:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of day, documented without the offset `format: time` would demand."""
