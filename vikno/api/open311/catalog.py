"""Services (GeoReport's request types) are the active sub-topics of the classifier, grouped by
their Part II topic; their extra questions (attributes) are data, in
data/reference/open311_attributes.json (ADR 0032)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from vikno.directory import refcache
from vikno.directory.models import SubTopic
from vikno.directory.selectors import subtopics_active

ATTRIBUTES_FILE = Path("data") / "reference" / "open311_attributes.json"


@lru_cache(maxsize=1)
def _attribute_table() -> dict[str, list[dict[str, Any]]]:
    data = json.loads((Path(settings.BASE_DIR) / ATTRIBUTES_FILE).read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def attributes_of(subtopic: SubTopic) -> list[dict[str, Any]]:
    """The service's attributes: the sub-topic's own, else its parent's, else its topic's."""
    table = _attribute_table()
    parent = subtopic.parent.code if subtopic.parent_id else None  # type: ignore[union-attr]
    for key in (subtopic.code, parent, subtopic.topic.code):
        if key and key in table:
            return [{"variable": True, "required": False, "order": None,
                     "datatype_description": None, "description": None, **attribute}
                    for attribute in table[key]]
    return []


def service_entry(subtopic: SubTopic) -> dict[str, Any]:
    keywords = [subtopic.parent.name] if subtopic.parent_id else []  # type: ignore[union-attr]
    return {
        "service_code": subtopic.code,
        "service_name": subtopic.name,
        "description": subtopic.name,
        "metadata": bool(attributes_of(subtopic)),
        "type": "realtime",
        "keywords": ", ".join([*keywords, subtopic.topic.name]),
        "group": subtopic.topic.name,
    }


def services() -> list[dict[str, Any]]:
    """Kept per process until the reference data changes (refcache: a load or an admin edit
    forgets it)."""
    return list(refcache.kept(("open311_services",), lambda: tuple(
        service_entry(subtopic) for subtopic in subtopics_active())))


def service(code: str) -> SubTopic | None:
    found = subtopics_active(code=code) if code and len(code) <= 20 else []
    return found[0] if found else None


def service_definition(subtopic: SubTopic) -> dict[str, Any]:
    attributes = []
    for attribute in attributes_of(subtopic):
        entry = {key: attribute[key] for key in ("variable", "code", "datatype", "required",
                                                 "datatype_description", "order", "description")}
        if "values" in attribute:
            entry["values"] = attribute["values"]
        attributes.append(entry)
    return {"service_code": subtopic.code, "attributes": attributes}
