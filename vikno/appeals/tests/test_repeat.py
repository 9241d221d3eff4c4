"""Dissatisfaction past the 45-day cap of ст.20 starts a repeated appeal linked to the first, instead
of reopening an appeal that could never again be answered on time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from vikno.appeals import services
from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, ReplyResult, Sign
from vikno.appeals.services import QuestionData, Routing
from vikno.appeals.tests.factories import letter, register
from vikno.audit.selectors import chain_verify
from vikno.core import clock


def _days_ago(days: int) -> dt.datetime:
    """Noon in Kyiv `days` calendar days ago (whatever the summer-time shift in between)."""
    return dt.datetime.combine(clock.today() - dt.timedelta(days=days), dt.time(12),
                               tzinfo=ZoneInfo("Europe/Kyiv"))


def _answered(operator, executor, supervisor, *, days_ago: int, **kwargs) -> Appeal:
    """An appeal received `days_ago` days ago, answered and passed on to the applicant."""
    appeal = register(actor=operator, received_at=_days_ago(days_ago), **kwargs)
    for assignment in Assignment.objects.filter(question__appeal=appeal, role=AssignmentRole.MAIN):
        services.reply_submit(**letter(), actor=executor, assignment=assignment,
                              result=ReplyResult.DONE, text="Виконано.")
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)
    appeal.refresh_from_db()
    return appeal


def _closed(operator, executor, supervisor, *, days_ago: int) -> Appeal:
    appeal = _answered(operator, executor, supervisor, days_ago=days_ago)
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)
    appeal.refresh_from_db()
    return appeal


def _dissatisfied_by_feedback(operator, supervisor, appeal):
    services.feedback_record(actor=operator, appeal=appeal, confirmed=False, rating=None)


def _dissatisfied_by_reopening(operator, supervisor, appeal):
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)
    services.appeal_reopen(actor=supervisor, appeal=appeal, note="Заявник знову скаржиться")


@pytest.mark.parametrize("dissatisfied", [_dissatisfied_by_feedback, _dissatisfied_by_reopening])
@pytest.mark.parametrize(("days_ago", "first_status", "repeats"), [
    (10, AppealStatus.RETURNED_FOR_REVISION, 0),  # within the 45 days: back to the executor
    (45, AppealStatus.RETURNED_FOR_REVISION, 0),  # the last day of the cap still counts
    (46, AppealStatus.CLOSED, 1),  # past the cap: the first stays closed, a repeat starts
    (120, AppealStatus.CLOSED, 1),
])
def test_dissatisfaction_past_the_45_day_cap_starts_a_repeated_appeal(
        book, operator, supervisor, executor, dissatisfied, days_ago, first_status, repeats):
    # given
    first = _answered(operator, executor, supervisor, days_ago=days_ago)

    # when
    dissatisfied(operator, supervisor, first)

    # then
    first.refresh_from_db()
    assert (first.status, first.repeats.count()) == (first_status, repeats)


def test_the_repeated_appeal_copies_the_first_and_goes_to_the_same_main_executors(
        book, operator, supervisor, executor, other_executor):
    # given two questions, the second re-routed by hand to the water utility
    first = register(actor=operator, received_at=_days_ago(60),
                     questions=[QuestionData("009-HW", "Немає води"), QuestionData("009-RD")],
                     territory_code=book.village.code, location="вул. Мукачівська, 7")
    second_question = first.questions.order_by("id").last()
    services.appeal_assign(actor=supervisor, appeal=first, question_ids=[second_question.pk],
                           routing=Routing(main_authority_code="ZAK-WATER"))
    for assignment in Assignment.objects.filter(question__appeal=first, role=AssignmentRole.MAIN,
                                                status="assigned"):
        actor = executor if assignment.authority == book.council else other_executor
        services.reply_submit(**letter(), actor=actor, assignment=assignment,
                              result=ReplyResult.DONE, text="Виконано.")
    services.answer_review(actor=supervisor, appeal=first, accept=True)

    # when the applicant does not confirm
    services.feedback_record(actor=operator, appeal=first, confirmed=False, rating=None)

    # then
    first.refresh_from_db()
    repeat = first.repeats.get()
    assert (repeat.previous_appeal, repeat.sign, repeat.applicant_id, repeat.text,
            repeat.territory, repeat.location, repeat.status) == (
        first, Sign.REPEATED, first.applicant_id, first.text, book.village,
        "вул. Мукачівська, 7", AppealStatus.ASSIGNED)
    assert list(repeat.questions.order_by("id").values_list("subtopic__code", "summary")) == [
        ("009-HW", "Немає води"), ("009-RD", "")]
    mains = list(Assignment.objects.filter(question__appeal=repeat, role=AssignmentRole.MAIN)
                 .order_by("question_id").values_list("authority__code", "status"))
    assert mains == [("ZAK-TG-BEREHOVE", "assigned"), ("ZAK-WATER", "assigned")]
    # a fresh term of its own, counted from today
    assert repeat.due_date > clock.today()
    # the first stays closed, nothing owed on it, and its history points to the repeat
    assert first.status == AppealStatus.CLOSED
    assert not Assignment.objects.filter(question__appeal=first,
                                         status__in=["assigned", "in_work", "answered",
                                                     "for_revision"]).exists()
    line = first.transitions.get(action="repeated")
    assert repeat.number in line.note
    assert chain_verify().ok


def test_a_reopened_closed_appeal_past_the_cap_stays_closed(book, operator, supervisor, executor):
    # given
    first = _closed(operator, executor, supervisor, days_ago=50)
    closed_at = first.closed_at

    # when
    services.appeal_reopen(actor=supervisor, appeal=first, note="Проблема повернулася")

    # then
    first.refresh_from_db()
    assert (first.status, first.closed_at) == (AppealStatus.CLOSED, closed_at)
    assert Assignment.objects.get(question__appeal=first, role="main").status == (
        AssignmentStatus.CLOSED)
    repeat = first.repeats.get()
    assert repeat.sign == Sign.REPEATED
    assert repeat.status == AppealStatus.ASSIGNED
