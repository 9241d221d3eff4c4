"""Hashing of audit events: canonical JSON of the event's content plus the previous hash."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "prev_hash",
)


def event_hash(fields: dict[str, Any]) -> str:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    occurred = payload["occurred_at"]
    if isinstance(occurred, datetime):
        payload["occurred_at"] = occurred.timestamp()
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
