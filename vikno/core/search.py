"""Case- and apostrophe-insensitive matching that behaves the same on SQLite and PostgreSQL.

SQLite's own lower() and LIKE fold ASCII letters only, so "Шевченко" would not match "шевченко".
`Fold(expr)` lowers text with Python's Unicode rules on SQLite (a function registered on every new
connection) and with lower() on PostgreSQL; apostrophe variants (’ ` ʼ) are folded to one.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

APOSTROPHES = "’`ʼ‘"


def fold(value: str) -> str:
    text = (value or "").lower()
    for ch in APOSTROPHES:
        text = text.replace(ch, "'")
    return text


class Fold(Func):
    function = "lower"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="vikno_fold", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = super().as_sql(compiler, connection, function="lower", **extra)
        return f"translate({sql}, %s, %s)", (*params, APOSTROPHES, "'" * len(APOSTROPHES))


def _register_sqlite_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("vikno_fold", 1, fold, deterministic=True)


connection_created.connect(_register_sqlite_fold, dispatch_uid="vikno_fold")
