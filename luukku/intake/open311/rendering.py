"""GeoReport's two formats, JSON and XML of one shape; errors as a list of {code, description}.

Plain dicts and lists go in; `LIST_ITEM_TAGS` names the XML element of each list's items, so
the XML follows the spec's examples (<service_requests><request>...</request></service_requests>).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")

# The element name of the items of each list, by the list's own element name.
LIST_ITEM_TAGS: dict[str, str] = {
    "service_requests": "request",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "media_urls": "media_url",
    "request_history": "event",
    "errors": "error",
}


# Characters XML 1.0 cannot carry at all, not even escaped: a customer's text may hold them.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML_RE.sub("\ufffd", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item_tag = LIST_ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(data: Any, *, fmt: str, xml_root: str, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under `xml_root`."""
    if fmt == "xml":
        return HttpResponse(to_xml(xml_root, data), content_type=XML_CONTENT_TYPE, status=status)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(
        body.encode("utf-8", "replace"), content_type=JSON_CONTENT_TYPE, status=status
    )


def render_error(status: int, description: str, *, fmt: str) -> HttpResponse:
    """GeoReport's error form: [{"code": 400, "description": "..."}], <errors><error>... in XML."""
    return render(
        [{"code": status, "description": description}], fmt=fmt, xml_root="errors", status=status
    )
