"""Shared helpers of the Open311 tests: the copied JSON Schemas, form posts, XML parsing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "/open311/v2"


def _registry() -> Registry:
    registry: Registry = Registry()
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        registry = registry.with_resource(
            path.name, Resource.from_contents(schema, default_specification=DRAFT4))
    return registry


REGISTRY = _registry()


def validate(schema_name: str, data: Any) -> None:
    """`data` against one of the copied schemas (a file name, or `swagger.json#Name`)."""
    if "#" in schema_name:
        swagger = json.loads((SCHEMAS / "swagger.json").read_text(encoding="utf-8"))
        schema = {"type": "array", "items": swagger["definitions"][schema_name.split("#")[1]]}
    else:
        schema = json.loads((SCHEMAS / schema_name).read_text(encoding="utf-8"))
    Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker()).validate(data)


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own answer, in a test)


def post(client: Client, fmt: str = "json", **fields: Any) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", fields)


def form(key: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "api_key": key, "service_code": "009-HW", "lat": "48.620812", "long": "22.287934",
        "description": "Третій день немає гарячої води в будинку.",
        "first_name": "Тарас", "last_name": "Шевченко", "email": "taras@example.com",
        "phone": "+380501234567", "device_id": "dev-1", "account_id": "acc-7",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}
