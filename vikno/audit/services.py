"""Writing to the audit trail. `record()` is called by every service inside its transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from vikno.audit.actions import AuditAction
from vikno.audit.chain import HASHED_FIELDS, event_hash
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.core import clock, db

# The registry's actions, once: `AuditAction.values` builds its list anew on every call (some 200
# members), and every audited change asks.
_REGISTERED = frozenset(AuditAction.values)
# The events of the batch being collected in this thread (see batched()), or None.
_batch: ContextVar[list[AuditEvent] | None] = ContextVar("audit_batch", default=None)
# The chain head the caller's own statement took for the current batch (batch_head), if any.
_batch_head: ContextVar[AuditChainHead | None] = ContextVar("audit_batch_head", default=None)


def _plain(value: Any) -> Any:
    """JSON round trip, so the hash is computed over exactly what the database gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _object_identity(obj: models.Model | None, label: str | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", label or ""
    meta = obj._meta
    if label is None:
        if getattr(obj, "holds_personal_data", False):
            # str() of such an object is a person's name: never let it into the trail by default.
            raise ValueError(f"record() needs an object_label for {meta.label}")
        label = str(obj)
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), label[:200]


def record(
    *,
    actor: Any,
    action: AuditAction,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_label: str | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a user (or None for the system itself).

    Callers never pass applicants' personal data in before/after: they pass the names of
    changed personal fields instead (see appeals.services), so the trail holds no copies of it.

    An action outside the registry (vikno.audit.actions) is refused everywhere, not only in
    DEBUG: the caller's transaction rolls back, so nothing happens without an event the security
    administrator can read. tests/test_audit_actions.py keeps every call site registered.
    """
    if action not in _REGISTERED:
        raise ValueError(f"unregistered audit action {action!r}: add it to vikno.audit.actions")
    object_type, object_id, label = _object_identity(obj, object_label)
    fields: dict[str, Any] = {
        "occurred_at": clock.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_username": getattr(actor, "username", "") or ("" if actor else "system"),
        "actor_role": getattr(actor, "role", "") or "",
        # The plain stored name: the hash is computed over exactly what is stored.
        "action": AuditAction(action).value,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": label,
        "before": _plain(before),
        "after": _plain(after),
    }
    pending = _batch.get()
    if pending is not None:
        # Inside batched(): written together when the batch ends.
        event = AuditEvent(**fields)
        pending.append(event)
        return event
    return _append([AuditEvent(**fields)])[0]


# How many waiting events a connection that left some unsealed chains when it finds the head free,
# before its own: enough to keep its order, short enough not to lengthen a page view noticeably.
INLINE_SEAL = 50
# Set on a database connection that wrote events unsealed (a rollback may leave it set: then the
# next append only looks for waiting events once more).
_LEFT_UNSEALED = "vikno_audit_left_unsealed"
# How many events the sealer chains per statement.
SEAL_BATCH = 2000


def _free_head() -> AuditChainHead | None:
    """The chain head, locked by this transaction, or None when another transaction holds it:
    nobody waits for the head to record an event (ADR 0027). Without row locks (SQLite, one
    writer at a time) the head is always free."""
    head = AuditChainHead.objects.select_for_update(skip_locked=True).filter(id=1).first()
    if head is None and not AuditChainHead.objects.filter(id=1).exists():
        AuditChainHead.objects.get_or_create(id=1)
        head = AuditChainHead.objects.select_for_update(skip_locked=True).filter(id=1).first()
    return head


def _chain(head: AuditChainHead, events: list[AuditEvent]) -> None:
    """Give `events` their places after the head, in order, and move the head (in memory)."""
    seq, prev = head.last_seq, head.last_hash
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
    head.last_seq, head.last_hash = seq, prev


def _save_head(head: AuditChainHead) -> None:
    AuditChainHead.objects.filter(id=1).update(last_seq=head.last_seq, last_hash=head.last_hash)


def _seal_waiting(head: AuditChainHead, limit: int) -> int:
    """Under the head lock: chain up to `limit` unsealed events this transaction sees, in the
    order they were written (id). They are committed, or this transaction's own: an event of a
    transaction still in flight is invisible here and is sealed by a later seal, after it commits,
    so it is neither skipped nor sealed twice (the position is given now, not when written)."""
    waiting = list(AuditEvent.objects.filter(hash__isnull=True).order_by("id")[:limit])
    if not waiting:
        return 0
    _chain(head, waiting)
    rows = [(e.id, e.seq, e.prev_hash, e.hash) for e in waiting]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(["(%s::bigint, %s::bigint, %s, %s)"] * len(rows))
            cursor.execute(  # the table's name is the model's; the values are parameters
                f"UPDATE {table} AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, seq, prev_hash, hash) "
                "WHERE e.id = v.id AND e.hash IS NULL",
                [value for row in rows for value in row])
            sealed = cursor.rowcount
        else:
            sealed = 0
            for row in rows:
                cursor.execute(f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s "  # noqa: S608
                               "WHERE id = %s AND hash IS NULL", [*row[1:], row[0]])
                sealed += cursor.rowcount
    if sealed != len(rows):  # only a holder of the head seals: this cannot happen
        raise RuntimeError(f"audit seal: {sealed} of {len(rows)} events sealed")
    _save_head(head)
    return sealed


def head_claim_sql(*, after: list[str]) -> str:
    """PostgreSQL: the SELECT that takes the chain head as an append does (`FOR UPDATE SKIP
    LOCKED`: never waits), written as a WITH query of the caller's own statement, run after its
    data-modifying WITH queries `after` (their rows locked first; nothing taken when the first
    returns no row). The caller passes what it returns (last_seq, last_hash) to batch_head():
    the batch's append then costs no round trip of its own to take the head."""
    gates = "".join(f" AND EXISTS (SELECT FROM {name})" for name in after)
    return (f"SELECT last_seq, last_hash FROM {AuditChainHead._meta.db_table} "  # noqa: S608
            f"WHERE id = 1{gates} FOR UPDATE SKIP LOCKED")


def batch_head(row: tuple[int, str] | None) -> None:
    """The head the caller's statement took (head_claim_sql) for the current batch, locked by
    this transaction; None: it was held (or missing), and the append looks for it as usual."""
    if row is not None and _batch.get() is not None:
        _batch_head.set(AuditChainHead(id=1, last_seq=row[0], last_hash=row[1]))


def _append(events: list[AuditEvent], head: AuditChainHead | None = None) -> list[AuditEvent]:
    """Write `events` in the caller's transaction, so they commit or roll back with its change.

    When the chain head is free this transaction takes it (until its commit), chains its events
    and writes them sealed: one insert, one update of the head, as before the sealer (one statement
    on PostgreSQL), its head taken by the caller when `head` is given. When another
    transaction holds the head the events are written unsealed, without waiting, and the sealer
    chains them after this commits. A connection that wrote unsealed events chains the waiting
    ones first when it next finds the head free, so its own events keep their order."""
    # No savepoint: the events belong to the caller's transaction and fail with it.
    with transaction.atomic(savepoint=False):
        if head is None:
            head = _free_head()
        if head is not None:
            if getattr(connection, _LEFT_UNSEALED, False):
                _seal_waiting(head, INLINE_SEAL)
                setattr(connection, _LEFT_UNSEALED, False)
            _chain(head, events)
        if head is not None and connection.vendor == "postgresql":
            _insert_moving_head(events, head)
            return events
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)
        if head is not None:
            _save_head(head)
        else:
            setattr(connection, _LEFT_UNSEALED, True)
    return events


def _insert_moving_head(events: list[AuditEvent], head: AuditChainHead) -> None:
    """PostgreSQL: insert the chained `events` and move the head (locked by this transaction) in
    one statement, one round trip while the head — and, in a registration, the year's counter —
    is held; the events get their ids as with a bulk insert."""
    insert, params = db.insert_sql(events)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH h AS (UPDATE {connection.ops.quote_name(AuditChainHead._meta.db_table)} "  # noqa: S608
            f"SET last_seq = %s, last_hash = %s WHERE id = 1) {insert}",
            [head.last_seq, head.last_hash, *params])
        db.inserted(events, [row[0] for row in cursor.fetchall()])


def seal(*, limit: int | None = None) -> int:
    """Chain every unsealed event of a committed transaction; the number sealed. The Celery beat
    runs it every few seconds (vikno.audit.tasks), `audit_seal` and `audit_verify` too. Waits for
    the head while a transaction holds it; each batch is its own short transaction."""
    total = 0
    while limit is None or total < limit:
        batch = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - total)
        with transaction.atomic():
            AuditChainHead.objects.get_or_create(id=1)
            head = AuditChainHead.objects.select_for_update().get(id=1)
            sealed = _seal_waiting(head, batch)
        total += sealed
        if sealed < batch:
            break
    return total


@contextmanager
def batched() -> Iterator[list[AuditEvent]]:
    """Collect the events recorded inside and append them together at the end, in the order
    recorded: one insert at the last moment of the caller's transaction, and the chain head (when
    free) held from there to commit, instead of from the first event. Use inside a transaction; an
    exception inside drops the collected events (the transaction rolls back anyway)."""
    if _batch.get() is not None:  # nested: the outer batch writes them
        yield _batch.get()  # type: ignore[misc]
        return
    pending: list[AuditEvent] = []
    token = _batch.set(pending)
    head_token = _batch_head.set(None)
    try:
        yield pending
        head = _batch_head.get()
    finally:
        _batch_head.reset(head_token)
        _batch.reset(token)
    if pending:
        _append(pending, head)


def batch_mark() -> int:
    """How many events the current batch holds (0 outside one): pass it to batch_discard when a
    savepoint taken now rolls back, so its events are not appended."""
    pending = _batch.get()
    return len(pending) if pending is not None else 0


def batch_discard(mark: int) -> None:
    """Drop the events recorded since `batch_mark()` returned `mark` (their savepoint rolled back)."""
    pending = _batch.get()
    if pending is not None:
        del pending[mark:]
