"""GeoReport's two formats. Every answer is a list (or, for discovery and a service definition,
one object) of plain values: JSON as is, XML as the spec's elements: a root, one child element
per item, one element per field, lists nested under their singular (`attributes/attribute`).
None is an empty element in XML and null in JSON; UTF-8 throughout.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)

# The element of one item of a nested list, by the list's name.
_ITEM = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute",
         "values": "value"}


def w3c(moment: datetime | None, zone: tzinfo | None = None) -> str | None:
    """A moment as the spec writes it (W3C date-time with the offset), in local time (`zone`:
    the current time zone, looked up once for a list)."""
    if moment is None:
        return None
    return moment.astimezone(zone or timezone.get_current_timezone()).isoformat(
        timespec="seconds")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(element, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(child, key, item)
    elif isinstance(value, list):
        for item in value:
            _fill(child, _ITEM.get(name, "item"), item)
    else:
        child.text = _text(value)


def xml_bytes(root: str, item: str | None, data: Any) -> bytes:
    """`data` (a list of dicts under `item`, or one dict when `item` is None) under `root`."""
    top = ET.Element(root)
    if item is None:
        for key, value in data.items():
            _fill(top, key, value)
    else:
        for row in data:
            _fill(top, item, row)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def respond(fmt: str, data: Any, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == XML:
        return HttpResponse(xml_bytes(root, item, data), status=status,
                            content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(data, ensure_ascii=False, default=_default), status=status,
                        content_type="application/json; charset=utf-8")


def errors(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error answer: a list of {code, description}, XML `errors/error`."""
    return respond(fmt, [{"code": status, "description": description}], root="errors",
                   item="error", status=status)
