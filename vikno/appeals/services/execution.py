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
    Reply,
    ReplyResult,
)
from vikno.appeals.models.work import NoticeKind, NotificationKind
from vikno.appeals.services._common import (
    appeal_move,
    assignment_move,
    assignments_of,
    history,
    lock,
    lock_assignment,
    notice,
    notification,
)
from vikno.appeals.services.routing_terms import term_open
from vikno.audit import services as audit
from vikno.core import clock

# A rating at or below this sends the result back for revision, like an unconfirmed one.
POOR_RATING = 2
ANSWERABLE_STATUSES = frozenset({
    AppealStatus.ASSIGNED, AppealStatus.IN_WORK, AppealStatus.RETURNED_FOR_REVISION,
})
# Assignments still owing work when the appeal is closed: nobody waits for them any more.
OWING_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_WORK, AssignmentStatus.FOR_REVISION)


def _accept(*, actor: Any, appeal: Appeal, assignment: Assignment) -> None:
    assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.IN_WORK,
                    action="accept")
    if appeal.status in (AppealStatus.ASSIGNED, AppealStatus.RETURNED_FOR_REVISION):
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.IN_WORK, action="accept",
                    message="history.executors",
                    params={"authorities": [assignment.authority.code]})


@transaction.atomic
def assignment_accept(*, actor: Any, assignment: Assignment) -> Assignment:
    """The executor takes the assignment into work."""
    appeal, assignment = lock_assignment(assignment)
    _accept(actor=actor, appeal=appeal, assignment=assignment)
    return assignment


def _all_mains_answered(appeal: Appeal) -> bool:
    """Every question has its main executor's answer (one query)."""
    answered = Assignment.objects.filter(question__appeal=appeal, role=AssignmentRole.MAIN,
                                         status=AssignmentStatus.ANSWERED).values("question_id")
    return not appeal.questions.exclude(pk__in=answered).exists()


@transaction.atomic
def reply_submit(*, actor: Any, assignment: Assignment, result: str, text: str) -> Reply:
    """The executor's answer. "Not in competence" returns the assignment to the centre, which
    re-routes the appeal within 5 days; any other result answers the assignment."""
    if result not in ReplyResult.values:
        raise AppealsError(Code.INVALID_VALUE, _("Choose the result of consideration."), field="result")
    if not text.strip():
        raise AppealsError(Code.MISSING_FIELD, _("Enter the text of the answer."), field="text")
    appeal, assignment = lock_assignment(assignment)
    if assignment.status == AssignmentStatus.ASSIGNED and result != ReplyResult.NOT_IN_COMPETENCE:
        _accept(actor=actor, appeal=appeal, assignment=assignment)
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
                message="history.authority_note",
                params={"authority": assignment.authority.code, "note": text.strip()})
        notification(for_supervisors=True, appeal=appeal, kind=NotificationKind.RETURNED,
                     message="notification.returned", authority=assignment.authority.code)
        if assignment.role == AssignmentRole.MAIN:
            # ст.7: the question has no executor: the centre re-routes within 5 days of the return.
            term_open(appeal=appeal, start=clock.today())
        still_main = Assignment.objects.filter(
            question=assignment.question, role=AssignmentRole.MAIN,
            status__in=ACTIVE_ASSIGNMENT_STATUSES).exists()
        if not still_main and appeal.status in (AppealStatus.ASSIGNED, AppealStatus.IN_WORK):
            appeal_move(actor=actor, appeal=appeal, target=AppealStatus.REGISTERED,
                        action="returned_not_in_competence", message="history.executors",
                        params={"authorities": [assignment.authority.code]})
    elif appeal.status in ANSWERABLE_STATUSES and _all_mains_answered(appeal):
        # A co-executor may still answer after the main answer went to the applicant: that
        # answer is kept, but the appeal does not go back to "answered".
        if appeal.status == AppealStatus.ASSIGNED:
            appeal_move(actor=actor, appeal=appeal, target=AppealStatus.IN_WORK, action="accept")
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.ANSWERED, action="answer")
    return reply


def _send_back(*, actor: Any, appeal: Appeal, action: str, note: str = "", message: str = "",
               params: dict[str, Any] | None = None) -> None:
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.RETURNED_FOR_REVISION,
                action=action, note=note, message=message, params=params)
    for assignment in assignments_of(appeal, [AssignmentStatus.ANSWERED, AssignmentStatus.CLOSED]):
        assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.FOR_REVISION,
                        action="revision")


def _close_assignments(*, actor: Any, appeal: Appeal) -> None:
    """Answered assignments close with the appeal; the rest are cancelled, so a closed appeal
    leaves no assignment in force (no reminders, no escalations, nothing left in a queue)."""
    for assignment in assignments_of(appeal, [AssignmentStatus.ANSWERED, *OWING_STATUSES]):
        answered = assignment.status == AssignmentStatus.ANSWERED
        assignment_move(actor=actor, assignment=assignment,
                        target=AssignmentStatus.CLOSED if answered else AssignmentStatus.CANCELLED,
                        action="close" if answered else "cancel")


@transaction.atomic
def answer_review(*, actor: Any, appeal: Appeal, accept: bool, note: str = "") -> Appeal:
    """The centre checks the executors' answer: pass it to the applicant, or send it back."""
    appeal = lock(appeal)
    if accept:
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.AWAITING_CONFIRMATION,
                    action="answer_accepted", note=note)
        notice(appeal=appeal, kind=NoticeKind.ANSWERED, message="notice.answered")
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
                    message="history.confirmed", params={"r": rating})
    else:
        # The applicant's comment stays on the Feedback row: it may name people or places, and
        # the note is copied into the audit trail.
        _send_back(actor=actor, appeal=appeal, action="not_confirmed",
                   message="history.not_confirmed" if not confirmed else "history.poor_rating",
                   params={"r": rating})
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
        # A wrongly rejected appeal is routed (or forwarded) within 5 days of its reopening.
        term_open(appeal=appeal, start=clock.today())
    else:
        _send_back(actor=actor, appeal=appeal, action="reopen", note=note)
    return appeal
