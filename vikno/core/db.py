"""Where a read goes: reports and analysis to the read replica, everything else to the primary.

A replica is configured by `DATABASE_REPLICA_URL` (the `replica` alias, config/settings.py); empty,
every query goes to the primary and `reporting()` changes nothing. The replica lags the primary by
a moment (streaming replication), so only reads that may see a slightly older state are sent
there, and only when they ask for it:

    with db.reporting():
        stats = selectors.statistics(...)

Writes always go to the primary, and so does every read made inside a transaction on the primary
(`transaction.atomic`): a transaction reads its own writes. Everything outside `reporting()` (the
queues, the card, registration, the audit trail) stays on the primary. See ADR 28.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.sql.subqueries import InsertQuery

REPLICA = "replica"

_reporting: ContextVar[bool] = ContextVar("vikno_db_reporting", default=False)


@contextmanager
def reporting() -> Iterator[None]:
    """Reads in this block may be served by the read replica (when one is configured)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias a read made here goes to: the replica inside `reporting()` outside any
    transaction on the primary, the primary otherwise."""
    if (_reporting.get() and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReportingRouter:
    """Django database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            # A related object of a row read from one database comes from the same one.
            return str(instance._state.db)
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None,
                      **hints: Any) -> bool:
        # The replica follows the primary's WAL; it is never migrated on its own.
        return db != REPLICA


def insert_sql(objs: Sequence[Model]) -> tuple[str, tuple[Any, ...]]:
    """PostgreSQL: the INSERT … RETURNING id that `bulk_create(objs)` would run (objects of one
    model, their ids unset), to be a part of a larger statement (after a WITH clause) that saves
    a round trip; pass the ids it returns to `inserted`."""
    model = type(objs[0])
    meta = model._meta
    query = InsertQuery(model)
    query.insert_values([f for f in meta.concrete_fields if not f.primary_key], list(objs))
    connection = connections[DEFAULT_DB_ALIAS]
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, params


def inserted(objs: Sequence[Model], ids: Sequence[Any]) -> None:
    """Mark `objs` saved with the `ids` their INSERT (insert_sql) returned, as a save would."""
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
