"""The executor's work and the centre's control of the answer: accept, reply, review, confirm."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.appeals.errors import AppealsError, Code
from vikno.appeals.lifecycle import (
    ACTIVE_ASSIGNMENT_STATUSES,
    OWING_STATUSES,
    AppealStatus,
    AssignmentStatus,
    TransitionAction,
    appeal_transition_check,
)
from vikno.appeals.messages import NOTE
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Feedback,
    Notice,
    Question,
    Reply,
    ReplyResult,
)
from vikno.appeals.models.work import NoticeKind, NotificationKind
from vikno.appeals.services import counts
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
from vikno.appeals.services.repeat import past_cap, repeat_register
from vikno.appeals.services.routing_terms import term_open
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock

# A rating at or below this sends the result back for revision, like an unconfirmed one.
POOR_RATING = 2
ANSWERABLE_STATUSES = frozenset({
    AppealStatus.ASSIGNED, AppealStatus.IN_WORK, AppealStatus.RETURNED_FOR_REVISION,
})
# An answer that can be sent back for revision: given, or closed with its appeal.
REVISABLE = (AssignmentStatus.ANSWERED, AssignmentStatus.CLOSED)


def _accept(*, actor: Any, appeal: Appeal, assignment: Assignment) -> None:
    assignment_move(actor=actor, assignment=assignment, target=AssignmentStatus.IN_WORK,
                    action=AuditAction.ASSIGNMENT_ACCEPT)
    if appeal.status in (AppealStatus.ASSIGNED, AppealStatus.RETURNED_FOR_REVISION):
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.IN_WORK, action=TransitionAction.ACCEPT,
                    message="history.executors",
                    params={"authorities": [assignment.authority.code]})


@transaction.atomic
def assignment_accept(*, actor: Any, assignment: Assignment) -> Assignment:
    """The executor takes the assignment into work."""
    appeal, assignment = lock_assignment(assignment)
    _accept(actor=actor, appeal=appeal, assignment=assignment)
    return assignment


def _all_mains_answered(appeal: Appeal) -> bool:
    """Every question has its main executor's answer (one query). A question not sent back when
    its closed appeal was reopened keeps its closed answer."""
    answered = Assignment.objects.filter(question__appeal=appeal, role=AssignmentRole.MAIN,
                                         status__in=REVISABLE).values("question_id")
    return not appeal.questions.exclude(pk__in=answered).exists()


def _refusal_grounds(result: str, grounds: dict[str, str]) -> dict[str, str]:
    """ст.15: a refusal names its reasons and legal basis and explains how to appeal it (ст.16);
    each is required. Other results carry none of them."""
    cleaned = {name: (value or "").strip() for name, value in grounds.items()}
    if result != ReplyResult.REFUSED:
        return dict.fromkeys(cleaned, "")
    messages = {
        "refusal_reasons": _("A refusal must state its reasons (ст.15 of the Law)."),
        "legal_basis": _("A refusal must refer to the law it rests on (ст.15 of the Law)."),
        "appeal_procedure": _("A refusal must explain how it can be appealed (ст.15, ст.16 of "
                              "the Law)."),
    }
    for name, message in messages.items():
        if not cleaned[name]:
            raise AppealsError(Code.REFUSAL_INCOMPLETE, message, field=name)
    return cleaned


def _answer_letter(*, letter: dict[str, Any], required: bool, received_on: date) -> dict[str, Any]:
    """The body's letter to the applicant: outgoing number and date, who signed it. Required of
    the main executor's answer (it is the answer the applicant gets); a co-executor may omit it."""
    cleaned = {name: value.strip() if isinstance(value, str) else value
               for name, value in letter.items()}
    messages = {
        "outgoing_number": _("Enter the outgoing number of the answer letter."),
        "outgoing_date": _("Enter the date of the answer letter."),
        "signatory_name": _("Enter who signed the answer."),
        "signatory_position": _("Enter the position of the one who signed the answer."),
    }
    for name, message in messages.items():
        if required and not cleaned[name]:
            raise AppealsError(Code.ANSWER_LETTER_REQUIRED, message, field=name)
    sent_on = cleaned["outgoing_date"]
    if isinstance(sent_on, date) and sent_on > clock.today():
        raise AppealsError(Code.INVALID_VALUE, _("The date of the answer letter cannot be in the "
                                                 "future."), field="outgoing_date")
    # The answer cannot predate the appeal it answers.
    if isinstance(sent_on, date) and sent_on < received_on:
        raise AppealsError(Code.INVALID_VALUE, _("The date of the answer letter cannot be earlier "
                                                 "than the receipt of the appeal."),
                           field="outgoing_date")
    return cleaned


@transaction.atomic
def reply_submit(
    *, actor: Any, assignment: Assignment, result: str, text: str,
    outgoing_number: str = "", outgoing_date: date | None = None, signatory_name: str = "",
    signatory_position: str = "", refusal_reasons: str = "", legal_basis: str = "",
    appeal_procedure: str = "",
) -> Reply:
    """The executor's answer. "Not in competence" returns the assignment to the centre, which
    re-routes the appeal within 5 days; any other result answers the assignment. The main
    executor's answer is the body's letter (number, date, signatory); a refusal carries its
    reasons, legal basis and how to appeal (ст.15)."""
    if result not in ReplyResult.values:
        raise AppealsError(Code.INVALID_VALUE, _("Choose the result of consideration."), field="result")
    if not text.strip():
        raise AppealsError(Code.MISSING_FIELD, _("Enter the text of the answer."), field="text")
    grounds = _refusal_grounds(result, {"refusal_reasons": refusal_reasons,
                                        "legal_basis": legal_basis,
                                        "appeal_procedure": appeal_procedure})
    appeal, assignment = lock_assignment(assignment)
    returned = result == ReplyResult.NOT_IN_COMPETENCE
    letter = _answer_letter(
        letter={"outgoing_number": outgoing_number, "outgoing_date": outgoing_date,
                "signatory_name": signatory_name, "signatory_position": signatory_position},
        required=assignment.role == AssignmentRole.MAIN and not returned,
        received_on=clock.local_date(appeal.received_at))
    if assignment.status == AssignmentStatus.ASSIGNED and not returned:
        _accept(actor=actor, appeal=appeal, assignment=assignment)
    target = AssignmentStatus.RETURNED if returned else AssignmentStatus.ANSWERED
    assignment_move(actor=actor, assignment=assignment, target=target, action=AuditAction.ASSIGNMENT_REPLY)
    first = (assignment.role == AssignmentRole.MAIN
             and not Reply.objects.filter(assignment=assignment).exists())
    reply = Reply.objects.create(assignment=assignment, result=result, text=text.strip(),
                                 answered_by=actor if getattr(actor, "pk", None) else None,
                                 **letter, **grounds)
    if first:
        counts.first_reply(assignment=assignment, reply=reply)
    # The letter's number and date identify a document, not a person: safe for the trail.
    audit.record(actor=actor, action=AuditAction.REPLY_SUBMIT, obj=reply,
                 object_label=f"{appeal.number} ← {assignment.authority.code}",
                 after={"result": result, "assignment": assignment.pk,
                        "outgoing_number": letter["outgoing_number"] or None,
                        "outgoing_date": letter["outgoing_date"]})
    if returned:
        _returned_to_centre(actor=actor, appeal=appeal, assignment=assignment, text=text)
    elif appeal.status in ANSWERABLE_STATUSES and _all_mains_answered(appeal):
        # A co-executor may still answer after the main answer went to the applicant: that
        # answer is kept, but the appeal does not go back to "answered".
        if appeal.status == AppealStatus.ASSIGNED:
            appeal_move(actor=actor, appeal=appeal, target=AppealStatus.IN_WORK,
                        action=TransitionAction.ACCEPT)
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.ANSWERED, action=TransitionAction.ANSWER)
    return reply


def _returned_to_centre(*, actor: Any, appeal: Appeal, assignment: Assignment, text: str) -> None:
    history(appeal=appeal, actor=actor, action=TransitionAction.RETURNED_NOT_IN_COMPETENCE,
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
                    action=TransitionAction.RETURNED_NOT_IN_COMPETENCE, message="history.executors",
                    params={"authorities": [assignment.authority.code]})


def revised_questions(appeal: Appeal, questions: list[Question] | None) -> list[Question]:
    """Per-question control: the questions sent back for revision. Those named must be this
    appeal's and have an answer to revise; none named means every answered question."""
    answered = set(Assignment.objects.filter(question__appeal=appeal, status__in=REVISABLE)
                   .values_list("question_id", flat=True))
    own = list(appeal.questions.select_related("subtopic").order_by("id"))
    if questions is None:
        return [q for q in own if q.pk in answered]
    wanted = {q.pk for q in questions}
    chosen = [q for q in own if q.pk in wanted]
    if not chosen or len(chosen) != len(wanted) or any(q.pk not in answered for q in chosen):
        raise AppealsError(Code.INVALID_VALUE,
                           _("Choose the questions whose answer is sent back for revision."),
                           field="questions")
    return chosen


def _send_back(*, actor: Any, appeal: Appeal, action: TransitionAction,
               questions: list[Question] | None = None, note: str = "", message: str = "",
               params: dict[str, Any] | None = None) -> None:
    """The named questions (see revised_questions) go back to their executors, main and co; the
    other questions keep their answers. The appeal is "returned for revision" while any is."""
    appeal_transition_check(AppealStatus(appeal.status), AppealStatus.RETURNED_FOR_REVISION)
    chosen = revised_questions(appeal, questions)
    if questions is not None and len(chosen) < appeal.questions.count():
        # The history names the questions sent back (their sub-topics).
        params = {**(params or {}), "questions": [q.subtopic.name for q in chosen]}
        if not message:
            message, params["note"] = NOTE, note.strip()
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.RETURNED_FOR_REVISION,
                action=action, note=note, message=message, params=params)
    ids = {q.pk for q in chosen}
    for assignment in assignments_of(appeal, REVISABLE):
        if assignment.question_id in ids:
            assignment_move(actor=actor, assignment=assignment,
                            target=AssignmentStatus.FOR_REVISION,
                            action=AuditAction.ASSIGNMENT_REVISION)


def _close_assignments(*, actor: Any, appeal: Appeal) -> None:
    """Answered assignments close with the appeal; the rest are cancelled, so a closed appeal
    leaves no assignment in force (no reminders, no escalations, nothing left in a queue)."""
    for assignment in assignments_of(appeal, [AssignmentStatus.ANSWERED, *OWING_STATUSES]):
        answered = assignment.status == AssignmentStatus.ANSWERED
        assignment_move(actor=actor, assignment=assignment,
                        target=AssignmentStatus.CLOSED if answered else AssignmentStatus.CANCELLED,
                        action=AuditAction.ASSIGNMENT_CLOSE if answered else AuditAction.ASSIGNMENT_CANCEL)


def _main_answers(appeal: Appeal) -> list[Reply]:
    """The answer the applicant gets: each main executor's latest reply, in question order."""
    latest: dict[int, Reply] = {}
    for reply in (Reply.objects.filter(assignment__question__appeal=appeal,
                                       assignment__role=AssignmentRole.MAIN,
                                       assignment__status__in=REVISABLE)
                  .select_related("assignment__authority").order_by("id")):
        latest[reply.assignment_id] = reply
    return sorted(latest.values(), key=lambda r: (r.assignment.question_id, r.pk))


def _answer_params(reply: Reply) -> dict[str, Any]:
    """One main executor's answer as the notice keeps it (rendered by messages.py)."""
    refused = reply.result == ReplyResult.REFUSED
    return {"authority": reply.assignment.authority.code, "result": reply.result, "text": reply.text,
            "refusal_reasons": reply.refusal_reasons if refused else "",
            "legal_basis": reply.legal_basis if refused else "",
            "appeal_procedure": reply.appeal_procedure if refused else "",
            "outgoing_number": reply.outgoing_number,
            "outgoing_date": reply.outgoing_date.isoformat() if reply.outgoing_date else None,
            "signatory_name": reply.signatory_name, "signatory_position": reply.signatory_position}


def answered_notice(*, appeal: Appeal, replies: list[Reply]) -> Notice:
    """ст.15, ст.19: the applicant gets the substance of the answer, not only "answered"."""
    return notice(appeal=appeal, kind=NoticeKind.ANSWERED, message="notice.answered",
                  answers=[_answer_params(reply) for reply in replies])


def _record_answer(*, actor: Any, appeal: Appeal, number: str, on: date | None,
                   file_number: str) -> None:
    before = {"answer_number": appeal.answer_number, "answer_date": appeal.answer_date,
              "file_number": appeal.file_number}
    appeal.answer_number, appeal.answer_date = number[:64], on
    appeal.file_number = file_number[:64]
    appeal.save(update_fields=["answer_number", "answer_date", "file_number"])
    after = {"answer_number": appeal.answer_number, "answer_date": appeal.answer_date,
             "file_number": appeal.file_number}
    if after != before:
        audit.record(actor=actor, action=AuditAction.APPEAL_ANSWER_RECORDED, obj=appeal, before=before,
                     after=after)


@transaction.atomic
def answer_review(
    *, actor: Any, appeal: Appeal, accept: bool, note: str = "", file_number: str = "",
    questions: list[Question] | None = None,
) -> Appeal:
    """The centre checks the executors' answer: pass it to the applicant (the card records the
    answer's index and date and the file it is kept in), or send back the answers of the
    `questions` named (none named: every answered question); the others stay answered."""
    appeal = lock(appeal)
    if accept:
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.AWAITING_CONFIRMATION,
                    action=TransitionAction.ANSWER_ACCEPTED, note=note)
        replies = _main_answers(appeal)
        letter = next((r for r in reversed(replies) if r.outgoing_number), None)
        _record_answer(actor=actor, appeal=appeal,
                       number=letter.outgoing_number if letter else appeal.answer_number,
                       on=letter.outgoing_date if letter else appeal.answer_date,
                       file_number=file_number.strip() or appeal.file_number)
        answered_notice(appeal=appeal, replies=replies)
    else:
        if not note.strip():
            raise AppealsError(Code.REASON_REQUIRED, _("Explain what must be revised."), field="note")
        _send_back(actor=actor, appeal=appeal, action=TransitionAction.ANSWER_REJECTED,
                   questions=questions, note=note)
    return appeal


ANSWER_RECORDABLE = frozenset({AppealStatus.ANSWERED, AppealStatus.AWAITING_CONFIRMATION,
                               AppealStatus.CLOSED})


@transaction.atomic
def appeal_answer_record(
    *, actor: Any, appeal: Appeal, answer_number: str, answer_date: date | None,
    file_number: str = "",
) -> Appeal:
    """A supervisor records (or corrects) the answer's index and date and the file number on the
    card (Instruction No. 348), e.g. for an answer sent on paper."""
    if not answer_number.strip():
        raise AppealsError(Code.MISSING_FIELD, _("Enter the index of the answer."),
                           field="answer_number")
    if answer_date is None:
        raise AppealsError(Code.MISSING_FIELD, _("Enter the date of the answer."),
                           field="answer_date")
    if answer_date > clock.today():
        raise AppealsError(Code.INVALID_VALUE, _("The date of the answer cannot be in the future."),
                           field="answer_date")
    appeal = lock(appeal)
    if appeal.status not in ANSWER_RECORDABLE:
        raise AppealsError(
            Code.ILLEGAL_TRANSITION,
            _("The answer can be recorded only on an answered appeal; this one is “%(status)s”.")
            % {"status": appeal.get_status_display()}, http_status=409)
    _record_answer(actor=actor, appeal=appeal, number=answer_number.strip(), on=answer_date,
                   file_number=file_number.strip())
    return appeal


@transaction.atomic
def feedback_record(
    *, actor: Any, appeal: Appeal, confirmed: bool, rating: int | None, comment: str = "",
    questions: list[Question] | None = None,
) -> Feedback:
    """The applicant's confirmation and rating 1–5. Unconfirmed or poorly rated → the `questions`
    the applicant names as not resolved (none named: every answered question) go back for
    revision; the others keep their answers."""
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
    satisfied = confirmed and (rating is None or rating > POOR_RATING)
    if not satisfied and questions is not None:
        revised_questions(appeal, questions)  # refused before anything is written
    # Registered first: a registration locks the number counter before the audit trail's head.
    repeated = None if satisfied or not past_cap(appeal) else repeat_register(actor=actor,
                                                                              appeal=appeal)
    feedback = Feedback.objects.create(appeal=appeal, confirmed=confirmed, rating=rating,
                                       comment=comment.strip(),
                                       recorded_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action=AuditAction.FEEDBACK_RECORD, obj=appeal,
                 after={"confirmed": confirmed, "rating": rating})
    if satisfied:
        if appeal.status == AppealStatus.ANSWERED:
            appeal_move(actor=actor, appeal=appeal, target=AppealStatus.AWAITING_CONFIRMATION,
                        action=TransitionAction.ANSWER_ACCEPTED)
        _close_assignments(actor=actor, appeal=appeal)
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.CLOSED, action=TransitionAction.CONFIRM,
                    message="history.confirmed", params={"r": rating})
        return feedback
    # The applicant's comment stays on the Feedback row: it may name people or places, and
    # the note is copied into the audit trail.
    message = "history.not_confirmed" if not confirmed else "history.poor_rating"
    if repeated is not None:
        # Past the 45 days the first appeal is closed as answered; the repeat carries the issue.
        _close_assignments(actor=actor, appeal=appeal)
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.CLOSED,
                    action=TransitionAction.NOT_CONFIRMED,
                    message=message, params={"r": rating, "repeat": repeated.number})
    else:
        _send_back(actor=actor, appeal=appeal, action=TransitionAction.NOT_CONFIRMED,
                   questions=questions, message=message, params={"r": rating})
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
    appeal_move(actor=actor, appeal=appeal, target=AppealStatus.CLOSED, action=TransitionAction.CLOSE,
                note=note)
    return appeal


@transaction.atomic
def appeal_reopen(*, actor: Any, appeal: Appeal, note: str,
                  questions: list[Question] | None = None) -> Appeal:
    """A supervisor reopens a closed appeal (the `questions` named not resolved go back for
    revision; none named: every answered question) or a wrongly rejected one. A closed appeal
    past the 45-day cap stays closed and a repeated appeal is registered instead."""
    if not note.strip():
        raise AppealsError(Code.REASON_REQUIRED, _("Give the reason for reopening."), field="note")
    appeal = lock(appeal)
    if appeal.status == AppealStatus.CLOSED and past_cap(appeal):
        # The first appeal stays closed; the repeat's history line points to it (see repeat.py).
        repeat_register(actor=actor, appeal=appeal)
    elif appeal.status == AppealStatus.NOT_CONSIDERED:
        appeal.not_considered_reason = ""
        appeal.save(update_fields=["not_considered_reason"])
        appeal_move(actor=actor, appeal=appeal, target=AppealStatus.REGISTERED,
                    action=TransitionAction.REOPEN,
                    note=note)
        # A wrongly rejected appeal is routed (or forwarded) within 5 days of its reopening.
        term_open(appeal=appeal, start=clock.today())
    else:
        _send_back(actor=actor, appeal=appeal, action=TransitionAction.REOPEN, questions=questions,
                   note=note)
    return appeal
