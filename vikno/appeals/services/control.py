"""The centre's control of the case: ст.5/7/8 decisions, extensions (ст.20), deadline control."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code, from_rule
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    UNDER_CONTROL_STATUSES,
    AppealStatus,
    AssignmentStatus,
)
from vikno.appeals.models import (
    Appeal,
    Assignment,
    Extension,
    ExtensionStatus,
    NotConsideredReason,
    Notice,
    Notification,
)
from vikno.appeals.models.work import NoticeKind, NotificationKind
from vikno.appeals.services._common import (
    appeal_move,
    assignment_move,
    assignments_of,
    history,
    lock,
    lock_assignment,
)
from vikno.audit import services as audit
from vikno.core import clock
from vikno.directory import deadlines
from vikno.directory.deadlines import DeadlineError

# Assignments that still owe work; an answered one keeps its answer whatever happens next.
OWING_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_WORK, AssignmentStatus.FOR_REVISION)


def _reason(note: str) -> str:
    if not note.strip():
        raise AppealsError(Code.REASON_REQUIRED, _("Give the reason."), field="note")
    return note.strip()


def _cancel_assignments(*, actor: Any, appeal: Appeal) -> None:
    """The appeal leaves the region's executors: nobody is left owing work on it."""
    for assignment in assignments_of(appeal, OWING_STATUSES):
        assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.CANCELLED,
                        action="cancel")


@transaction.atomic
def appeal_forward(*, actor: Any, appeal: Appeal, to_body: str, note: str = "") -> Appeal:
    """ст.7: an appeal outside the competence of the region's bodies goes to the competent body
    within 5 days of receipt, and the applicant is told."""
    if not to_body.strip():
        raise AppealsError(Code.MISSING_FIELD, _("Name the body the appeal is forwarded to."),
                           field="to_body")
    appeal = lock(appeal)
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.FORWARDED, action="forward",
                note=f"{to_body.strip()}. {note}".strip(". "))
    _cancel_assignments(actor=actor, appeal=appeal)
    appeal.forwarded_to = to_body.strip()[:300]
    appeal.save(update_fields=["forwarded_to"])
    Notice.objects.create(
        appeal=appeal, kind=NoticeKind.FORWARDED,
        text=_("Your appeal %(number)s is outside our competence and has been forwarded to "
               "%(body)s.") % {"number": appeal.index, "body": appeal.forwarded_to},
    )
    return appeal


@transaction.atomic
def appeal_not_considered(
    *, actor: Any, appeal: Appeal, reason: str, note: str = ""
) -> Appeal:
    """ст.8: registered, but not considered (anonymous, repeated, late complaint, incapacity)."""
    if reason not in NotConsideredReason.values:
        raise AppealsError(Code.REASON_REQUIRED,
                           _("Choose why the appeal is not subject to consideration."),
                           field="reason")
    appeal = lock(appeal)
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.NOT_CONSIDERED,
                action="not_considered", note=f"{NotConsideredReason(reason).label}. {note}".strip())
    _cancel_assignments(actor=actor, appeal=appeal)
    appeal.not_considered_reason = reason
    appeal.status_note = note.strip()
    appeal.save(update_fields=["not_considered_reason", "status_note"])
    if appeal.applicant_id:
        Notice.objects.create(
            appeal=appeal, kind=NoticeKind.NOT_CONSIDERED,
            text=_("Your appeal %(number)s is not subject to consideration: %(reason)s.")
            % {"number": appeal.index, "reason": NotConsideredReason(reason).label},
        )
    return appeal


@transaction.atomic
def appeal_return_missing_content(*, actor: Any, appeal: Appeal, note: str) -> Appeal:
    """ст.5: an appeal without the required content is returned with an explanation in 10 days."""
    note = _reason(note)
    appeal = lock(appeal)
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.RETURNED_MISSING_CONTENT,
                action="return_missing_content", note=note)
    _cancel_assignments(actor=actor, appeal=appeal)
    appeal.status_note = note
    appeal.save(update_fields=["status_note"])
    Notice.objects.create(
        appeal=appeal, kind=NoticeKind.RETURNED,
        text=_("Your appeal %(number)s is returned: %(note)s") % {"number": appeal.index,
                                                                  "note": note},
    )
    return appeal


def _apply_due(*, appeal: Appeal, new_due: date) -> None:
    appeal.due_date = new_due
    appeal.updated_at = clock.now()
    appeal.save(update_fields=["due_date", "updated_at"])
    appeal.questions.update(due_date=new_due)
    Assignment.objects.filter(question__appeal=appeal,
                              status__in=ACTIVE_ASSIGNMENT_STATUSES).update(
        due_date=new_due, reminded_at=None, escalated_at=None)


def _check_term_change(appeal: Appeal, *, allowed: frozenset[AppealStatus], refusal: str,
                       rule: Callable[[date, date], None]) -> date:
    """A control date changes only while the appeal is under control and has one (ст.8: an
    appeal not considered has none), and only as the deadline rule allows (the rule gets the
    date of receipt and the current control date, which is returned)."""
    if AppealStatus(appeal.status) not in allowed or appeal.due_date is None:
        raise AppealsError(Code.ILLEGAL_TRANSITION,
                           refusal % {"status": appeal.get_status_display()}, http_status=409)
    try:
        rule(clock.local_date(appeal.received_at), appeal.due_date)
    except DeadlineError as exc:
        raise from_rule(exc) from exc
    return appeal.due_date


def _check_extendable(appeal: Appeal, new_due: date) -> date:
    return _check_term_change(
        appeal, allowed=UNDER_CONTROL_STATUSES | {AppealStatus.ANSWERED},
        refusal=_("The term of an appeal in the status “%(status)s” cannot be extended."),
        rule=lambda received, due: deadlines.extension_check(received, due, new_due))


@transaction.atomic
def extension_request(
    *, actor: Any, assignment: Assignment, new_due: date, reason: str
) -> Extension:
    """The executor asks for a longer term; a supervisor decides."""
    reason = _reason(reason)
    appeal, assignment = lock_assignment(assignment)
    if assignment.status not in OWING_STATUSES:
        raise AppealsError(
            Code.ILLEGAL_TRANSITION,
            _("A longer term can be asked only for an assignment still in work."),
            http_status=409,
        )
    old_due = _check_extendable(appeal, new_due)
    extension = Extension.objects.create(
        appeal=appeal, assignment=assignment, requested_by=actor, reason=reason,
        old_due_date=old_due, new_due_date=new_due,
    )
    audit.record(actor=actor, action="extension.request", obj=appeal,
                 after={"new_due_date": new_due, "assignment": assignment.pk})
    history(appeal=appeal, actor=actor, action="extension_requested",
            note=f"{assignment.authority.name}: {new_due:%d.%m.%Y}. {reason}")
    Notification.objects.create(
        for_supervisors=True, appeal=appeal, kind=NotificationKind.EXTENSION,
        text=_("%(authority)s asks to extend %(number)s to %(date)s.")
        % {"authority": assignment.authority.name, "number": appeal.number,
           "date": new_due.strftime("%d.%m.%Y")},
    )
    return extension


def _grant(*, actor: Any, appeal: Appeal, new_due: date, reason: str) -> None:
    old = appeal.due_date
    _apply_due(appeal=appeal, new_due=new_due)
    audit.record(actor=actor, action="appeal.extend", obj=appeal,
                 before={"due_date": old}, after={"due_date": new_due})
    history(appeal=appeal, actor=actor, action="extended",
            note=f"{old:%d.%m.%Y} → {new_due:%d.%m.%Y}. {reason}")
    # ст.20: the applicant is told of the longer term.
    Notice.objects.create(
        appeal=appeal, kind=NoticeKind.EXTENDED,
        text=_("The term of consideration of your appeal %(number)s is extended to %(date)s: "
               "%(reason)s") % {"number": appeal.index, "date": new_due.strftime("%d.%m.%Y"),
                                "reason": reason},
    )


@transaction.atomic
def extension_decide(*, actor: Any, extension: Extension, approve: bool, note: str = "") -> Extension:
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.REQUESTED:
        raise AppealsError(Code.CONFLICT, _("This request has already been decided."),
                           http_status=409)
    appeal = lock(extension.appeal)
    if approve:
        _check_extendable(appeal, extension.new_due_date)
        _grant(actor=actor, appeal=appeal, new_due=extension.new_due_date, reason=extension.reason)
    elif not note.strip():
        raise AppealsError(Code.REASON_REQUIRED, _("Give the reason for refusing."), field="note")
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = clock.now()
    extension.decision_note = note.strip()
    extension.save()
    audit.record(actor=actor, action="extension.decide", obj=appeal,
                 after={"extension": extension.pk, "status": extension.status})
    return extension


@transaction.atomic
def appeal_extend(*, actor: Any, appeal: Appeal, new_due: date, reason: str) -> Extension:
    """A supervisor sets a longer term with a reason; never past 45 days from receipt."""
    reason = _reason(reason)
    appeal = lock(appeal)
    old_due = _check_extendable(appeal, new_due)
    extension = Extension.objects.create(
        appeal=appeal, requested_by=actor, reason=reason, old_due_date=old_due,
        new_due_date=new_due, status=ExtensionStatus.APPROVED, decided_by=actor,
        decided_at=clock.now(),
    )
    _grant(actor=actor, appeal=appeal, new_due=new_due, reason=reason)
    return extension


@transaction.atomic
def appeal_shorten(*, actor: Any, appeal: Appeal, new_due: date, reason: str) -> Appeal:
    """ст.20: on the applicant's reasoned request the term may be shortened."""
    reason = _reason(reason)
    appeal = lock(appeal)
    _check_term_change(
        appeal, allowed=UNDER_CONTROL_STATUSES,
        refusal=_("The term of an appeal in the status “%(status)s” cannot be shortened."),
        rule=lambda received, due: deadlines.shortened_check(received, due, new_due))
    old = appeal.due_date
    _apply_due(appeal=appeal, new_due=new_due)
    audit.record(actor=actor, action="appeal.shorten", obj=appeal,
                 before={"due_date": old}, after={"due_date": new_due})
    history(appeal=appeal, actor=actor, action="shortened",
            note=f"{old:%d.%m.%Y} → {new_due:%d.%m.%Y}. {reason}")
    return appeal


@dataclass(frozen=True)
class ControlReport:
    reminded: int
    escalated: int
    unrouted: int = 0


def routing_due(appeal: Appeal) -> date:
    """ст.7: the centre routes (or forwards) an appeal within 5 days of receipt; one that an
    executor returned as not in its competence, within 5 days of the return. One marked as
    lacking required content is watched against its 10-day return term instead (ст.5)."""
    if appeal.missing_content and appeal.due_date is not None:
        return appeal.due_date
    returned = appeal.status_changed_at if Assignment.objects.filter(
        question__appeal=appeal, status=AssignmentStatus.RETURNED).exists() else None
    if appeal.due_date is None:
        # Reopened after "not considered" at registration (ст.8): the 5 days run from then.
        returned = appeal.status_changed_at
    start = max(appeal.received_at, returned) if returned else appeal.received_at
    return deadlines.forwarding_due(clock.local_date(start))


def _escalate_unrouted(today: date) -> int:
    """Tell supervisors, once, of each registered appeal still without an executor past its
    5-day routing term."""
    count = 0
    for appeal in Appeal.objects.filter(status=AppealStatus.REGISTERED):
        due = routing_due(appeal)
        already = Notification.objects.filter(
            appeal=appeal, for_supervisors=True, kind=NotificationKind.ESCALATION,
            created_at__gte=appeal.status_changed_at).exists()
        if today <= due or already:
            continue
        Notification.objects.create(
            for_supervisors=True, appeal=appeal, kind=NotificationKind.ESCALATION,
            text=_("%(number)s has no executor: it had to be routed or forwarded by %(date)s.")
            % {"number": appeal.number, "date": due.strftime("%d.%m.%Y")},
        )
        count += 1
    return count


@transaction.atomic
def deadline_control(*, today: date | None = None) -> ControlReport:
    """Remind executors before the control date and escalate to supervisors after it; escalate
    appeals left without an executor past the 5-day routing term.

    Idempotent: each assignment is reminded once and escalated once per control date.
    """
    today = today or clock.today()
    remind_until = today + cast(timedelta, settings.VIKNO["REMIND_BEFORE"])
    active = Assignment.objects.filter(
        status__in=[AssignmentStatus.ASSIGNED, AssignmentStatus.IN_WORK,
                    AssignmentStatus.FOR_REVISION],
    ).select_related("question__appeal", "authority")
    now = clock.now()
    reminded = escalated = 0
    for assignment in active.filter(due_date__gte=today, due_date__lte=remind_until,
                                    reminded_at__isnull=True):
        appeal = assignment.question.appeal
        Notification.objects.create(
            authority=assignment.authority, appeal=appeal, kind=NotificationKind.REMINDER,
            text=_("The control date of %(number)s is %(date)s.")
            % {"number": appeal.number, "date": assignment.due_date.strftime("%d.%m.%Y")},
        )
        assignment.reminded_at = now
        assignment.save(update_fields=["reminded_at"])
        reminded += 1
    for assignment in active.filter(due_date__lt=today, escalated_at__isnull=True):
        appeal = assignment.question.appeal
        text = _("%(number)s is overdue at %(authority)s (control date %(date)s).") % {
            "number": appeal.number, "authority": assignment.authority.name,
            "date": assignment.due_date.strftime("%d.%m.%Y")}
        Notification.objects.create(authority=assignment.authority, appeal=appeal,
                                    kind=NotificationKind.ESCALATION, text=text)
        Notification.objects.create(for_supervisors=True, appeal=appeal,
                                    kind=NotificationKind.ESCALATION, text=text)
        assignment.escalated_at = now
        assignment.save(update_fields=["escalated_at"])
        escalated += 1
    unrouted = _escalate_unrouted(today)
    if reminded or escalated or unrouted:
        audit.record(actor=None, action="deadline.control", obj=None,
                     after={"reminded": reminded, "escalated": escalated, "unrouted": unrouted,
                            "today": today})
    return ControlReport(reminded=reminded, escalated=escalated, unrouted=unrouted)
