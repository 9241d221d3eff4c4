"""The executor's work and the centre's control of the answer: accept, reply, review, confirm."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.lifecycle import ACTIVE_ASSIGNMENT_STATUSES, AppealStatus, AssignmentStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Feedback,
    Notice,
    Notification,
    Reply,
    ReplyResult,
)
from vikno.appeals.models.work import NoticeKind, NotificationKind
from vikno.appeals.services._common import appeal_move, assignment_move, history, lock
from vikno.audit import services as audit
from vikno.core import clock

# A rating at or below this sends the result back for revision, like an unconfirmed one.
POOR_RATING = 2


def _lock_assignment(assignment: Assignment) -> tuple[Appeal, Assignment]:
    appeal = lock(assignment.question.appeal)
    fresh = Assignment.objects.select_for_update().select_related(
        "question__appeal", "authority").get(pk=assignment.pk)
    return appeal, fresh


@transaction.atomic
def assignment_accept(*, actor: Any, assignment: Assignment) -> Assignment:
    """The executor takes the assignment into work."""
    appeal, assignment = _lock_assignment(assignment)
    assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.IN_WORK,
                    action="accept")
    if appeal.status in (AppealStatus.ASSIGNED, AppealStatus.RETURNED_FOR_REVISION):
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.IN_WORK, action="accept",
                    note=assignment.authority.name)
    return assignment


def _all_mains_answered(appeal: Appeal) -> bool:
    mains = Assignment.objects.filter(question__appeal=appeal, role=AssignmentRole.MAIN,
                                      status__in=ACTIVE_ASSIGNMENT_STATUSES)
    questions = appeal.questions.count()
    return mains.count() == questions and not mains.exclude(status=AssignmentStatus.ANSWERED).exists()


@transaction.atomic
def reply_submit(*, actor: Any, assignment: Assignment, result: str, text: str) -> Reply:
    """The executor's answer. "Not in competence" returns the assignment to the centre, which
    re-routes the appeal within 5 days; any other result answers the assignment."""
    if result not in ReplyResult.values:
        raise AppealsError(Code.INVALID_VALUE, _("Choose the result of consideration."), field="result")
    if not text.strip():
        raise AppealsError(Code.MISSING_FIELD, _("Enter the text of the answer."), field="text")
    appeal, assignment = _lock_assignment(assignment)
    if assignment.status == AssignmentStatus.ASSIGNED and result != ReplyResult.NOT_IN_COMPETENCE:
        assignment_accept(actor=actor, assignment=assignment)
        appeal.refresh_from_db()
        assignment.refresh_from_db()
    target = (AssignmentStatus.RETURNED if result == ReplyResult.NOT_IN_COMPETENCE
              else AssignmentStatus.ANSWERED)
    assignment_move(actor=actor, assignment=assignment, target=target, action="reply")
    reply = Reply.objects.create(assignment=assignment, result=result, text=text.strip(),
                                 answered_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="reply.submit", obj=reply,
                 object_label=f"{appeal.number} ← {assignment.authority.code}",
                 after={"result": result, "assignment": assignment.pk})
    if result == ReplyResult.NOT_IN_COMPETENCE:
        history(appeal=appeal, actor=actor, action="returned_not_in_competence",
                note=f"{assignment.authority.name}: {text.strip()}")
        Notification.objects.create(
            for_supervisors=True, appeal=appeal, kind=NotificationKind.RETURNED,
            text=_("%(authority)s returned %(number)s as not in its competence: re-route it within "
                   "5 days.") % {"authority": assignment.authority.name, "number": appeal.number},
        )
        still_main = Assignment.objects.filter(
            question=assignment.question, role=AssignmentRole.MAIN,
            status__in=ACTIVE_ASSIGNMENT_STATUSES).exists()
        if not still_main and appeal.status in (AppealStatus.ASSIGNED, AppealStatus.IN_WORK):
            appeal_move(actor=actor, appeal=appeal, target=AppealStatus.REGISTERED,
                        action="returned_not_in_competence", note=assignment.authority.name)
    elif _all_mains_answered(appeal):
        if appeal.status == AppealStatus.ASSIGNED:
            appeal_move(actor=actor, appeal=appeal, target=AppealStatus.IN_WORK, action="accept")
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.ANSWERED, action="answer")
    return reply


def _send_back(*, actor: Any, appeal: Appeal, action: str, note: str) -> None:
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.RETURNED_FOR_REVISION,
                action=action, note=note)
    for assignment in Assignment.objects.filter(
            question__appeal=appeal,
            status__in=[AssignmentStatus.ANSWERED, AssignmentStatus.CLOSED]).select_related(
            "question__appeal", "authority"):
        assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.FOR_REVISION,
                        action="revision")


def _close_assignments(*, actor: Any, appeal: Appeal) -> None:
    for assignment in Assignment.objects.filter(
            question__appeal=appeal, status=AssignmentStatus.ANSWERED).select_related(
            "question__appeal", "authority"):
        assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.CLOSED,
                        action="close")


@transaction.atomic
def answer_review(*, actor: Any, appeal: Appeal, accept: bool, note: str = "") -> Appeal:
    """The centre checks the executors' answer: pass it to the applicant, or send it back."""
    appeal = lock(appeal)
    if accept:
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.AWAITING_CONFIRMATION,
                    action="answer_accepted", note=note)
        Notice.objects.create(appeal=appeal, kind=NoticeKind.ANSWERED,
                              text=_("Your appeal %(number)s has been answered.")
                              % {"number": appeal.number})
    else:
        if not note.strip():
            raise AppealsError(Code.REASON_REQUIRED, _("Explain what must be revised."), field="note")
        _send_back(actor=actor, appeal=appeal, action="answer_rejected", note=note)
    return appeal


@transaction.atomic
def feedback_record(
    *, actor: Any, appeal: Appeal, confirmed: bool, rating: int | None, comment: str = ""
) -> Feedback:
    """The applicant's confirmation and rating 1–5. Unconfirmed or poorly rated → for revision."""
    if rating is not None and not 1 <= rating <= 5:
        raise AppealsError(Code.RATING_OUT_OF_RANGE, _("The rating must be from 1 to 5."),
                           field="rating")
    appeal = lock(appeal)
    if appeal.status not in (AppealStatus.AWAITING_CONFIRMATION, AppealStatus.ANSWERED):
        raise AppealsError(
            Code.ILLEGAL_TRANSITION,
            _("The applicant's confirmation can be recorded only after the answer is given."),
            http_status=409,
        )
    feedback = Feedback.objects.create(appeal=appeal, confirmed=confirmed, rating=rating,
                                       comment=comment.strip(),
                                       recorded_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="feedback.record", obj=appeal,
                 after={"confirmed": confirmed, "rating": rating})
    if confirmed and (rating is None or rating > POOR_RATING):
        if appeal.status == AppealStatus.ANSWERED:
            appeal_move(actor=actor, appeal=appeal, target=AppealStatus.AWAITING_CONFIRMATION,
                        action="answer_accepted")
        _close_assignments(actor=actor, appeal=appeal)
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.CLOSED, action="confirm",
                    note=_("Confirmed, rating %(r)s") % {"r": rating or "—"})
    else:
        note = (_("Not confirmed by the applicant") if not confirmed
                else _("Poor rating: %(r)s") % {"r": rating})
        _send_back(actor=actor, appeal=appeal, action="not_confirmed",
                   note=f"{note}. {comment}".strip())
    return feedback


@transaction.atomic
def appeal_close(*, actor: Any, appeal: Appeal, note: str) -> Appeal:
    """A supervisor removes an answered appeal from control without confirmation (with a reason)."""
    if not note.strip():
        raise AppealsError(Code.REASON_REQUIRED, _("Give the reason for closing."), field="note")
    appeal = lock(appeal)
    if appeal.status not in (AppealStatus.ANSWERED, AppealStatus.AWAITING_CONFIRMATION):
        raise AppealsError(
            Code.ILLEGAL_TRANSITION,
            _("Only an answered appeal can be closed; this one is “%(status)s”.")
            % {"status": appeal.get_status_display()},
            http_status=409,
        )
    _close_assignments(actor=actor, appeal=appeal)
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.CLOSED, action="close", note=note)
    return appeal


@transaction.atomic
def appeal_reopen(*, actor: Any, appeal: Appeal, note: str) -> Appeal:
    """A supervisor reopens a closed appeal (back for revision) or a wrongly rejected one."""
    if not note.strip():
        raise AppealsError(Code.REASON_REQUIRED, _("Give the reason for reopening."), field="note")
    appeal = lock(appeal)
    if appeal.status == AppealStatus.NOT_CONSIDERED:
        appeal.not_considered_reason = ""
        appeal.save(update_fields=["not_considered_reason"])
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.REGISTERED, action="reopen",
                    note=note)
    else:
        _send_back(actor=actor, appeal=appeal, action="reopen", note=note)
    appeal.updated_at = clock.now()
    return appeal
