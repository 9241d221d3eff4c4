"""The writing side of the bulk generator: rows to the database in one statement per table
(COPY on PostgreSQL, executemany elsewhere) and audit events chained as `record()` chains them."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from psycopg.copy import FileWriter

from vikno.appeals.models import RegistrationCounter
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.core import clock


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


_NESTED = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=str).encode
_TEXT = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes for a str


def _json(value: Any) -> str:
    """json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    without its per-call set-up, for the values of an event."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is str:
        return _TEXT(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return float.__repr__(value)
    return _NESTED(value)


def fast_event_hash(fields: dict[str, Any]) -> str:
    """`audit.chain.event_hash` of plain fields, byte for byte: the canonical JSON (sorted keys,
    compact) written directly instead of through json.dumps' general path."""
    occurred = fields["occurred_at"]
    if isinstance(occurred, dt.datetime):
        occurred = occurred.timestamp()
    text = (f'{{"action":{_json(fields["action"])},"actor_id":{_json(fields["actor_id"])},'
            f'"actor_role":{_json(fields["actor_role"])},'
            f'"actor_username":{_json(fields["actor_username"])},'
            f'"after":{_json(fields["after"])},"before":{_json(fields["before"])},'
            f'"object_id":{_json(fields["object_id"])},'
            f'"object_label":{_json(fields["object_label"])},'
            f'"object_type":{_json(fields["object_type"])},"occurred_at":{_json(occurred)},'
            f'"prev_hash":{_json(fields["prev_hash"])},"seq":{_json(fields["seq"])}}}')
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Chain:
    """The audit events of one batch, chained from the head (read under its row lock, or as the
    previous batch left it)."""

    def __init__(self, seq: int, last_hash: str) -> None:
        self.seq, self.last_hash = seq, last_hash
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
        fields["hash"] = fast_event_hash(fields)
        self.events.append(fields)
        self.seq, self.last_hash = fields["seq"], fields["hash"]


Rows = dict[type[models.Model], list[models.Model]]
Step = Callable[["_Chain", Rows], None]




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


def _copy_sql(table: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    # Table and column names from the models, quoted; the values go as COPY data.
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


EVENT_COLUMNS = ("seq", "occurred_at", "actor_id", "actor_username", "actor_role", "action",
                 "object_type", "object_id", "object_label", "before", "after", "prev_hash",
                 "hash")


class Sink:
    """Where a batch's rows go as they are built. The portable sink writes them at once, in the
    caller's transaction (bulk_create for rows with ids, one executemany for the rest)."""

    def save(self, model: type[models.Model], objs: Sequence[models.Model], *, ids: bool
             ) -> None:
        """Write the rows; with `ids`, each object gets its id (later rows refer to it)."""
        if not objs:
            return
        if ids:
            model._default_manager.bulk_create(objs)
        else:
            _insert(model, objs)

    def events(self, events: list[dict[str, Any]]) -> None:
        _insert(AuditEvent, [AuditEvent(**fields) for fields in events])

    def write(self) -> None:
        """Send what was kept for later (nothing: the rows are written)."""


class CopySink(Sink):
    """PostgreSQL: the rows take their ids from their table's own sequence at once (later rows
    refer to them) and are formatted as COPY text by psycopg's adapters; `write()` sends each
    table's text in one COPY, in the transaction of the thread that calls it. Building and
    sending can so run in different threads (the sequences are read outside any transaction)."""

    def __init__(self) -> None:
        self.payload: list[tuple[str, bytes]] = []  # (COPY statement, its data)

    def _format(self, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
                ) -> None:
        connection.ensure_connection()
        buffer = io.BytesIO()
        with (connection.connection.cursor() as cursor,
              psycopg.Copy(cursor, binary=False, writer=FileWriter(buffer)) as copy):
            for row in rows:
                copy.write_row(row)
        self.payload.append((_copy_sql(table, columns), buffer.getvalue()))

    def save(self, model: type[models.Model], objs: Sequence[models.Model], *, ids: bool
             ) -> None:
        if not objs:
            return
        if ids:
            _reserve_ids(model, objs)
        if (model, ids) not in _GETTERS:
            fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
            _GETTERS[model, ids] = ([f.column for f in fields], [_getter(f) for f in fields])
        columns, getters = _GETTERS[model, ids]
        self._format(model._meta.db_table, columns,
                     (tuple(get(obj) for get in getters) for obj in objs))

    def events(self, events: list[dict[str, Any]]) -> None:
        if not events:
            return

        def row(fields: dict[str, Any]) -> tuple[Any, ...]:
            before, after = fields["before"], fields["after"]
            return (fields["seq"], fields["occurred_at"], fields["actor_id"],
                    fields["actor_username"], fields["actor_role"], fields["action"],
                    fields["object_type"], fields["object_id"], fields["object_label"],
                    None if before is None else _json(before),
                    None if after is None else _json(after), fields["prev_hash"],
                    fields["hash"])
        self._format(AuditEvent._meta.db_table, EVENT_COLUMNS, (row(f) for f in events))

    def write(self) -> None:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            for sql, data in self.payload:
                with cursor.copy(sql) as copy:
                    copy.write(data)
        self.payload = []


def sink() -> Sink:
    """COPY on PostgreSQL (psycopg 3); INSERT elsewhere."""
    return CopySink() if connection.vendor == "postgresql" else Sink()


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


class Interleaved(ValueError):
    """Someone registered an appeal or appended to the trail while batches were built ahead."""


@dataclass
class Ledger:
    """The year's registration counters and the chain head as the batches leave them."""

    counters: dict[int, int] = field(default_factory=dict)
    seq: int = 0
    last_hash: str = ""

    def read(self, years: set[int] | None = None) -> None:
        """With `years`, lock their counters, then the chain head (in the order registration
        takes them), in the caller's transaction; without, read all unlocked (for batches built
        ahead: the writer checks they still hold)."""
        for year in sorted(years or ()):
            RegistrationCounter.objects.get_or_create(year=year)
        counters = RegistrationCounter.objects.all()
        if years is not None:
            counters = counters.select_for_update().filter(year__in=years).order_by("year")
        self.counters.update(counters.values_list("year", "last"))
        heads = AuditChainHead.objects.filter(id=1)
        head = (heads.select_for_update() if years is not None else heads).first()
        if head is None:
            AuditChainHead.objects.get_or_create(id=1)
            head = (heads.select_for_update() if years is not None else heads).get()
        self.seq, self.last_hash = head.last_seq, head.last_hash

    def numbers(self, plans: list[Any]) -> tuple[list[tuple[int, int, str]],
                                                            dict[int, tuple[int, int]]]:
        """(year, seq, number) for each plan, continuing the counters of their years; and each
        year's counter (before, after)."""
        prefix = settings.VIKNO["NUMBER_PREFIX"]
        out: list[tuple[int, int, str]] = []
        moved: dict[int, tuple[int, int]] = {}
        for plan in plans:
            year = clock.local_date(plan.received_at).year
            last = self.counters.get(year, 0)
            moved.setdefault(year, (last, last))
            self.counters[year] = last = last + 1
            moved[year] = (moved[year][0], last)
            out.append((year, last, f"{prefix}-{year}-{last:06d}"))
        return out, moved


@dataclass
class Batch:
    """One batch built: its rows (written, or kept in `sink` to send), and the counters and the
    chain head it moves (before, after)."""

    size: int
    events: int
    counters: dict[int, tuple[int, int]]
    head: tuple[int, str, int, str]
    sink: Sink


def commit_batch(batch: Batch) -> None:
    """Move the counters and the chain head as the batch expects them (the row locks, in the
    order registration takes them) and send its rows, in the caller's transaction."""
    for year, (before, after) in sorted(batch.counters.items()):
        RegistrationCounter.objects.get_or_create(year=year)
        if not RegistrationCounter.objects.filter(year=year, last=before).update(last=after):
            raise Interleaved(f"the registration counter of {year} moved during generation")
    seq, last_hash, new_seq, new_hash = batch.head
    if not AuditChainHead.objects.filter(id=1, last_seq=seq, last_hash=last_hash).update(
            last_seq=new_seq, last_hash=new_hash):
        raise Interleaved("the audit trail grew during generation")
    batch.sink.write()
