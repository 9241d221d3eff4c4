"""Writing to the audit trail. `record()` is called by every service inside its transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from vikno.audit.actions import AuditAction
from vikno.audit.chain import HASHED_FIELDS, event_hash
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.core import clock

# The events of the batch being collected in this thread (see batched()), or None.
_batch: ContextVar[list[AuditEvent] | None] = ContextVar("audit_batch", default=None)


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
    if action not in AuditAction.values:
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
        # Inside batched(): chained and written when the batch ends, under one head lock.
        event = AuditEvent(**fields)
        pending.append(event)
        return event
    return _append([AuditEvent(**fields)])[0]


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain `events` onto the head and write them: one lock of the head, one insert, one update.
    The head stays locked until the caller's transaction commits: this is the trail's queue."""
    # No savepoint: the events belong to the caller's transaction and fail with it.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            head, _ = AuditChainHead.objects.get_or_create(id=1)
            head = AuditChainHead.objects.select_for_update().get(id=1)
        seq, prev = head.last_seq, head.last_hash
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event_hash({name: getattr(event, name) for name in HASHED_FIELDS})
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
    return events


@contextmanager
def batched() -> Iterator[list[AuditEvent]]:
    """Collect the events recorded inside and append them together at the end, in the order
    recorded: the chain head is then locked once, for the last moment of the caller's
    transaction, instead of from the first event to commit. Use inside a transaction; an
    exception inside drops the collected events (the transaction rolls back anyway)."""
    if _batch.get() is not None:  # nested: the outer batch writes them
        yield _batch.get()  # type: ignore[misc]
        return
    pending: list[AuditEvent] = []
    token = _batch.set(pending)
    try:
        yield pending
    finally:
        _batch.reset(token)
    if pending:
        _append(pending)


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
