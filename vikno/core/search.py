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


UKRAINIAN_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(UKRAINIAN_ALPHABET)}
_AFTER_UNICODE = 0x110000  # ranks above every code point: letters come after spaces and digits


def uk_sort_key(value: str) -> tuple[tuple[int, ...], str]:
    """Ukrainian alphabetical order (Є after Е, І after И, Ї after І, the apostrophe ignored),
    the same on SQLite and PostgreSQL, whose collations order Cyrillic by code point or by the
    server's locale. Other letters follow the Ukrainian ones; the text itself breaks ties."""
    ranks = []
    for ch in fold(value).replace("'", ""):
        if ch in _LETTER_RANK:
            ranks.append(_AFTER_UNICODE + _LETTER_RANK[ch])
        elif ch.isalpha():
            ranks.append(2 * _AFTER_UNICODE + ord(ch))
        else:
            ranks.append(ord(ch))
    return tuple(ranks), value


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
