"""The writing side of the bulk generator: rows to the database in one statement per table
(COPY on PostgreSQL, executemany elsewhere) and audit events chained as `record()` chains them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from vikno.audit.actions import AuditAction
from vikno.audit.chain import event_hash
from vikno.audit.models import AuditChainHead, AuditEvent


def _plain(value: Any) -> Any:
    """What the JSON column gives back (as vikno.audit.services does before hashing)."""
    if value is None:
        return None
    try:
        return _plain_fast(value)
    except TypeError:  # anything but the plain types and dates: the JSON round trip
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


_SCALARS = (str, int, float, bool, type(None))


def _plain_fast(value: Any) -> Any:
    """The JSON round trip of DjangoJSONEncoder without the text, for what the events hold."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, str):  # the text choices: their text, as the encoder writes them
        return str.__str__(value)
    if kind is dict and all(type(k) is str for k in value):
        return {k: _plain_fast(v) for k, v in value.items()}
    if kind in (list, tuple):
        return [_plain_fast(v) for v in value]
    if kind is dt.date:
        return value.isoformat()
    raise TypeError(kind)


class _Chain:
    """The audit events of one batch, chained from the head read under its row lock."""

    def __init__(self, head: AuditChainHead) -> None:
        self.seq, self.last_hash = head.last_seq, head.last_hash
        self.events: list[dict[str, Any]] = []  # the fields of each event, in order

    def add(self, *, at: dt.datetime, actor: Any, action: AuditAction, obj: models.Model,
            label: str | None = None, before: dict[str, Any] | None = None,
            after: dict[str, Any] | None = None) -> None:
        meta = obj._meta
        fields: dict[str, Any] = {
            "seq": self.seq + 1, "occurred_at": at,
            "actor_id": getattr(actor, "pk", None),
            "actor_username": getattr(actor, "username", "") or ("" if actor else "system"),
            "actor_role": getattr(actor, "role", "") or "",
            "action": AuditAction(action).value,
            "object_type": f"{meta.app_label}.{meta.model_name}", "object_id": str(obj.pk),
            "object_label": (label if label is not None else str(obj))[:200],
            "before": _plain(before), "after": _plain(after), "prev_hash": self.last_hash,
        }
        fields["hash"] = event_hash(fields)
        self.events.append(fields)
        self.seq, self.last_hash = fields["seq"], fields["hash"]


Rows = dict[type[models.Model], list[models.Model]]
Step = Callable[["_Chain", Rows], None]




def _copying() -> bool:
    """PostgreSQL takes the rows by COPY (psycopg 3); other databases by INSERT."""
    return connection.vendor == "postgresql"


def _reserve_ids(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Give the rows their ids from the table's own sequence before COPY (which returns none)."""
    if not objs:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [model._meta.db_table, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk


Getter = Callable[[Any], Any]
_GETTERS: dict[tuple[type[models.Model], bool], tuple[list[str], list[Getter]]] = {}


def _getter(field: models.Field) -> Getter:  # type: ignore[type-arg]
    """The column's value of a row, as COPY's text takes it (no per-field preparation)."""
    attname, name = field.attname, field.name
    if field.is_relation:
        def related(obj: Any) -> Any:
            value = obj.__dict__[attname]
            if value is None:  # a row saved since the object was built (as bulk_create does)
                other = obj._state.fields_cache.get(name)
                value = None if other is None else other.pk
            return value
        return related
    if isinstance(field, models.JSONField):
        return lambda obj: None if (v := obj.__dict__[attname]) is None else json.dumps(v)
    return lambda obj: obj.__dict__[attname]


def _copy_rows(table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
    quote = connection.ops.quote_name
    # Table and column names from the models, quoted; the values go as COPY data.
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _save(model: type[models.Model], objs: Sequence[models.Model], *, ids: bool) -> None:
    """Write the rows; with `ids`, each object gets its id (later rows refer to it)."""
    if not objs:
        return
    if not _copying():
        if ids:
            model._default_manager.bulk_create(objs)
        else:
            _insert(model, objs)
        return
    if ids:
        _reserve_ids(model, objs)
    if (model, ids) not in _GETTERS:
        fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
        _GETTERS[model, ids] = ([f.column for f in fields], [_getter(f) for f in fields])
    columns, getters = _GETTERS[model, ids]
    _copy_rows(model._meta.db_table, columns,
               (tuple(get(obj) for get in getters) for obj in objs))


EVENT_COLUMNS = ("seq", "occurred_at", "actor_id", "actor_username", "actor_role", "action",
                 "object_type", "object_id", "object_label", "before", "after", "prev_hash",
                 "hash")


def _save_events(events: list[dict[str, Any]]) -> None:
    if not events:
        return
    if not _copying():
        _insert(AuditEvent, [AuditEvent(**fields) for fields in events])
        return
    json_columns = ("before", "after")

    def row(fields: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(None if (v := fields[c]) is None else json.dumps(v) if c in json_columns
                     else v for c in EVENT_COLUMNS)
    _copy_rows(AuditEvent._meta.db_table, EVENT_COLUMNS, (row(f) for f in events))


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT rows nobody in the batch refers to by id, in one executemany: bulk_create's SQL
    compilation per row is most of its cost, the values are prepared by the fields alike."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # Table and column names from the model, quoted; the values are parameters.
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    for obj in objs:  # the ids of related rows saved since (as bulk_create does)
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    values = [tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
              for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
