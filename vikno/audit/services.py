"""Writing to the audit trail. `record()` is called by every service inside its transaction."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from vikno.audit.actions import AuditAction
from vikno.audit.chain import event_hash
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.core import clock


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
    # No savepoint: the event belongs to the caller's transaction and fails with it.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            head, _ = AuditChainHead.objects.get_or_create(id=1)
            head = AuditChainHead.objects.select_for_update().get(id=1)
        fields: dict[str, Any] = {
            "seq": head.last_seq + 1,
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
            "prev_hash": head.last_hash,
        }
        fields["hash"] = event_hash(fields)
        event = AuditEvent.objects.create(**fields)
        AuditChainHead.objects.filter(id=1).update(last_seq=event.seq, last_hash=event.hash)
    return event
