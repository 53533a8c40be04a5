"""The OpenAPI 3 document of the Open311 API, served at /open311/v2/openapi.json.

Written out here rather than generated: the API is plain Django views with GeoReport's fixed
shapes, and every endpoint exists once per format (.json, .xml) with its own media type.
The schemathesis run in the test suite checks the API against this document.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from luukku.core.openapi import NO_NUL

from ..models import ServiceAttribute, ServiceRequest
from .params import MAX_PAGE_SIZE, MAX_RADIUS_M
from .views import FIELD_LIMITS

MEDIA_TYPES = {"json": "application/json", "xml": "text/xml"}

_string = {"type": "string"}
_nullable_string = {"type": "string", "nullable": True}
_datetime = {"type": "string", "format": "date-time"}
# Input text: any characters but NUL, which the server refuses in every parameter (400).
_text = {"type": "string", "pattern": NO_NUL}

SCHEMAS: dict[str, Any] = {
    "Errors": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": _string},
        },
    },
    "Discovery": {
        "type": "object",
        "required": ["changeset", "endpoints"],
        "properties": {
            "changeset": _datetime,
            "contact": _string,
            "key_service": _string,
            "endpoints": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["specification", "url", "type", "formats"],
                    "properties": {
                        "specification": _string,
                        "url": _string,
                        "changeset": _datetime,
                        "type": {"type": "string", "enum": ["production", "test"]},
                        "formats": {"type": "array", "items": _string},
                    },
                },
            },
        },
    },
    "Service": {
        "type": "object",
        "required": ["service_code", "service_name", "type", "metadata"],
        "properties": {
            "service_code": _string,
            "service_name": _string,
            "description": _string,
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": _string,
            "group": _string,
        },
    },
    "ServiceDefinition": {
        "type": "object",
        "required": ["service_code", "attributes"],
        "properties": {
            "service_code": _string,
            "attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["variable", "code", "datatype", "required", "order"],
                    "properties": {
                        "variable": {"type": "boolean"},
                        "code": _string,
                        "datatype": {"type": "string", "enum": ServiceAttribute.Datatype.values},
                        "required": {"type": "boolean"},
                        "datatype_description": _string,
                        "order": {"type": "integer"},
                        "description": _string,
                        "values": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["key", "name"],
                                "properties": {"key": _string, "name": _string},
                            },
                        },
                    },
                },
            },
        },
    },
    "Request": {
        "type": "object",
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": _string,
            "status": {"type": "string", "enum": ServiceRequest.Status.values},
            "status_notes": _string,
            "service_name": _string,
            "service_code": _string,
            "description": _string,
            "agency_responsible": _string,
            "service_notice": _string,
            "requested_datetime": _datetime,
            "updated_datetime": {**_datetime, "nullable": True},
            "expected_datetime": {**_datetime, "nullable": True},
            "address": _string,
            "address_id": _string,
            "zipcode": _string,
            "lat": {"type": "number", "nullable": True},
            "long": {"type": "number", "nullable": True},
            "media_url": _string,
            "title": _string,
            "media_urls": {"type": "array", "items": _string},
            "service_object_id": _string,
            "service_object_type": _string,
            "detailed_status": {
                "type": "string",
                "enum": ServiceRequest.DetailedStatus.values,
            },
            "merged_into": _string,
            "request_history": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["time", "status"],
                    "properties": {
                        "time": _datetime,
                        "status": _string,
                        "note": _string,
                        "handler": _string,
                    },
                },
            },
            "extended_attributes": {"type": "object"},
        },
    },
    "Requests": {"type": "array", "items": {"$ref": "#/components/schemas/Request"}},
    "Created": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id"],
            "properties": {
                "service_request_id": _string,
                "service_notice": _string,
                "account_id": _string,
            },
        },
    },
    "Token": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id", "token"],
            "properties": {"service_request_id": _string, "token": _string},
        },
    },
}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        # GeoReport: an empty parameter is the same as a missing one.
        "allowEmptyValue": True,
        "schema": schema or _text,
    }


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _text}


COMMON_PARAMETERS = [
    _query("jurisdiction_id", "Optional; must be one of this server's jurisdictions (404)."),
    _query("locale", "fi, sv or en (en_GB, sv-FI...); default en, texts fall back to Finnish."),
]

_number = {"type": "number"}
LIST_PARAMETERS = [
    _query("service_request_id", "Comma-separated ids; overrides every other filter."),
    _query("service_code", "Comma-separated service codes."),
    _query("start_date", "Earliest requested_datetime (W3C).", _datetime),
    _query(
        "end_date", "Latest requested_datetime (W3C); at most 90 days after start_date.", _datetime
    ),
    _query("status", "open, closed or both, comma-separated."),
    _query("extensions", "true adds the CitySDK and 6Aika fields.", {"type": "boolean"}),
    _query("updated_after", "Updated at or after (W3C).", _datetime),
    _query("updated_before", "Updated at or before (W3C).", _datetime),
    _query(
        "lat",
        "Centre latitude for radius; only together with long (400 otherwise).",
        {**_number, "minimum": -90, "maximum": 90},
    ),
    _query(
        "long",
        "Centre longitude for radius; only together with lat (400 otherwise).",
        {**_number, "minimum": -180, "maximum": 180},
    ),
    _query(
        "radius",
        "Metres from lat, long (default 1000).",
        {**_number, "minimum": 0, "maximum": MAX_RADIUS_M},
    ),
    _query("bbox", "left,bottom,right,top in degrees."),
    _query("service_object_id", "Exact service object id."),
    _query("service_object_type", "Exact service object type."),
    _query("agency_responsible", "Organisation identifier or name."),
    _query("search", "Words that must all appear in the description, title or address."),
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 1_000_000}),
    _query(
        "page_size",
        f"Requests per page, at most {MAX_PAGE_SIZE} (the default).",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    ),
]


def _content(fmt: str, schema_name: str) -> dict[str, Any]:
    if fmt == "xml":
        return {MEDIA_TYPES["xml"]: {"schema": {"type": "string"}}}
    return {MEDIA_TYPES["json"]: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _responses(fmt: str, ok_schema: str, *codes: int) -> dict[str, Any]:
    descriptions = {
        400: "A parameter is missing or malformed.",
        403: "api_key is missing or not valid.",
        404: "Unknown id, code, token or jurisdiction.",
        429: "Too many requests from this address or key.",
    }
    responses: dict[str, Any] = {"200": {"description": "OK", "content": _content(fmt, ok_schema)}}
    for code in codes:
        responses[str(code)] = {
            "description": descriptions[code],
            "content": _content(fmt, "Errors"),
        }
    return responses


def _post_body() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "api_key": {**_text, "minLength": 1},
        "service_code": {**_text, "minLength": 1},
        "jurisdiction_id": _text,
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "kind": {"type": "string", "enum": ServiceRequest.Kind.values},
        "idempotency_key": {**_text, "maxLength": 200},
    }
    for name, limit in FIELD_LIMITS.items():
        properties[name] = {**_text, "maxLength": limit}
    properties["description"]["minLength"] = 1
    required = ["api_key", "service_code", "description"]
    # Other fields (a service definition's attribute[code], or unknown ones) are read as text.
    extra = _text
    multipart = {
        **properties,
        "media[]": {"type": "array", "items": {"type": "string", "format": "binary"}},
    }
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": required,
                    "properties": properties,
                    "additionalProperties": extra,
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": required,
                    "properties": multipart,
                    "additionalProperties": extra,
                }
            },
        },
    }


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for fmt in ("json", "xml"):
        paths[f"/discovery.{fmt}"] = {
            "get": {
                "summary": "Service discovery",
                "operationId": f"discovery_{fmt}",
                "parameters": COMMON_PARAMETERS,
                "responses": _responses(fmt, "Discovery", 400, 404, 429),
            }
        }
        paths[f"/services.{fmt}"] = {
            "get": {
                "summary": "Services that accept feedback",
                "operationId": f"services_{fmt}",
                "parameters": COMMON_PARAMETERS,
                "responses": _responses(fmt, "Service_list", 400, 404, 429),
            }
        }
        paths[f"/services/{{service_code}}.{fmt}"] = {
            "get": {
                "summary": "Service definition",
                "operationId": f"service_definition_{fmt}",
                "parameters": [_path("service_code"), *COMMON_PARAMETERS],
                "responses": _responses(fmt, "ServiceDefinition", 400, 404, 429),
            }
        }
        paths[f"/requests.{fmt}"] = {
            "get": {
                "summary": "Public requests, newest first",
                "operationId": f"requests_{fmt}",
                "parameters": [*COMMON_PARAMETERS, *LIST_PARAMETERS],
                "responses": _responses(fmt, "Requests", 400, 404, 429),
            },
            "post": {
                "summary": "Submit a request (api_key required; Idempotency-Key header honoured)",
                "operationId": f"create_request_{fmt}",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 200},
                    }
                ],
                "requestBody": _post_body(),
                "responses": _responses(fmt, "Created", 400, 403, 404, 429),
            },
        }
        paths[f"/requests/{{service_request_id}}.{fmt}"] = {
            "get": {
                "summary": "One request by its id",
                "operationId": f"request_{fmt}",
                "parameters": [
                    _path("service_request_id"),
                    *COMMON_PARAMETERS,
                    LIST_PARAMETERS[5],
                ],
                "responses": _responses(fmt, "Requests", 400, 404, 429),
            }
        }
        paths[f"/tokens/{{token}}.{fmt}"] = {
            "get": {
                "summary": "The request id for a token",
                "operationId": f"token_{fmt}",
                "parameters": [_path("token"), *COMMON_PARAMETERS],
                "responses": _responses(fmt, "Token", 400, 404, 429),
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Luukku Open311 API",
            "version": "2",
            "description": (
                "Open311 GeoReport v2 with the CitySDK and 6Aika Issue Reporting extensions."
            ),
        },
        "servers": [{"url": "/open311/v2"}],
        "paths": paths,
        "components": {
            "schemas": {
                **SCHEMAS,
                "Service_list": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Service"},
                },
            }
        },
    }


def openapi_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})
