"""The centre's control of the case: ст.5/7/8 decisions, extensions (ст.20), deadline control."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code, from_rule
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OWING_STATUSES,
    UNDER_CONTROL_STATUSES,
    AppealStatus,
    AssignmentStatus,
    TransitionAction,
)
from vikno.appeals.models import (
    Appeal,
    Assignment,
    Extension,
    ExtensionStatus,
    NotConsideredReason,
    Notice,
    Notification,
    Question,
    RoutingTerm,
)
from vikno.appeals.models.work import LATE_ACTIONS, NoticeKind, NotificationKind
from vikno.appeals.services._common import (
    appeal_due_sync,
    appeal_move,
    assignment_move,
    assignments_of,
    history,
    lock,
    lock_assignment,
    notice,
    notification,
)
from vikno.appeals.services.routing_terms import term_close
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock
from vikno.directory import deadlines
from vikno.directory.deadlines import DeadlineError, latest_due_warned_by
from vikno.directory.selectors import working_calendar

# Assignments that still owe work; an answered one keeps its answer whatever happens next.
# Rows per statement in deadline control's bulk writes (SQLite's limit on bound parameters).
BATCH = 500


def _reason(note: str) -> str:
    if not note.strip():
        raise AppealsError(Code.REASON_REQUIRED, _("Give the reason."), field="note")
    return note.strip()


def _cancel_assignments(*, actor: Any, appeal: Appeal) -> None:
    """The appeal leaves the region's executors: nobody is left owing work on it."""
    for assignment in assignments_of(appeal, OWING_STATUSES):
        assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.CANCELLED,
                        action=AuditAction.ASSIGNMENT_CANCEL)


@transaction.atomic
def appeal_forward(*, actor: Any, appeal: Appeal, to_body: str, note: str = "") -> Appeal:
    """ст.7: an appeal outside the competence of the region's bodies goes to the competent body
    within 5 days of receipt, and the applicant is told."""
    if not to_body.strip():
        raise AppealsError(Code.MISSING_FIELD, _("Name the body the appeal is forwarded to."),
                           field="to_body")
    appeal = lock(appeal)
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.FORWARDED, action=TransitionAction.FORWARD,
                message="history.forwarded",
                params={"body": to_body.strip()[:300], "note": note.strip()})
    _cancel_assignments(actor=actor, appeal=appeal)
    term_close(appeal=appeal, action=TransitionAction.FORWARD)
    appeal.forwarded_to = to_body.strip()[:300]
    appeal.save(update_fields=["forwarded_to"])
    notice(appeal=appeal, kind=NoticeKind.FORWARDED, message="notice.forwarded",
           body=appeal.forwarded_to)
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
                action=TransitionAction.NOT_CONSIDERED, message="history.not_considered",
                params={"reason": reason, "note": note.strip()})
    _cancel_assignments(actor=actor, appeal=appeal)
    term_close(appeal=appeal, action=TransitionAction.NOT_CONSIDERED)
    appeal.not_considered_reason = reason
    appeal.status_note = note.strip()
    appeal.save(update_fields=["not_considered_reason", "status_note"])
    if appeal.applicant_id:
        notice(appeal=appeal, kind=NoticeKind.NOT_CONSIDERED, message="notice.not_considered",
               reason=reason)
    return appeal


@transaction.atomic
def appeal_return_missing_content(*, actor: Any, appeal: Appeal, note: str) -> Appeal:
    """ст.5: an appeal without the required content is returned with an explanation in 10 days."""
    note = _reason(note)
    appeal = lock(appeal)
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.RETURNED_MISSING_CONTENT,
                action=TransitionAction.RETURN_MISSING_CONTENT, note=note)
    _cancel_assignments(actor=actor, appeal=appeal)
    term_close(appeal=appeal, action=TransitionAction.RETURN_MISSING_CONTENT)
    appeal.status_note = note
    appeal.save(update_fields=["status_note"])
    notice(appeal=appeal, kind=NoticeKind.RETURNED, message="notice.returned", note=note)
    return appeal


def questions_of(appeal: Appeal, question: Question | None) -> list[Question]:
    """The questions a term change concerns (per-question control): the one named, which must be
    this appeal's, or every question of the appeal when none is named."""
    questions = list(appeal.questions.select_related("subtopic").order_by("id"))
    if question is None:
        return questions
    chosen = [q for q in questions if q.pk == question.pk]
    if not chosen:
        raise AppealsError(Code.INVALID_VALUE, _("Choose a question of this appeal."),
                           field="question")
    return chosen


def _apply_due(*, appeal: Appeal, questions: list[Question], new_due: date) -> None:
    """Move the named questions' control dates and their assignments' (reminders and escalations
    start over); the other questions keep theirs. The appeal's date follows (the latest)."""
    ids = [q.pk for q in questions]
    now = clock.now()
    Question.objects.filter(pk__in=ids).update(due_date=new_due, updated_at=now)
    Assignment.objects.filter(question__in=ids, status__in=ACTIVE_ASSIGNMENT_STATUSES).update(
        due_date=new_due, reminded_at=None, escalated_at=None, updated_at=now)
    for question in questions:
        question.due_date = new_due
    appeal_due_sync(appeal)


def _current(questions: list[Question], appeal: Appeal, *, latest: bool) -> date | None:
    """The control date a change is measured against: the question's own; for several, the latest
    (an extension moves none of them earlier) or the earliest (a shortening moves none later)."""
    dates = [q.due_date for q in questions if q.due_date is not None]
    if not dates:
        return appeal.due_date
    return max(dates) if latest else min(dates)


def _check_term_change(appeal: Appeal, *, current: date | None, allowed: frozenset[AppealStatus],
                       refusal: str, rule: Callable[[date, date], None]) -> date:
    """A control date changes only while the appeal is under control and has one (ст.8: an
    appeal not considered has none), and only as the deadline rule allows (the rule gets the
    date of receipt and the question's current control date, which is returned)."""
    if AppealStatus(appeal.status) not in allowed or appeal.due_date is None or current is None:
        raise AppealsError(Code.ILLEGAL_TRANSITION,
                           refusal % {"status": appeal.get_status_display()}, http_status=409)
    try:
        rule(clock.local_date(appeal.received_at), current)
    except DeadlineError as exc:
        raise from_rule(exc) from exc
    return current


def _check_extendable(appeal: Appeal, questions: list[Question], new_due: date) -> date:
    """ст.20 of the Law on citizens' appeals (45 days from the appeal's receipt, for each
    question), or Law 2939-VI ст.20 ч.4 for a request for public information (20 working days,
    decided within the first 5). The new date must be later than the question's own."""
    def rule(received: date, due: date) -> None:
        if appeal.is_public_information:
            deadlines.public_information_extension_check(
                received, due, new_due, today=clock.today(), calendar=working_calendar())
        else:
            deadlines.extension_check(received, due, new_due)

    return _check_term_change(
        appeal, current=_current(questions, appeal, latest=True),
        allowed=UNDER_CONTROL_STATUSES | {AppealStatus.ANSWERED},
        refusal=_("The term of an appeal in the status “%(status)s” cannot be extended."),
        rule=rule)


def _question_param(appeal: Appeal, questions: list[Question]) -> dict[str, str]:
    """The sub-topic of the one question a change concerns, for the texts about it (an appeal of
    one question, or a change of every question, needs none)."""
    if len(questions) != 1 or appeal.questions.count() < 2:
        return {}
    return {"question": questions[0].subtopic.name}


@transaction.atomic
def extension_request(
    *, actor: Any, assignment: Assignment, new_due: date, reason: str
) -> Extension:
    """The executor asks for a longer term of its assignment's question; the body's head decides
    (in the workspace, or through the centre's supervisor)."""
    reason = _reason(reason)
    appeal, assignment = lock_assignment(assignment)
    if assignment.status not in OWING_STATUSES:
        raise AppealsError(
            Code.ILLEGAL_TRANSITION,
            _("A longer term can be asked only for an assignment still in work."),
            http_status=409,
        )
    question = assignment.question
    old_due = _check_extendable(appeal, [question], new_due)
    extension = Extension.objects.create(
        appeal=appeal, assignment=assignment, question=question, requested_by=actor,
        reason=reason, old_due_date=old_due, new_due_date=new_due,
    )
    audit.record(actor=actor, action=AuditAction.EXTENSION_REQUEST, obj=appeal,
                 after={"new_due_date": new_due, "assignment": assignment.pk,
                        "question": question.pk})
    history(appeal=appeal, actor=actor, action=TransitionAction.EXTENSION_REQUESTED,
            message="history.extension_requested",
            params={"authority": assignment.authority.code, "number": appeal.number,
                    "date": new_due, "note": reason})
    notification(for_supervisors=True, appeal=appeal, kind=NotificationKind.EXTENSION,
                 message="notification.extension", authority=assignment.authority.code,
                 date=new_due)
    return extension


@dataclass(frozen=True)
class Decider:
    """ст.20: who extended the term (the head of the body considering the appeal, or a deputy)
    and the document of the decision."""

    name: str = ""
    position: str = ""
    body: str = ""
    document_number: str = ""
    document_date: date | None = None

    def fields(self) -> dict[str, Any]:
        return {"decider_name": self.name, "decider_position": self.position,
                "decider_body": self.body, "document_number": self.document_number,
                "document_date": self.document_date}


def _decider(decider: Decider | None, *, received_on: date) -> Decider:
    """Every part of the decision is required: an extension without who decided it is refused."""
    decider = decider or Decider()
    cleaned = Decider(name=decider.name.strip()[:200], position=decider.position.strip()[:200],
                      body=decider.body.strip()[:300],
                      document_number=decider.document_number.strip()[:64],
                      document_date=decider.document_date)
    messages = {
        "decider_name": _("Enter who extended the term: the head of the body or a deputy (ст.20)."),
        "decider_position": _("Enter the position of the one who extended the term."),
        "decider_body": _("Enter the body whose head extended the term."),
        "document_number": _("Enter the number of the document extending the term."),
        "document_date": _("Enter the date of the document extending the term."),
    }
    for name, message in messages.items():
        if not cleaned.fields()[name]:
            raise AppealsError(Code.EXTENSION_DECIDER_REQUIRED, message, field=name)
    if cleaned.document_date and cleaned.document_date > clock.today():
        raise AppealsError(Code.INVALID_VALUE, _("The date of the document cannot be in the future."),
                           field="document_date")
    # A decision to extend the term of an appeal is made after the appeal was received.
    if cleaned.document_date and cleaned.document_date < received_on:
        raise AppealsError(Code.INVALID_VALUE,
                           _("The date of the document cannot be earlier than the receipt of the "
                             "appeal."), field="document_date")
    return cleaned


def head_decider(*, actor: Any, document_number: str, document_date: date | None) -> Decider:
    """The decision of a body's head taken in the workspace: who decided comes from the account."""
    membership = actor.membership
    return Decider(name=actor.get_full_name() or actor.get_username(),
                   position=membership.position, body=membership.authority.name,
                   document_number=document_number, document_date=document_date)


def extended_notice(*, appeal: Appeal, new_due: date, reason: str, decider: Decider,
                    question: str = "") -> Notice:
    """ст.20: the applicant is told of the longer term, why, who extended it, and of which
    question (its sub-topic) when the appeal has several."""
    extra = {"question": question} if question else {}
    return notice(appeal=appeal, kind=NoticeKind.EXTENDED, message="notice.extended", date=new_due,
                  reason_text=reason, decider_name=decider.name, decider_position=decider.position,
                  decider_body=decider.body, document=decider.document_number,
                  document_date=decider.document_date, **extra)


def _grant(*, actor: Any, appeal: Appeal, questions: list[Question], new_due: date, reason: str,
           decider: Decider) -> None:
    old = _current(questions, appeal, latest=True)
    named = _question_param(appeal, questions)
    _apply_due(appeal=appeal, questions=questions, new_due=new_due)
    # The decider's name is an official's, acting in office; the trail keeps the document only.
    audit.record(actor=actor, action=AuditAction.APPEAL_EXTEND, obj=appeal,
                 before={"due_date": old},
                 after={"due_date": new_due, "appeal_due_date": appeal.due_date,
                        "questions": [q.pk for q in questions],
                        "document_number": decider.document_number,
                        "document_date": decider.document_date})
    history(appeal=appeal, actor=actor, action=TransitionAction.EXTENDED, message="history.extended",
            params={"old_date": old, "date": new_due, "note": reason,
                    "decider_position": decider.position, "decider_body": decider.body,
                    "document": decider.document_number, **named})
    extended_notice(appeal=appeal, new_due=new_due, reason=reason, decider=decider,
                    question=named.get("question", ""))


@transaction.atomic
def extension_decide(
    *, actor: Any, extension: Extension, approve: bool, note: str = "",
    decider: Decider | None = None,
) -> Extension:
    """Approve or refuse an executor's request. An approval records who decided it (ст.20): the
    supervisor enters the body head's decision, or the head decides in the workspace
    (`head_decider`). Who may call this is decided by access.extension_get_for."""
    received_on = clock.local_date(extension.appeal.received_at)
    checked = _decider(decider, received_on=received_on) if approve else None
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != ExtensionStatus.REQUESTED:
        raise AppealsError(Code.CONFLICT, _("This request has already been decided."),
                           http_status=409)
    appeal = lock(extension.appeal)
    if checked is not None:
        # The request concerns its question (an older appeal-wide row: every question).
        questions = questions_of(appeal, extension.question)
        _check_extendable(appeal, questions, extension.new_due_date)
        _grant(actor=actor, appeal=appeal, questions=questions, new_due=extension.new_due_date,
               reason=extension.reason, decider=checked)
        for name, value in checked.fields().items():
            setattr(extension, name, value)
    elif not note.strip():
        raise AppealsError(Code.REASON_REQUIRED, _("Give the reason for refusing."), field="note")
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = clock.now()
    extension.decision_note = note.strip()
    extension.save()
    audit.record(actor=actor, action=AuditAction.EXTENSION_DECIDE, obj=appeal,
                 after={"extension": extension.pk, "status": extension.status})
    return extension


@transaction.atomic
def appeal_extend(
    *, actor: Any, appeal: Appeal, new_due: date, reason: str, decider: Decider | None = None,
    question: Question | None = None,
) -> Extension:
    """A supervisor records, on the body's behalf, the longer term its head decided (ст.20): with
    a reason and who decided it; never past 45 days from receipt. It concerns one question (the
    others keep their dates) or, with none named, every question of the appeal."""
    reason = _reason(reason)
    appeal = lock(appeal)
    questions = questions_of(appeal, question)
    old_due = _check_extendable(appeal, questions, new_due)
    checked = _decider(decider, received_on=clock.local_date(appeal.received_at))
    extension = Extension.objects.create(
        appeal=appeal, question=questions[0] if question is not None else None,
        requested_by=actor, reason=reason, old_due_date=old_due, new_due_date=new_due,
        status=ExtensionStatus.APPROVED, decided_by=actor, decided_at=clock.now(), **checked.fields(),
    )
    _grant(actor=actor, appeal=appeal, questions=questions, new_due=new_due, reason=reason,
           decider=checked)
    return extension


@transaction.atomic
def appeal_shorten(*, actor: Any, appeal: Appeal, new_due: date, reason: str,
                   question: Question | None = None) -> Appeal:
    """ст.20: on the applicant's reasoned request the term may be shortened: of one question (the
    others keep their dates) or, with none named, of every question."""
    reason = _reason(reason)
    appeal = lock(appeal)
    questions = questions_of(appeal, question)
    old = _check_term_change(
        appeal, current=_current(questions, appeal, latest=False), allowed=UNDER_CONTROL_STATUSES,
        refusal=_("The term of an appeal in the status “%(status)s” cannot be shortened."),
        rule=lambda received, due: deadlines.shortened_check(received, due, new_due))
    named = _question_param(appeal, questions)
    _apply_due(appeal=appeal, questions=questions, new_due=new_due)
    audit.record(actor=actor, action=AuditAction.APPEAL_SHORTEN, obj=appeal,
                 before={"due_date": old},
                 after={"due_date": new_due, "appeal_due_date": appeal.due_date,
                        "questions": [q.pk for q in questions]})
    history(appeal=appeal, actor=actor, action=TransitionAction.SHORTENED, message="history.term_changed",
            params={"old_date": old, "date": new_due, "note": reason, **named})
    return appeal


@dataclass(frozen=True)
class ControlReport:
    reminded: int
    escalated: int
    unrouted: int = 0


def _claim(qs: QuerySet[Any]) -> list[Any]:
    """The rows of `qs` that no other run holds, locked until this transaction ends.

    Two overlapping runs never take the same row: on PostgreSQL the second skips the rows the
    first has locked, and once the first commits its marks (reminded_at, escalated_at) exclude
    them from the second's conditions (re-checked on the latest row version). SQLite has no row
    locks but runs one writing transaction at a time, which gives the same result."""
    return list(qs.select_for_update(skip_locked=True, of=("self",)))


def _mark(model: type[Any], rows: list[Any], **values: Any) -> None:
    ids = [row.pk for row in rows]
    for start in range(0, len(ids), BATCH):
        model.objects.filter(pk__in=ids[start:start + BATCH]).update(**values)


def _remind(today: date, now: Any) -> int:
    """Remind `REMIND_BEFORE` ahead of the warning date (the last working day before the control
    date), so a term ending on a Sunday is reminded for by the Friday. The bound is computed in
    Python over the cached calendar and stays one SQL condition: the query count does not grow."""
    until = latest_due_warned_by(today + cast(timedelta, settings.VIKNO["REMIND_BEFORE"]),
                                 working_calendar())
    rows = _claim(Assignment.objects.filter(
        status__in=OWING_STATUSES, due_date__gte=today, due_date__lte=until,
        reminded_at__isnull=True).select_related("question__appeal", "authority"))
    Notification.objects.bulk_create(
        [notification(appeal=a.question.appeal, kind=NotificationKind.REMINDER,
                      message="notification.reminder", to_authority=a.authority,
                      date=a.due_date, save=False) for a in rows], batch_size=BATCH)
    _mark(Assignment, rows, reminded_at=now)
    return len(rows)


def _escalate(today: date, now: Any) -> int:
    rows = _claim(Assignment.objects.filter(
        status__in=OWING_STATUSES, due_date__lt=today, escalated_at__isnull=True,
    ).select_related("question__appeal", "authority"))
    made = []
    for a in rows:
        params = {"authority": a.authority.code, "date": a.due_date}
        made += [notification(appeal=a.question.appeal, kind=NotificationKind.ESCALATION,
                              message="notification.overdue", to_authority=a.authority,
                              save=False, **params),
                 notification(appeal=a.question.appeal, kind=NotificationKind.ESCALATION,
                              message="notification.overdue", for_supervisors=True,
                              save=False, **params)]
    Notification.objects.bulk_create(made, batch_size=BATCH)
    _mark(Assignment, rows, escalated_at=now)
    return len(rows)


def _escalate_routing(today: date, now: Any) -> int:
    """ст.7: tell supervisors, once per term, of each appeal not routed or forwarded within its
    5-day term: still without an executor past the term, or routed or forwarded after it
    (at registration too, for an appeal received long before)."""
    missed = Q(done_date__isnull=True, due_date__lt=today) | Q(
        done_date__gt=F("due_date"), done_action__in=LATE_ACTIONS)
    terms = _claim(RoutingTerm.objects.filter(missed, escalated_at__isnull=True)
                   .select_related("appeal"))
    Notification.objects.bulk_create([
        notification(appeal=t.appeal, kind=NotificationKind.ESCALATION, for_supervisors=True,
                     save=False, date=t.due_date,
                     **({"message": "notification.unrouted"} if t.done_date is None else
                        {"message": "notification.routed_late", "start_date": t.start_date,
                         "done_date": t.done_date}))
        for t in terms], batch_size=BATCH)
    _mark(RoutingTerm, terms, escalated_at=now)
    return len(terms)


@transaction.atomic
def deadline_control(*, today: date | None = None) -> ControlReport:
    """Remind executors before the control date and escalate to supervisors after it; tell
    supervisors of appeals not routed or forwarded within the 5-day term.

    Safe when runs overlap: each row is claimed by one run (see _claim) and marked in the same
    transaction, so every assignment is reminded once and escalated once per control date, and
    every routing term is escalated once. A fixed number of queries, however many appeals.
    """
    today = today or clock.today()
    now = clock.now()
    reminded = _remind(today, now)
    escalated = _escalate(today, now)
    unrouted = _escalate_routing(today, now)
    if reminded or escalated or unrouted:
        audit.record(actor=None, action=AuditAction.DEADLINE_CONTROL, obj=None,
                     after={"reminded": reminded, "escalated": escalated, "unrouted": unrouted,
                            "today": today})
    return ControlReport(reminded=reminded, escalated=escalated, unrouted=unrouted)
