"""Dissatisfaction past the 45-day cap of ст.20: a new, repeated appeal instead of a reopening.

An appeal reopened after received + 45 days could never again be answered on time; the Law counts
the applicant's renewed appeal on the same issue as a repeated one (Classifier axis 2, "2.2"), with
its own terms. The first appeal stays closed, linked to the new one both ways.
"""

from __future__ import annotations

from typing import Any

from vikno.appeals.intake import AppealIntake, QuestionData
from vikno.appeals.lifecycle import AssignmentStatus, TransitionAction
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, Question, Sign
from vikno.appeals.services._common import history
from vikno.appeals.services.assignment import Routing, appeal_assign
from vikno.appeals.services.registration import appeal_register
from vikno.core import clock

# The main executor whose answer the applicant is dissatisfied with: the repeat goes back to it.
ANSWERING_STATUSES = (AssignmentStatus.ANSWERED, AssignmentStatus.CLOSED,
                      AssignmentStatus.FOR_REVISION, AssignmentStatus.IN_WORK,
                      AssignmentStatus.ASSIGNED)


def past_cap(appeal: Appeal) -> bool:
    """The 45 days of ст.20 have run out: no term of this appeal can be kept any more. An appeal
    without a term (not considered, ст.8) has no cap to pass."""
    return appeal.max_due_date is not None and clock.today() > appeal.max_due_date


def _register_repeat(*, actor: Any, appeal: Appeal, questions: list[Question]) -> Appeal:
    """The one call of appeal_register: the same applicant, text, topics, place and body
    complained of, sign "repeated", the first appeal as the earlier one. Not routed here."""
    return appeal_register(actor=actor, routing=None, intake=AppealIntake(
        channel=appeal.channel, kind=appeal.kind, subject=appeal.subject,
        text=appeal.text, summary=appeal.summary, applicant_id=appeal.applicant_id,
        questions=[QuestionData(subtopic_code=q.subtopic.code, summary=q.summary)
                   for q in questions],
        sign=Sign.REPEATED, previous_appeal_number=appeal.number,
        territory_code=appeal.territory.code if appeal.territory is not None else "",
        location=appeal.location,
        contested_authority_code=(appeal.contested_authority.code
                                  if appeal.contested_authority is not None else ""),
        # The ст.17 term was the first appeal's to meet; the repeat carries on the same issue.
        contested_decision_on=None,
    ))


def _main_code(question: Question) -> str | None:
    main = (Assignment.objects.filter(question=question, role=AssignmentRole.MAIN,
                                      status__in=ANSWERING_STATUSES)
            .select_related("authority").order_by("-id").first())
    return main.authority.code if main is not None else None


def repeat_register(*, actor: Any, appeal: Appeal) -> Appeal:
    """Register the repeated appeal of `appeal` (locked by the caller, before it writes any audit
    event: the registration locks the number counter before the trail's head, like every other
    registration) and route each question to the first appeal's main executor."""
    questions = list(appeal.questions.select_related("subtopic").order_by("id"))
    mains = [_main_code(q) for q in questions]
    repeated = _register_repeat(actor=actor, appeal=appeal, questions=questions)
    by_main: dict[str | None, list[int]] = {}
    for question, code in zip(repeated.questions.order_by("id"), mains, strict=True):
        by_main.setdefault(code, []).append(question.pk)
    for code, question_ids in by_main.items():
        # No main executor known (never routed): the routing rules suggest one.
        appeal_assign(actor=actor, appeal=repeated, question_ids=question_ids,
                      routing=Routing(main_authority_code=code))
    history(appeal=appeal, actor=actor, action=TransitionAction.REPEATED, message="history.repeated",
            params={"repeat": repeated.number})
    repeated.refresh_from_db()
    return repeated
