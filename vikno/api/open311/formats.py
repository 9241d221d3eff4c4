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
from xml.sax.saxutils import escape

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


# Characters XML 1.0 cannot carry at all (C0 controls but tab and line breaks, U+FFFE/U+FFFF):
# dropped from text an answer echoes (account_id), so that the document still parses.
_NOT_XML = dict.fromkeys([*(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)), 0xFFFE,
                          0xFFFF])


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).translate(_NOT_XML)


def _write(out: list[str], name: str, value: Any) -> None:
    """One element, written as text: a list of a thousand requests is 17,000 elements, which
    ElementTree builds as objects first at twice the cost."""
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _write(out, key, item)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        out.append(f"<{name}>")
        for item in value:
            _write(out, _ITEM.get(name, "item"), item)
        out.append(f"</{name}>")
    else:
        text = _text(value)
        out.append(f"<{name} />" if text is None else f"<{name}>{escape(text)}</{name}>")


def xml_bytes(root: str, item: str | None, data: Any) -> bytes:
    """`data` (a list of dicts under `item`, or one dict when `item` is None) under `root`."""
    out = ["<?xml version='1.0' encoding='utf-8'?>\n", f"<{root}>"]
    for key, value in (data.items() if item is None else ((item, row) for row in data)):
        _write(out, key, value)
    out.append(f"</{root}>")
    return "".join(out).encode("utf-8", "surrogatepass")


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
