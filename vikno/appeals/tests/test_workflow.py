"""The life of an appeal through the real services: execution, confirmation, the centre's decisions."""

from __future__ import annotations

import pytest

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Feedback,
    NotConsideredReason,
    Notice,
    Notification,
    ReplyResult,
    Subject,
)
from vikno.appeals.services import QuestionData, Routing
from vikno.appeals.tests.factories import footprint, letter, register
from vikno.audit.models import AuditEvent


def _main(appeal: Appeal) -> Assignment:
    return Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN,
                                  status__in=["assigned", "in_work", "answered", "for_revision"])


def _status(appeal: Appeal) -> str:
    appeal.refresh_from_db()
    return appeal.status


def _answered(operator, executor, supervisor=None, **kwargs) -> Appeal:
    """An appeal the council has answered ("done"); reviewed by the centre when supervisor given."""
    appeal = register(actor=operator, **kwargs)
    services.assignment_accept(actor=executor, assignment=_main(appeal))
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal), result=ReplyResult.DONE,
                          text="Гарячу воду подано 12.03.")
    if supervisor is not None:
        services.answer_review(actor=supervisor, appeal=appeal, accept=True)
    appeal.refresh_from_db()
    return appeal


def test_the_happy_path_ends_closed_with_a_rating(book, operator, supervisor, executor):
    # given a registered and routed appeal
    appeal = register(actor=operator)
    assert _status(appeal) == AppealStatus.ASSIGNED
    assignment = _main(appeal)

    # when the executor accepts and answers, the centre passes the answer on, the applicant rates it
    services.assignment_accept(actor=executor, assignment=assignment)
    in_work = _status(appeal)
    reply = services.reply_submit(**letter(), actor=executor, assignment=assignment, result=ReplyResult.DONE,
                                  text="Аварію усунено, гаряча вода є.")
    answered = _status(appeal)
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)
    awaiting = _status(appeal)
    feedback = services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)

    # then
    assert (in_work, answered, awaiting) == ("in_work", "answered", "awaiting_confirmation")
    assert _status(appeal) == AppealStatus.CLOSED
    assert appeal.closed_at is not None
    assert (feedback.confirmed, feedback.rating) == (True, 5)
    assert reply.answered_by == executor
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CLOSED
    assert assignment.accepted_at is not None
    assert list(appeal.transitions.exclude(from_status="").values_list("action", "to_status")) == [
        ("assign", "assigned"), ("accept", "in_work"), ("answer", "answered"),
        ("answer_accepted", "awaiting_confirmation"), ("confirm", "closed")]
    assert Notice.objects.filter(appeal=appeal, kind="answered").count() == 1
    assert {"assignment.accept", "reply.submit", "appeal.answer", "appeal.answer_accepted",
            "feedback.record", "assignment.close", "appeal.confirm"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_an_unconfirmed_result_goes_back_and_is_answered_again(book, operator, supervisor, executor):
    # given an answer passed to the applicant
    appeal = _answered(operator, executor, supervisor)

    # when the applicant does not confirm it
    services.feedback_record(actor=operator, appeal=appeal, confirmed=False, rating=None,
                             comment="Вода так і не з'явилась")

    # then it is back for revision with the executor
    assert _status(appeal) == AppealStatus.RETURNED_FOR_REVISION
    assignment = _main(appeal)
    assert assignment.status == AssignmentStatus.FOR_REVISION

    # when the executor answers again and the applicant confirms
    services.reply_submit(**letter(), actor=executor, assignment=assignment, result=ReplyResult.DONE,
                          text="Замінено засувку, вода є.")
    assert _status(appeal) == AppealStatus.ANSWERED
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=4)

    # then
    assert _status(appeal) == AppealStatus.CLOSED
    assert assignment.replies.count() == 2


def test_a_poor_rating_sends_the_result_back_for_revision(book, operator, supervisor, executor):
    # given
    appeal = _answered(operator, executor, supervisor)

    # when
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=2)

    # then
    assert _status(appeal) == AppealStatus.RETURNED_FOR_REVISION
    assert _main(appeal).status == AssignmentStatus.FOR_REVISION
    assert Feedback.objects.get(appeal=appeal).rating == 2


def test_the_applicants_comment_is_not_copied_into_the_trail(book, operator, supervisor, executor):
    # given
    appeal = _answered(operator, executor, supervisor)

    # when
    services.feedback_record(actor=operator, appeal=appeal, confirmed=False, rating=1,
                             comment="Дзвоніть Шевченку на 0501234567")

    # then
    assert Feedback.objects.get(appeal=appeal).comment == "Дзвоніть Шевченку на 0501234567"
    trail = str(list(AuditEvent.objects.values_list("after", flat=True)))
    assert "0501234567" not in trail


def test_feedback_on_an_answered_appeal_skips_the_review(book, operator, executor):
    # given an answer the centre has not reviewed yet (the call-back came first)
    appeal = _answered(operator, executor)

    # when
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=None)

    # then
    assert _status(appeal) == AppealStatus.CLOSED


def test_a_rating_out_of_range_is_refused(book, operator, supervisor, executor):
    # given
    appeal = _answered(operator, executor, supervisor)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=6)

    # then
    assert caught.value.code == "rating_out_of_range"
    assert footprint() == before


def test_the_centre_may_send_an_answer_back_with_a_reason(book, operator, supervisor, executor):
    # given
    appeal = _answered(operator, executor)

    # when a reason is missing, then refused
    with pytest.raises(AppealsError) as caught:
        services.answer_review(actor=supervisor, appeal=appeal, accept=False, note=" ")
    assert caught.value.code == "reason_required"
    assert _status(appeal) == AppealStatus.ANSWERED

    # when given
    services.answer_review(actor=supervisor, appeal=appeal, accept=False, note="Відповідь неповна")

    # then
    assert _status(appeal) == AppealStatus.RETURNED_FOR_REVISION
    assert _main(appeal).status == AssignmentStatus.FOR_REVISION


def test_answering_without_accepting_first_takes_it_into_work(book, operator, executor):
    # given
    appeal = register(actor=operator)

    # when
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal), result=ReplyResult.EXPLAINED,
                          text="Роз'яснено порядок подачі заявки.")

    # then
    assert _status(appeal) == AppealStatus.ANSWERED
    assert list(appeal.transitions.exclude(from_status="").values_list("to_status", flat=True)) == [
        "assigned", "in_work", "answered"]


def test_not_in_competence_returns_it_to_the_centre_for_rerouting(book, operator, supervisor,
                                                                 executor):
    # given
    appeal = register(actor=operator)
    returned = _main(appeal)

    # when the council says it is not theirs
    services.reply_submit(**letter(),
                          actor=executor, assignment=returned, result=ReplyResult.NOT_IN_COMPETENCE,
                          text="Мережі належать водоканалу.")

    # then the assignment is returned, the appeal is back with the centre, supervisors are told
    returned.refresh_from_db()
    assert returned.status == AssignmentStatus.RETURNED
    assert _status(appeal) == AppealStatus.REGISTERED
    notification = Notification.objects.get(appeal=appeal)
    assert (notification.for_supervisors, notification.kind) == (True, "returned")
    assert appeal.number in notification.text

    # when the supervisor re-routes it
    created = services.appeal_assign(actor=supervisor, appeal=appeal,
                                     routing=Routing(main_authority_code="ZAK-WATER"))

    # then a new main assignment exists and the appeal is assigned again
    assert [(a.authority.code, a.role) for a in created] == [("ZAK-WATER", "main")]
    assert _status(appeal) == AppealStatus.ASSIGNED
    assert _main(appeal).authority.code == "ZAK-WATER"
    returned.refresh_from_db()
    assert returned.status == AssignmentStatus.RETURNED


def test_a_co_executor_returning_it_leaves_the_main_at_work(book, operator, executor,
                                                           other_executor):
    # given
    appeal = register(actor=operator, routing=Routing(co_authority_codes=("ZAK-WATER",)))
    co = Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.CO)

    # when
    services.reply_submit(**letter(),
                          actor=other_executor, assignment=co, result=ReplyResult.NOT_IN_COMPETENCE,
                          text="Не наше.")

    # then
    assert _status(appeal) == AppealStatus.ASSIGNED
    assert _main(appeal).status == AssignmentStatus.ASSIGNED


def test_rerouting_work_in_progress_cancels_the_old_main(book, operator, supervisor, executor):
    # given an appeal the council is working on
    appeal = register(actor=operator)
    old = _main(appeal)
    services.assignment_accept(actor=executor, assignment=old)

    # when the supervisor gives it to the water utility
    services.appeal_assign(actor=supervisor, appeal=appeal,
                           routing=Routing(main_authority_code="ZAK-WATER"))

    # then
    old.refresh_from_db()
    assert old.status == AssignmentStatus.CANCELLED
    assert _main(appeal).authority.code == "ZAK-WATER"
    assert _status(appeal) == AppealStatus.ASSIGNED


def test_adding_a_co_executor_does_not_take_work_in_progress_back(book, operator, supervisor,
                                                                 executor):
    # given
    appeal = register(actor=operator)
    services.assignment_accept(actor=executor, assignment=_main(appeal))

    # when
    created = services.appeal_assign(
        actor=supervisor, appeal=appeal,
        routing=Routing(main_authority_code="ZAK-TG-BEREHOVE", co_authority_codes=("ZAK-WATER",)))

    # then
    assert [(a.authority.code, a.role) for a in created] == [("ZAK-WATER", "co")]
    assert _status(appeal) == AppealStatus.IN_WORK
    assert _main(appeal).status == AssignmentStatus.IN_WORK
    assert appeal.transitions.filter(action="reroute").exists()


def test_routing_no_question_is_refused(book, operator, supervisor):
    # given
    appeal = register(actor=operator, routing=None)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_assign(actor=supervisor, appeal=appeal, routing=Routing(), question_ids=[])

    # then
    assert caught.value.code == "invalid_value"
    assert footprint() == before


def test_a_late_co_executor_answer_keeps_the_appeal_with_the_applicant(book, operator, supervisor,
                                                                      executor, other_executor):
    # given the main answer passed to the applicant while the co-executor still works
    appeal = register(actor=operator, routing=Routing(co_authority_codes=("ZAK-WATER",)))
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal), result=ReplyResult.DONE,
                          text="Зроблено.")
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)
    co = Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.CO)

    # when the co-executor answers too
    services.reply_submit(**letter(), actor=other_executor, assignment=co, result=ReplyResult.DONE,
                          text="Тиск у мережі відновлено.")

    # then its answer is kept and the appeal still awaits the applicant
    co.refresh_from_db()
    assert co.status == AssignmentStatus.ANSWERED
    assert _status(appeal) == AppealStatus.AWAITING_CONFIRMATION


def test_closing_cancels_what_co_executors_still_owe(book, operator, supervisor, executor):
    # given a co-executor that never answered
    appeal = register(actor=operator, routing=Routing(co_authority_codes=("ZAK-WATER",)))
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal), result=ReplyResult.DONE,
                          text="Зроблено.")

    # when the applicant confirms
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)

    # then nothing is left in force on the closed appeal
    statuses = dict(Assignment.objects.filter(question__appeal=appeal)
                    .values_list("role", "status"))
    assert statuses == {"main": "closed", "co": "cancelled"}


def test_forwarding_outside_the_region_tells_the_applicant(book, operator, supervisor):
    # given
    appeal = register(actor=operator)

    # when
    services.appeal_forward(actor=supervisor, appeal=appeal, to_body="Пенсійний фонд України",
                            note="ст.7")

    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.FORWARDED
    assert appeal.forwarded_to == "Пенсійний фонд України"
    assert Assignment.objects.get(question__appeal=appeal).status == AssignmentStatus.CANCELLED
    notice = Notice.objects.get(appeal=appeal)
    assert notice.kind == "forwarded"
    assert "Пенсійний фонд України" in notice.text


def test_not_considered_with_a_reason_tells_the_applicant(book, operator, supervisor):
    # when
    unrouted = register(actor=operator, routing=None)
    services.appeal_not_considered(actor=supervisor, appeal=unrouted,
                                   reason=NotConsideredReason.REPEATED, note="Див. ЗК-2026-000001")

    # then
    unrouted.refresh_from_db()
    assert unrouted.status == AppealStatus.NOT_CONSIDERED
    assert unrouted.not_considered_reason == "repeated"
    assert Notice.objects.get(appeal=unrouted).kind == "not_considered"


def test_an_appeal_routed_at_registration_can_still_be_not_considered(book, operator, supervisor):
    # given an anonymous appeal routed as it was registered, not yet taken into work
    appeal = register(actor=operator, subject="5.3")
    assert _status(appeal) == AppealStatus.ASSIGNED

    # when
    services.appeal_not_considered(actor=supervisor, appeal=appeal,
                                   reason=NotConsideredReason.ANONYMOUS)

    # then its assignment is cancelled
    assert _status(appeal) == AppealStatus.NOT_CONSIDERED
    assert not Assignment.objects.filter(question__appeal=appeal, status="assigned").exists()


def test_not_considered_needs_a_known_reason(book, operator, supervisor):
    # given
    appeal = register(actor=operator, routing=None)

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_not_considered(actor=supervisor, appeal=appeal, reason="boring")

    # then
    assert caught.value.code == "reason_required"
    assert _status(appeal) == AppealStatus.REGISTERED


def test_an_anonymous_appeal_not_considered_has_nobody_to_tell(book, operator, supervisor):
    # given
    appeal = register(actor=operator, subject=Subject.ANONYMOUS, routing=None)

    # when
    services.appeal_not_considered(actor=supervisor, appeal=appeal,
                                   reason=NotConsideredReason.ANONYMOUS)

    # then
    assert _status(appeal) == AppealStatus.NOT_CONSIDERED
    assert not Notice.objects.filter(appeal=appeal).exists()


def test_not_considered_after_a_return_cancels_the_co_executor(book, operator, supervisor,
                                                              executor):
    # given the main executor returned it, the co-executor is still on it
    appeal = register(actor=operator, routing=Routing(co_authority_codes=("ZAK-WATER",)))
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                          result=ReplyResult.NOT_IN_COMPETENCE, text="Не наше.")

    # when
    services.appeal_not_considered(actor=supervisor, appeal=appeal,
                                   reason=NotConsideredReason.LATE_COMPLAINT)

    # then
    assert Assignment.objects.get(question__appeal=appeal, role="co").status == "cancelled"


def test_an_appeal_missing_content_is_returned_with_an_explanation(book, operator, supervisor):
    # given
    appeal = register(actor=operator, routing=None)

    # when without an explanation, then refused
    with pytest.raises(AppealsError) as caught:
        services.appeal_return_missing_content(actor=supervisor, appeal=appeal, note="")
    assert caught.value.code == "reason_required"

    # when
    services.appeal_return_missing_content(actor=supervisor, appeal=appeal,
                                           note="Не вказано адресу проживання")

    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RETURNED_MISSING_CONTENT
    assert appeal.status_note == "Не вказано адресу проживання"
    notice = Notice.objects.get(appeal=appeal)
    assert notice.kind == "returned"
    assert "Не вказано адресу проживання" in notice.text


def test_a_supervisor_closes_an_answered_appeal_with_a_reason(book, operator, supervisor, executor):
    # given
    appeal = _answered(operator, executor, supervisor)

    # when without a reason, then refused
    with pytest.raises(AppealsError) as caught:
        services.appeal_close(actor=supervisor, appeal=appeal, note=" ")
    assert caught.value.code == "reason_required"

    # when
    services.appeal_close(actor=supervisor, appeal=appeal, note="Заявник не відповідає на дзвінки")

    # then
    assert _status(appeal) == AppealStatus.CLOSED
    assert _main_status(appeal) == AssignmentStatus.CLOSED
    assert appeal.transitions.get(to_status="closed").note == "Заявник не відповідає на дзвінки"


def _main_status(appeal: Appeal) -> str:
    return Assignment.objects.get(question__appeal=appeal, role="main").status


def test_reopening_a_closed_appeal_sends_it_back_for_revision(book, operator, supervisor, executor):
    # given
    appeal = _answered(operator, executor, supervisor)
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)

    # when the problem came back a week later
    services.appeal_reopen(actor=supervisor, appeal=appeal, note="Вода знову зникла")

    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RETURNED_FOR_REVISION
    assert appeal.closed_at is None
    assert _main_status(appeal) == AssignmentStatus.FOR_REVISION


def test_reopening_a_not_considered_appeal_registers_it_again(book, operator, supervisor):
    # given
    appeal = register(actor=operator, routing=None)
    services.appeal_not_considered(actor=supervisor, appeal=appeal,
                                   reason=NotConsideredReason.REPEATED)

    # when
    services.appeal_reopen(actor=supervisor, appeal=appeal, note="Питання інше, ніж у першому")

    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REGISTERED
    assert appeal.not_considered_reason == ""


# --- illegal moves: refused, nothing changed ----------------------------------------------------

def _registered(operator, executor, supervisor):
    return register(actor=operator, routing=None)


def _closed(operator, executor, supervisor):
    appeal = _answered(operator, executor, supervisor)
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)
    return appeal


def _forwarded(operator, executor, supervisor):
    appeal = register(actor=operator)
    services.appeal_forward(actor=supervisor, appeal=appeal, to_body="Держгеокадастр")
    return appeal


def _in_work(operator, executor, supervisor):
    appeal = register(actor=operator)
    services.assignment_accept(actor=executor, assignment=_main(appeal))
    return appeal


def _awaiting(operator, executor, supervisor):
    return _answered(operator, executor, supervisor)


def _any_assignment(appeal):
    return Assignment.objects.filter(question__appeal=appeal).first()


ILLEGAL = {
    "feedback on a registered appeal": (
        _registered, lambda s, e, o, a: services.feedback_record(actor=o, appeal=a, confirmed=True,
                                                                 rating=5)),
    "close a registered appeal": (
        _registered, lambda s, e, o, a: services.appeal_close(actor=s, appeal=a, note="Готово")),
    "accept a closed assignment": (
        _closed, lambda s, e, o, a: services.assignment_accept(actor=e, assignment=_any_assignment(a))),
    "reply to a closed assignment": (
        _closed, lambda s, e, o, a: services.reply_submit(**letter(), actor=e, assignment=_any_assignment(a),
                                                          result="done", text="Ще раз")),
    "accept an assignment twice": (
        _in_work, lambda s, e, o, a: services.assignment_accept(actor=e,
                                                                assignment=_any_assignment(a))),
    "answer an answered assignment again": (
        _awaiting, lambda s, e, o, a: services.reply_submit(**letter(),
                                                            actor=e, assignment=_any_assignment(a),
                                                            result="done", text="Ще раз")),
    "review an answer twice": (
        _awaiting, lambda s, e, o, a: services.answer_review(actor=s, appeal=a, accept=True)),
    "forward a forwarded appeal": (
        _forwarded, lambda s, e, o, a: services.appeal_forward(actor=s, appeal=a,
                                                              to_body="Інший орган")),
    "route a forwarded appeal": (
        _forwarded, lambda s, e, o, a: services.appeal_assign(actor=s, appeal=a, routing=Routing())),
    "reopen work in progress": (
        _in_work, lambda s, e, o, a: services.appeal_reopen(actor=s, appeal=a, note="Чому б ні")),
    "not consider a closed appeal": (
        _closed, lambda s, e, o, a: services.appeal_not_considered(actor=s, appeal=a,
                                                                  reason="repeated")),
    "return a closed appeal for missing content": (
        _closed, lambda s, e, o, a: services.appeal_return_missing_content(actor=s, appeal=a,
                                                                          note="Немає підпису")),
    "review a registered appeal": (
        _registered, lambda s, e, o, a: services.answer_review(actor=s, appeal=a, accept=True)),
}


@pytest.mark.parametrize("case", list(ILLEGAL), ids=list(ILLEGAL))
def test_an_illegal_move_is_refused_and_changes_nothing(book, operator, supervisor, executor, case):
    # given
    make, act = ILLEGAL[case]
    appeal = make(operator, executor, supervisor)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        act(supervisor, executor, operator, appeal)

    # then
    assert caught.value.code == "illegal_transition"
    assert caught.value.http_status == 409
    assert footprint() == before


def test_an_appeal_is_answered_when_every_questions_main_has_answered(book, operator, executor):
    # given two questions, each with the council as main executor
    appeal = register(actor=operator, questions=[QuestionData("009-HW"), QuestionData("009-RD")])
    first, second = Assignment.objects.filter(question__appeal=appeal).order_by("id")

    # when the first is answered, then the appeal is still in work
    services.reply_submit(**letter(), actor=executor, assignment=first, result=ReplyResult.DONE, text="Так")
    assert _status(appeal) == AppealStatus.IN_WORK

    # when the second is answered too, then the appeal is answered
    services.reply_submit(**letter(), actor=executor, assignment=second, result=ReplyResult.EXPLAINED,
                          text="Роз'яснено")
    assert _status(appeal) == AppealStatus.ANSWERED
