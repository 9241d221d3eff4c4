"""Keyset pages: the rows after (or before) a row in a list's order, read from the order's index
instead of counting past an OFFSET (ADR lists).

An order is a list of Key (a field, its direction, where its empty values go). A cursor is the
boundary row's values of those keys, in a URL-safe token: codes, dates and ids only (the lists'
orders carry no personal data)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import F, OrderBy, Q


@dataclass(frozen=True)
class Key:
    field: str
    descending: bool = False
    # Where empty values go: True last, False first, None as the database orders them by default.
    nulls_last: bool | None = None
    nullable: bool = False

    def empties_last(self) -> bool:
        if self.nulls_last is not None:
            return self.nulls_last
        # PostgreSQL sorts NULL above every value, SQLite below.
        big = connection.vendor != "sqlite"
        return big != self.descending

    def reversed(self) -> Key:
        return Key(self.field, not self.descending, not self.empties_last(), self.nullable)

    def order_by(self) -> OrderBy:
        nulls = ({"nulls_last": True} if self.empties_last() else {"nulls_first": True}
                 ) if self.nullable else {}
        return F(self.field).desc(**nulls) if self.descending else F(self.field).asc(**nulls)


def after_q(keys: list[Key], values: list[Any]) -> Q:
    """The rows strictly after `values` in the order of `keys` (the last key is unique)."""
    terms: list[Q] = []
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        if value is None:
            beyond = None if key.empties_last() else Q(**{f"{key.field}__isnull": False})
            same = Q(**{f"{key.field}__isnull": True})
        else:
            beyond = Q(**{f"{key.field}__{'lt' if key.descending else 'gt'}": value})
            if key.nullable and key.empties_last():
                beyond |= Q(**{f"{key.field}__isnull": True})
            same = Q(**{key.field: value})
        if beyond is not None:
            terms.append(equal & beyond)
        equal &= same
    cond = Q(pk__in=[])
    for term in terms:
        cond |= term
    first, start = keys[0], values[0]
    if not first.nullable and start is not None:
        # The same bound on the first key alone: a range the order's index starts from.
        cond &= Q(**{f"{first.field}__{'lte' if first.descending else 'gte'}": start})
    return cond


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (kind, text), = value.items()
        if kind == "t":
            return datetime.fromisoformat(text)
        if kind == "d":
            return date.fromisoformat(text)
        raise ValueError(kind)
    if value is None or isinstance(value, bool | int | str):
        return value
    raise ValueError(value)


def token(row: Any, keys: list[Key]) -> str:
    """The cursor of `row` in the order of `keys`."""
    data = json.dumps([_plain(getattr(row, key.field)) for key in keys], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def values_of(text: str, keys: list[Key]) -> list[Any] | None:
    """The values of a cursor, or None when it is not one of this order (a stale or edited URL:
    the list then opens on its first page)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(data, list) or len(data) != len(keys):
            return None
        return [_typed(v) for v in data]
    except (ValueError, TypeError):
        return None
