"""The OpenAPI description of query parameters as the API actually reads them.

DRF reads query strings as HTML form input: an optional parameter sent empty (`?lang=`) is the
same as one left out and takes its default. drf-spectacular does not say so, which makes a
correct answer to `?lang=` look like a schema violation to clients and fuzzers. This schema
class marks every optional query parameter `allowEmptyValue`, as the Open311 document does.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema


class FormQueryAutoSchema(AutoSchema):
    """drf-spectacular's schema, with empty optional query parameters documented as allowed."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return operation
