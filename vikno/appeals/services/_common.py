"""Helpers shared by the appeals services: the one place where an appeal's status changes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Exists, Max, Min, OuterRef, Subquery

from vikno.appeals.lifecycle import (
    ANSWERED_STATUSES,
    SHOWN_ASSIGNMENT_STATUSES,
    AppealStatus,
    AssignmentStatus,
    TransitionAction,
    appeal_transition_check,
    assignment_transition_check,
)
from vikno.appeals.messages import NOTE, params_of
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Notice,
    Notification,
    Question,
    Transition,
)
from vikno.appeals.services import counts
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock

# Fields of the appeal card that carry no personal data and may be copied into the audit trail:
# codes, dates and flags, never a typed text (the appeal's text, summary, address, the body it
# was forwarded to, notes).
APPEAL_AUDIT_FIELDS = (
    "number", "channel", "kind", "subject", "sign", "appeal_type", "status", "due_date",
    "max_due_date", "needs_study", "priority", "territory_id", "not_considered_reason",
    "legacy_id", "contested_authority_id", "contested_decision_on",
    "decision_learned_on", "term_restored",
)


# The appeal's columns a status move writes.
STATUS_FIELDS = ("status", "status_changed_at", "updated_at", "closed_at")

T = TransitionAction
# The audit event of each status move of an appeal; the stored names are "appeal." + the action.
APPEAL_MOVE_EVENTS: dict[TransitionAction, AuditAction] = {
    T.ASSIGN: AuditAction.APPEAL_ASSIGN,
    T.ACCEPT: AuditAction.APPEAL_ACCEPT,
    T.ANSWER: AuditAction.APPEAL_ANSWER,
    T.RETURNED_NOT_IN_COMPETENCE: AuditAction.APPEAL_RETURNED_NOT_IN_COMPETENCE,
    T.ANSWER_ACCEPTED: AuditAction.APPEAL_ANSWER_ACCEPTED,
    T.ANSWER_REJECTED: AuditAction.APPEAL_ANSWER_REJECTED,
    T.CONFIRM: AuditAction.APPEAL_CONFIRM,
    T.NOT_CONFIRMED: AuditAction.APPEAL_NOT_CONFIRMED,
    T.CLOSE: AuditAction.APPEAL_CLOSE,
    T.REOPEN: AuditAction.APPEAL_REOPEN,
    T.FORWARD: AuditAction.APPEAL_FORWARD,
    T.NOT_CONSIDERED: AuditAction.APPEAL_NOT_CONSIDERED,
    T.RETURN_MISSING_CONTENT: AuditAction.APPEAL_RETURN_MISSING_CONTENT,
}


def snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def note_of(note: str = "", message: str = "", params: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """The fields of a history note: a message kind with its parameters, or only what a person
    typed (`note`), kept as typed."""
    if message:
        return {"message": message, "params": params_of(**(params or {}))}
    return {"message": NOTE, "params": {"note": note.strip()}} if note.strip() else {}


def appeal_move(
    *, actor: Any, appeal: Appeal, target: AppealStatus, action: TransitionAction, note: str = "",
    message: str = "", params: dict[str, Any] | None = None, save: bool = True,
) -> None:
    """Change an appeal's status through the transition table, with history and audit.
    `save=False`: the caller writes the appeal's row itself (registration writes the status with
    the number, in the one last update of its row: ADR 0024).

    Staying in the same status is not a move: the table has no such pairs, so a repeated action
    (forwarding a forwarded appeal, a second answer to an answered assignment) is refused instead
    of silently writing a second notice or reply. Callers that may already be there check first.
    """
    event = APPEAL_MOVE_EVENTS[action]  # a history-only action (reroute…) is not a move
    current = AppealStatus(appeal.status)
    appeal_transition_check(current, target)
    now = clock.now()
    appeal.status = target
    appeal.status_changed_at = now
    appeal.updated_at = now
    if target == AppealStatus.CLOSED:
        appeal.closed_at = now
    elif current == AppealStatus.CLOSED:
        appeal.closed_at = None
    if save:
        appeal.save(update_fields=list(STATUS_FIELDS))
    counts.appeal_status_moved(appeal=appeal, before=current, after=target)
    fields = note_of(note, message, params)
    Transition.objects.create(
        appeal=appeal, by=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=current, to_status=target, at=now, **fields,
    )
    # The kind of note only: what a person typed may name people or places.
    audit.record(
        actor=actor, action=event, obj=appeal,
        before={"status": current.value},
        after={"status": target.value, "note": fields.get("message")},
    )


def assignment_move(
    *, actor: Any, assignment: Assignment, target: AssignmentStatus, action: AuditAction
) -> None:
    current = AssignmentStatus(assignment.status)
    assignment_transition_check(current, target)
    assignment.status = target
    assignment.updated_at = clock.now()
    fields = ["status", "updated_at"]
    if target == AssignmentStatus.IN_WORK and assignment.accepted_at is None:
        assignment.accepted_at = assignment.updated_at
        fields.append("accepted_at")
    assignment.save(update_fields=fields)
    if assignment.role == AssignmentRole.MAIN and (
            current in ANSWERED_STATUSES) != (target in ANSWERED_STATUSES):
        appeal_next_due_sync(assignment.question.appeal)
    if assignment.role == AssignmentRole.MAIN and (
            current in SHOWN_ASSIGNMENT_STATUSES) != (target in SHOWN_ASSIGNMENT_STATUSES):
        appeal_executor_sync(assignment.question.appeal)
    counts.assignment_moved(assignment=assignment, before=current, after=target)
    audit.record(
        actor=actor, action=action, obj=assignment,
        object_label=f"{assignment.question.appeal.number} → {assignment.authority.code}",
        before={"status": current.value}, after={"status": target.value},
    )


def history(*, appeal: Appeal, actor: Any, action: TransitionAction, note: str = "", message: str = "",
            params: dict[str, Any] | None = None) -> None:
    """A history line that is not a status change (routing, extension, feedback…)."""
    Transition.objects.create(
        appeal=appeal, by=actor if getattr(actor, "pk", None) else None, action=action,
        from_status=appeal.status, to_status=appeal.status, **note_of(note, message, params),
    )


def appeal_due_sync(appeal: Appeal) -> None:
    """Per-question control: the appeal's control date is the latest of its questions' (empty
    while none has one). The one place where the appeal's date is derived; the nearest owed
    date (next_due) follows."""
    latest = appeal.questions.aggregate(latest=Max("due_date"))["latest"]
    if latest != appeal.due_date:
        appeal.due_date = latest
        appeal.updated_at = clock.now()
        appeal.save(update_fields=["due_date", "updated_at"])
    appeal_next_due_sync(appeal)


def appeal_next_due_sync(appeal: Appeal) -> None:
    """Appeal.next_due: the earliest control date among the questions whose main executor has
    not answered (yet, or again). Kept here, after a question's date changes (appeal_due_sync)
    and after a main assignment's answer is given or taken back (assignment_move); the queue's
    overdue filter reads it (selectors_queue.overdue_q)."""
    answered = Assignment.objects.filter(question=OuterRef("pk"), role=AssignmentRole.MAIN,
                                         status__in=ANSWERED_STATUSES)
    nearest = (Question.objects.filter(appeal=appeal, due_date__isnull=False)
               .exclude(Exists(answered)).aggregate(n=Min("due_date"))["n"])
    if nearest != appeal.next_due:
        appeal.next_due = nearest
        Appeal.objects.filter(pk=appeal.pk).update(next_due=nearest)


def next_due_of(questions: Iterable[Question], assignments: Iterable[Assignment]) -> date | None:
    """appeal_next_due_sync of rows not written yet (bulk writers): the questions and their
    assignments as objects."""
    settled = {id(a.question) for a in assignments
               if a.role == AssignmentRole.MAIN and a.status in ANSWERED_STATUSES}
    dates = [q.due_date for q in questions if q.due_date is not None and id(q) not in settled]
    return min(dates, default=None)


def appeal_executor_sync(appeal: Appeal) -> None:
    """Appeal.executor_key: the name of the first main executor (by assignment) still or last at
    work on the appeal (SHOWN_ASSIGNMENT_STATUSES), empty before routing. Kept here, after a main
    assignment is created (routing, re-routing) or leaves or re-enters those statuses
    (assignment_move); the queue's sort by executor reads it from its index."""
    name = (Assignment.objects.filter(question__appeal=appeal, role=AssignmentRole.MAIN,
                                      status__in=SHOWN_ASSIGNMENT_STATUSES)
            .order_by("id").values_list("authority__name", flat=True).first())
    if name != appeal.executor_key:
        appeal.executor_key = name
        Appeal.objects.filter(pk=appeal.pk).update(executor_key=name)


def executor_keys_refresh(*, authority_id: int) -> int:
    """After an authority is renamed: the executor key of every appeal that has it among its
    shown main executors, recomputed in one UPDATE (appeal_executor_sync, set-based). Returns the
    number of appeals rewritten."""
    shown = Assignment.objects.filter(question__appeal=OuterRef("pk"), role=AssignmentRole.MAIN,
                                      status__in=SHOWN_ASSIGNMENT_STATUSES)
    first = shown.order_by("id").values("authority__name")[:1]
    return (Appeal.objects.filter(Exists(shown.filter(authority_id=authority_id)))
            .update(executor_key=Subquery(first)))


def executor_key_of(assignments: Iterable[Assignment]) -> str | None:
    """appeal_executor_sync of rows not written yet (bulk writers): the appeal's assignments as
    objects, in the order they are written (their ids' order), with their authorities."""
    return next((a.authority.name for a in assignments if a.role == AssignmentRole.MAIN
                 and a.status in SHOWN_ASSIGNMENT_STATUSES), None)


def lock(appeal: Appeal) -> Appeal:
    """Re-read the appeal under a row lock: concurrent actions on one appeal run one after another."""
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def assignments_of(appeal: Appeal, statuses: Iterable[str]) -> list[Assignment]:
    """The appeal's assignments in `statuses`, locked, with question and authority loaded and
    pointing at this (already locked) appeal: labels and moves then cost no further query."""
    found = list(Assignment.objects.select_for_update(of=("self",))
                 .filter(question__appeal=appeal, status__in=list(statuses))
                 .select_related("question", "authority").order_by("id"))
    for assignment in found:
        assignment.question.appeal = appeal
    return found


def lock_assignment(assignment: Assignment) -> tuple[Appeal, Assignment]:
    """Lock the assignment's appeal, then the assignment, always in this order (no deadlock
    between services); only `assignment.pk` is read from what the caller passes."""
    appeal = Appeal.objects.select_for_update(of=("self",)).get(questions__assignments=assignment.pk)
    # of=self: lock the assignment, not its authority (other appeals of that body go on).
    fresh = Assignment.objects.select_for_update(of=("self",)).select_related(
        "question", "authority").get(pk=assignment.pk)
    fresh.question.appeal = appeal
    return appeal, fresh


def notice(*, appeal: Appeal, kind: str, message: str, **params: Any) -> Notice:
    """A notice owed to the applicant; its text is rendered in the applicant's language."""
    # The applicant reads the registration index with the marks of Instruction No. 348 (КО, БП).
    return Notice.objects.create(appeal=appeal, kind=kind, message=message,
                                 params=params_of(number=appeal.index, **params))


def notification(*, appeal: Appeal, kind: str, message: str, for_supervisors: bool = False,
                 to_authority: Any = None, to_user: Any = None, save: bool = True,
                 **params: Any) -> Notification:
    """A staff notification (to supervisors, to an authority or to one user); its text is
    rendered in each reader's language. `save=False` builds it for a bulk_create."""
    row = Notification(appeal=appeal, kind=kind, message=message, for_supervisors=for_supervisors,
                       authority=to_authority, user=to_user,
                       params=params_of(number=appeal.number, **params))
    if save:
        row.save()
    return row
