"""Helpers shared by the appeals services: the one place where an appeal's status changes."""

from __future__ import annotations

from typing import Any

from django.db import models

from vikno.appeals.lifecycle import (
    AppealStatus,
    AssignmentStatus,
    appeal_transition_check,
    assignment_transition_check,
)
from vikno.appeals.models import Appeal, Assignment, Transition
from vikno.audit import services as audit
from vikno.core import clock

# Fields of the appeal card that carry no personal data and may be copied into the audit trail.
APPEAL_AUDIT_FIELDS = (
    "number", "channel", "kind", "subject", "sign", "appeal_type", "status", "due_date",
    "max_due_date", "needs_study", "priority", "territory_id", "not_considered_reason",
    "forwarded_to", "legacy_id",
)


def snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def appeal_move(
    *, actor: Any, appeal: Appeal, target: AppealStatus, action: str, note: str = ""
) -> None:
    """Change an appeal's status through the transition table, with history and audit."""
    current = AppealStatus(appeal.status)
    if current == target:
        return
    appeal_transition_check(current, target)
    now = clock.now()
    appeal.status = target
    appeal.status_changed_at = now
    appeal.updated_at = now
    if target == AppealStatus.CLOSED:
        appeal.closed_at = now
    elif current == AppealStatus.CLOSED:
        appeal.closed_at = None
    appeal.save(update_fields=["status", "status_changed_at", "updated_at", "closed_at"])
    Transition.objects.create(
        appeal=appeal, by=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=current, to_status=target, note=note, at=now,
    )
    audit.record(
        actor=actor, action=f"appeal.{action}", obj=appeal,
        before={"status": current.value}, after={"status": target.value, "note": note or None},
    )


def assignment_move(
    *, actor: Any, assignment: Assignment, target: AssignmentStatus, action: str
) -> None:
    current = AssignmentStatus(assignment.status)
    if current == target:
        return
    assignment_transition_check(current, target)
    assignment.status = target
    assignment.updated_at = clock.now()
    fields = ["status", "updated_at"]
    if target == AssignmentStatus.IN_WORK and assignment.accepted_at is None:
        assignment.accepted_at = assignment.updated_at
        fields.append("accepted_at")
    assignment.save(update_fields=fields)
    audit.record(
        actor=actor, action=f"assignment.{action}", obj=assignment,
        object_label=f"{assignment.question.appeal.number} → {assignment.authority.code}",
        before={"status": current.value}, after={"status": target.value},
    )


def history(*, appeal: Appeal, actor: Any, action: str, note: str = "") -> None:
    """A history line that is not a status change (routing, extension, feedback…)."""
    Transition.objects.create(
        appeal=appeal, by=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=appeal.status, to_status=appeal.status, note=note,
    )


def lock(appeal: Appeal) -> Appeal:
    """Re-read the appeal under a row lock: concurrent actions on one appeal run one after another."""
    return Appeal.objects.select_for_update().get(pk=appeal.pk)
