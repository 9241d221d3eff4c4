"""The writing side of the bulk generator: rows to the database in one statement per table
(COPY on PostgreSQL, executemany elsewhere) and audit events chained as `record()` chains them."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.base import ModelState
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


# The plain value and JSON of the flat before/after dicts seen (most events': status moves),
# by their items with each value's type (True is not 1, a text choice not its text).
_ENCODED: dict[tuple[Any, ...], tuple[Any, str]] = {}
_ENCODED_LIMIT = 100_000
_FLAT = 4  # at most this many items are looked up


def _encoded(value: Any) -> tuple[Any, str]:
    """(_plain(value), _json of it)."""
    if value is None:
        return None, "null"
    if type(value) is dict and len(value) <= _FLAT:
        key: tuple[Any, ...] | None = tuple((k, type(v), v) for k, v in value.items())
        try:
            found = _ENCODED.get(key)  # type: ignore[arg-type]
        except TypeError:  # a list or dict within: not memoised
            found = key = None
        if found is None:
            plain = _plain(value)
            found = (plain, _json(plain))
            if key is not None:
                if len(_ENCODED) >= _ENCODED_LIMIT:
                    _ENCODED.clear()
                _ENCODED[key] = found
        return found
    plain = _plain(value)
    return plain, _json(plain)


def fast_event_hash(fields: dict[str, Any]) -> str:
    """`audit.chain.event_hash` of plain fields, byte for byte: the canonical JSON (sorted keys,
    compact) written directly instead of through json.dumps' general path."""
    head = _head(fields, _json(fields["before"]), _json(fields["after"]))
    return _close(head.encode("utf-8"), fields["prev_hash"], fields["seq"])


# The canonical JSON's start per (action, actor_id, actor_role, actor_username): a few dozen.
_STARTS: dict[tuple[Any, ...], str] = {}


def _head(fields: dict[str, Any], before: str, after: str) -> str:
    """The canonical JSON of an event up to its place in the chain (`prev_hash` and `seq` sort
    last), with the JSON of `before` and `after` already written."""
    occurred = fields["occurred_at"]
    if isinstance(occurred, dt.datetime):
        occurred = occurred.timestamp()
    who = (fields["action"], fields["actor_id"], type(fields["actor_id"]), fields["actor_role"],
           fields["actor_username"])
    start = _STARTS.get(who)
    if start is None:
        if len(_STARTS) >= _ENCODED_LIMIT:
            _STARTS.clear()
        start = _STARTS[who] = (
            f'{{"action":{_json(who[0])},"actor_id":{_json(who[1])},'
            f'"actor_role":{_json(who[3])},"actor_username":{_json(who[4])},')
    return (f'{start}"after":{after},"before":{before},'
            f'"object_id":{_json(fields["object_id"])},'
            f'"object_label":{_json(fields["object_label"])},'
            f'"object_type":{_json(fields["object_type"])},"occurred_at":{_json(occurred)},')


def _close(head: bytes, prev_hash: str, seq: int) -> str:
    """The hash of an event from its `_head` and its place in the chain."""
    tail = f'"prev_hash":{_json(prev_hash)},"seq":{_json(seq)}}}'
    return hashlib.sha256(head + tail.encode("utf-8")).hexdigest()


class _Chain:
    """The audit events of one batch, chained from the head (read under its row lock, or as the
    previous batch left it)."""

    def __init__(self, seq: int, last_hash: str) -> None:
        self.seq, self.last_hash = seq, last_hash
        self.events: list[dict[str, Any]] = []  # the fields of each event, in order
        # The canonical JSON of each event's `before` and `after` (None for null), as hashed:
        # the text the jsonb columns take.
        self.json: list[tuple[str | None, str | None]] = []

    def add(self, *, at: dt.datetime, actor: Any, action: AuditAction, obj: models.Model,
            label: str | None = None, before: dict[str, Any] | None = None,
            after: dict[str, Any] | None = None) -> None:
        meta = obj._meta
        (plain_before, before_text), (plain_after, after_text) = _encoded(before), _encoded(after)
        fields: dict[str, Any] = {
            "seq": 0, "occurred_at": at,
            "actor_id": getattr(actor, "pk", None),
            "actor_username": getattr(actor, "username", "") or ("" if actor else "system"),
            "actor_role": getattr(actor, "role", "") or "",
            "action": _action_value(action),
            "object_type": f"{meta.app_label}.{meta.model_name}", "object_id": str(obj.pk),
            "object_label": (label if label is not None else str(obj))[:200],
            "before": plain_before, "after": plain_after, "prev_hash": "",
        }
        self.json.append((None if plain_before is None else before_text,
                          None if plain_after is None else after_text))
        self._append(fields, _head(fields, before_text, after_text).encode("utf-8"))

    def _append(self, fields: dict[str, Any], head: bytes) -> None:
        fields["seq"], fields["prev_hash"] = self.seq + 1, self.last_hash
        fields["hash"] = _close(head, self.last_hash, fields["seq"])
        self.events.append(fields)
        self.seq, self.last_hash = fields["seq"], fields["hash"]


class OpenChain(_Chain):
    """The events of a batch built in another process: all but their place in the chain (`seq`,
    `prev_hash`, `hash`), which the writing process gives them in order (`close_events`)."""

    def __init__(self) -> None:
        super().__init__(0, "")
        self.heads: list[bytes] = []  # each event's `_head`

    def _append(self, fields: dict[str, Any], head: bytes) -> None:
        self.events.append(fields)
        self.heads.append(head)


@functools.cache
def _action_value(action: AuditAction) -> str:
    return AuditAction(action).value


Rows = dict[type[models.Model], list[models.Model]]
Step = Callable[["_Chain", Rows], None]

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Shape:
    """What `Model.__init__` puts in an instance's __dict__ for the fields not given."""

    static: dict[str, Any]  # attname: the default (constants: the same for every row)
    dynamic: tuple[tuple[str, Callable[[], Any]], ...]  # attname: called per row (clock.now)
    relations: dict[str, tuple[str, str]]  # name: (attname, the related row's attname)


_SHAPES: dict[type[models.Model], _Shape] = {}


def _shape(model: type[models.Model]) -> _Shape:
    if model not in _SHAPES:
        static: dict[str, Any] = {}
        dynamic: list[tuple[str, Callable[[], Any]]] = []
        relations: dict[str, tuple[str, str]] = {}
        for f in model._meta.concrete_fields:
            if getattr(f, "generated", False):  # computed by the database: not in __dict__
                continue
            if f.has_default() and callable(f.default):
                dynamic.append((f.attname, f.get_default))
            else:
                static[f.attname] = f.get_default()
            if f.is_relation:
                relations[f.name] = (f.attname, f.target_field.attname)  # type: ignore[attr-defined]
        _SHAPES[model] = _Shape(static, tuple(dynamic), relations)
    return _SHAPES[model]


def new_row(model: type[M], **values: Any) -> M:
    """`model(**values)` for the generator's rows, without `Model.__init__`'s per-field work
    (descriptors, routers, signals; none of the written models has a receiver): the same
    __dict__, the related rows given by name cached as the descriptor caches them."""
    shape = _SHAPES.get(model) or _shape(model)
    obj = model.__new__(model)
    attrs = obj.__dict__
    state = ModelState()
    attrs["_state"] = state
    attrs.update(shape.static)
    for attname, default in shape.dynamic:
        if attname not in values:
            attrs[attname] = default()
    cache = state.fields_cache
    relations = shape.relations
    for name, value in values.items():
        relation = relations.get(name)
        if relation is None:
            attrs[name] = value
        else:
            attrs[relation[0]] = None if value is None else getattr(value, relation[1])
            cache[name] = value
    return obj


def _reserve_ids(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Give the rows their ids from the table's own sequence before COPY (which returns none)."""
    if not objs:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [model._meta.db_table, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk


@dataclass(frozen=True)
class _Columns:
    """How a model's rows become COPY rows: the values straight from each object's __dict__
    (no per-field preparation), the keys of related rows saved since the object was built
    filled in first (as bulk_create does), JSON columns as their text."""

    columns: list[str]
    values: Callable[[dict[str, Any]], tuple[Any, ...]]  # the columns' values of a __dict__
    relations: list[tuple[str, str]]  # (name, attname)
    json: list[int]  # the positions of JSON columns

    def rows(self, objs: Sequence[models.Model]) -> Iterator[tuple[Any, ...]]:
        for name, attname in self.relations:
            for obj in objs:
                attrs = obj.__dict__
                if attrs[attname] is None:
                    other = obj._state.fields_cache.get(name)
                    if other is not None:
                        attrs[attname] = other.pk
        values = self.values
        if not self.json:
            return (values(obj.__dict__) for obj in objs)
        return (self._json(values(obj.__dict__)) for obj in objs)

    def _json(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(row)
        for i in self.json:
            if out[i] is not None:
                out[i] = json.dumps(out[i])
        return tuple(out)


_COLUMNS: dict[tuple[type[models.Model], bool], _Columns] = {}


def _columns(model: type[models.Model], ids: bool) -> _Columns:
    if (model, ids) not in _COLUMNS:
        fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
        attnames = [f.attname for f in fields]
        getter = operator.itemgetter(*attnames)
        values: Callable[[dict[str, Any]], tuple[Any, ...]] = (
            getter if len(attnames) > 1 else (lambda attrs: (getter(attrs),)))
        _COLUMNS[model, ids] = _Columns(
            columns=[f.column for f in fields], values=values,
            relations=[(f.name, f.attname) for f in fields if f.is_relation],
            json=[i for i, f in enumerate(fields) if isinstance(f, models.JSONField)])
    return _COLUMNS[model, ids]


def _copy_sql(table: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    # Table and column names from the models, quoted; the values go as COPY data.
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


EVENT_COLUMNS = ("seq", "occurred_at", "actor_id", "actor_username", "actor_role", "action",
                 "object_type", "object_id", "object_label", "before", "after", "prev_hash",
                 "hash")


def _copy_text(rows: Iterator[tuple[Any, ...]]) -> bytes:
    """The rows as COPY's text, by psycopg's adapters."""
    connection.ensure_connection()
    buffer = io.BytesIO()
    with (connection.connection.cursor() as cursor,
          psycopg.Copy(cursor, binary=False, writer=FileWriter(buffer)) as copy):
        for row in rows:
            copy.write_row(row)
    return buffer.getvalue()


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

    def events(self, chain: _Chain) -> None:
        """The batch's audit events, chained."""
        if isinstance(chain, OpenChain):
            raise TypeError("Only a COPY sink takes events to be chained by the writer.")
        _insert(AuditEvent, [AuditEvent(**fields) for fields in chain.events])

    def write(self) -> None:
        """Send what was kept for later (nothing: the rows are written)."""


class CopySink(Sink):
    """PostgreSQL: the rows take their ids from their table's own sequence at once (later rows
    refer to them) and are formatted as COPY text by psycopg's adapters; `write()` sends each
    table's text in one COPY, in the transaction of the thread that calls it. Building and
    sending can so run in different threads (the sequences are read outside any transaction)."""

    def __init__(self, ids: dict[type[models.Model], list[int]] | None = None) -> None:
        self.payload: list[tuple[str, bytes]] = []  # (COPY statement, its data)
        # The ids the rows take, when the writing process has taken them from the sequences.
        self.ids = ids
        # The events of an OpenChain: each one's `_head` and its COPY text from `occurred_at`
        # to `after` (the columns between `seq` and `prev_hash`), for `close_events`.
        self.open: tuple[list[bytes], list[bytes]] | None = None

    def _format(self, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]
                ) -> None:
        self.payload.append((_copy_sql(table, columns), _copy_text(rows)))

    def save(self, model: type[models.Model], objs: Sequence[models.Model], *, ids: bool
             ) -> None:
        if not objs:
            return
        if ids and self.ids is not None:
            given = self.ids.get(model, [])
            if len(given) != len(objs):
                raise ValueError(f"{len(given)} ids taken for {len(objs)} rows of {model}")
            for obj, pk in zip(objs, given, strict=True):
                obj.pk = pk
        elif ids:
            _reserve_ids(model, objs)
        spec = _columns(model, ids)
        self._format(model._meta.db_table, spec.columns, spec.rows(objs))

    def events(self, chain: _Chain) -> None:
        if not chain.events:
            return
        texts = chain.json
        if isinstance(chain, OpenChain):
            middles = ((f["occurred_at"], f["actor_id"], f["actor_username"], f["actor_role"],
                        f["action"], f["object_type"], f["object_id"], f["object_label"], before,
                        after) for f, (before, after) in zip(chain.events, texts, strict=True))
            # COPY's text escapes a newline within a value: each line is one event.
            self.open = (chain.heads, _copy_text(middles).split(b"\n")[:-1])
            return
        rows = ((f["seq"], f["occurred_at"], f["actor_id"], f["actor_username"], f["actor_role"],
                 f["action"], f["object_type"], f["object_id"], f["object_label"], before, after,
                 f["prev_hash"], f["hash"])
                for f, (before, after) in zip(chain.events, texts, strict=True))
        self._format(AuditEvent._meta.db_table, EVENT_COLUMNS, rows)

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


def close_events(batch: Batch, ledger: Ledger) -> None:
    """Give the events of a batch built in another process (an OpenChain's, kept in its
    CopySink) their place in the chain, from the head `ledger` holds, and move the head there;
    their COPY text joins the batch's."""
    out = batch.sink
    if not isinstance(out, CopySink) or out.open is None:
        raise ValueError("The batch has no events to chain.")
    heads, middles = out.open
    if len(heads) != len(middles):
        raise ValueError(f"{len(heads)} events, {len(middles)} rows of them")
    seq, last = ledger.seq, ledger.last_hash
    if not last.isalnum():  # a hash as hex digits: COPY's text as it is
        raise ValueError(f"unexpected chain head {last!r}")
    lines = []
    for head, middle in zip(heads, middles, strict=True):
        seq += 1
        digest = _close(head, last, seq)
        lines.append(b"%d\t%b\t%b\t%b\n" % (seq, middle, last.encode(), digest.encode()))
        last = digest
    if lines:
        out.payload.append((_copy_sql(AuditEvent._meta.db_table, EVENT_COLUMNS),
                            b"".join(lines)))
    out.open = None
    batch.head = (ledger.seq, ledger.last_hash, seq, last)
    ledger.seq, ledger.last_hash = seq, last


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
