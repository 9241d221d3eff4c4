"""The result of consideration and the answer that reaches the applicant (ст.15, ст.16, ст.19 of the
Law; Instruction No. 348): results, refusal grounds, the answer letter, the notice, the card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.translation import gettext

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus
from vikno.appeals.models import Appeal, Assignment, AssignmentRole, Notice, Reply, ReplyResult
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import footprint, letter, register
from vikno.audit.models import AuditEvent
from vikno.core import clock

REFUSAL = {"refusal_reasons": "Ділянка не належить до земель громади.",
           "legal_basis": "ст.12 Земельного кодексу України",
           "appeal_procedure": "Рішення можна оскаржити до Берегівської РДА або до суду."}


def _main(appeal: Appeal) -> Assignment:
    return Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN,
                                  status__in=["assigned", "in_work", "answered", "for_revision"])


def _status(appeal: Appeal) -> str:
    appeal.refresh_from_db()
    return appeal.status


@pytest.mark.parametrize(("result", "assignment_status", "appeal_status"), [
    (ReplyResult.DONE, AssignmentStatus.ANSWERED, AppealStatus.ANSWERED),
    (ReplyResult.EXPLAINED, AssignmentStatus.ANSWERED, AppealStatus.ANSWERED),
    (ReplyResult.FORWARDED, AssignmentStatus.ANSWERED, AppealStatus.ANSWERED),
    (ReplyResult.RETURNED_TO_AUTHOR, AssignmentStatus.ANSWERED, AppealStatus.ANSWERED),
    (ReplyResult.NOT_CONSIDERED, AssignmentStatus.ANSWERED, AppealStatus.ANSWERED),
    (ReplyResult.OTHER, AssignmentStatus.ANSWERED, AppealStatus.ANSWERED),
    (ReplyResult.IMPOSSIBLE_NOW, AssignmentStatus.ANSWERED, AppealStatus.ANSWERED),
    (ReplyResult.NOT_IN_COMPETENCE, AssignmentStatus.RETURNED, AppealStatus.REGISTERED),
])
def test_each_result_of_consideration_ends_the_assignment_as_the_law_says(
        book, operator, executor, result, assignment_status, appeal_status):
    # given
    appeal = register(actor=operator)
    assignment = _main(appeal)

    # when
    reply = services.reply_submit(**letter(), actor=executor, assignment=assignment, result=result,
                                  text="Розглянуто.")

    # then
    assignment.refresh_from_db()
    assert (reply.result, assignment.status, _status(appeal)) == (
        result, assignment_status, appeal_status)


def test_a_refusal_keeps_its_reasons_legal_basis_and_how_to_appeal(book, operator, executor):
    # given
    appeal = register(actor=operator)

    # when
    reply = services.reply_submit(**letter(), **REFUSAL, actor=executor, assignment=_main(appeal),
                                  result=ReplyResult.REFUSED, text="У задоволенні відмовлено.")

    # then
    reply.refresh_from_db()
    assert (reply.refusal_reasons, reply.legal_basis, reply.appeal_procedure) == (
        REFUSAL["refusal_reasons"], REFUSAL["legal_basis"], REFUSAL["appeal_procedure"])
    assert _status(appeal) == AppealStatus.ANSWERED


@pytest.mark.parametrize(("missing", "message"), [
    ("refusal_reasons", "A refusal must state its reasons (ст.15 of the Law)."),
    ("legal_basis", "A refusal must refer to the law it rests on (ст.15 of the Law)."),
    ("appeal_procedure", "A refusal must explain how it can be appealed (ст.15, ст.16 of the Law)."),
])
def test_a_refusal_without_its_grounds_is_refused_and_changes_nothing(
        book, operator, executor, missing, message):
    # given
    appeal = register(actor=operator)
    assignment = _main(appeal)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.reply_submit(**letter(), **(REFUSAL | {missing: "  "}), actor=executor,
                              assignment=assignment, result=ReplyResult.REFUSED, text="Відмовлено.")

    # then
    assert (caught.value.code, caught.value.field, caught.value.message) == (
        "refusal_incomplete", missing, gettext(message))
    assert footprint() == before


def test_a_refusal_message_is_ukrainian(book, operator, executor):
    # given
    from django.utils import translation

    appeal = register(actor=operator)

    # when
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                              result=ReplyResult.REFUSED, text="Відмовлено.")

    # then
    assert caught.value.message == "У відмові мають бути зазначені її мотиви (ст.15 Закону)."


def test_grounds_given_with_another_result_are_not_kept(book, operator, executor):
    # given
    appeal = register(actor=operator)

    # when
    reply = services.reply_submit(**letter(), **REFUSAL, actor=executor, assignment=_main(appeal),
                                  result=ReplyResult.DONE, text="Виконано.")

    # then
    reply.refresh_from_db()
    assert (reply.refusal_reasons, reply.legal_basis, reply.appeal_procedure) == ("", "", "")


@pytest.mark.parametrize("missing", ["outgoing_number", "outgoing_date", "signatory_name",
                                     "signatory_position"])
def test_the_main_executors_answer_without_its_letter_is_refused_and_changes_nothing(
        book, operator, executor, missing):
    # given
    appeal = register(actor=operator)
    assignment = _main(appeal)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.reply_submit(**letter(**{missing: None if missing == "outgoing_date" else ""}),
                              actor=executor, assignment=assignment, result=ReplyResult.DONE,
                              text="Виконано.")

    # then
    assert (caught.value.code, caught.value.field) == ("answer_letter_required", missing)
    assert footprint() == before


@pytest.mark.parametrize("sent_on", [
    pytest.param(lambda today: today + dt.timedelta(days=1), id="tomorrow"),
    pytest.param(lambda today: dt.date(9999, 12, 31), id="year 9999"),
    pytest.param(lambda today: today - dt.timedelta(days=3), id="before the receipt"),
    pytest.param(lambda today: dt.date(1, 1, 1), id="year 1"),
])
def test_a_letter_dated_outside_the_appeals_life_is_refused_and_changes_nothing(
        book, operator, executor, sent_on):
    # given an appeal received yesterday
    appeal = register(actor=operator, received_at=clock.now() - dt.timedelta(days=1))
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.reply_submit(**letter(outgoing_date=sent_on(clock.today())),
                              actor=executor, assignment=_main(appeal), result=ReplyResult.DONE,
                              text="Виконано.")

    # then
    assert (caught.value.code, caught.value.field) == ("invalid_value", "outgoing_date")
    assert footprint() == before


@pytest.mark.parametrize(("role", "result"), [
    ("co", ReplyResult.DONE),  # a co-executor informs the main executor, not the applicant
    ("main", ReplyResult.NOT_IN_COMPETENCE),  # goes back to the centre, not to the applicant
])
def test_replies_that_do_not_reach_the_applicant_need_no_letter(
        book, operator, executor, other_executor, role, result):
    # given
    appeal = register(actor=operator, routing=Routing(co_authority_codes=("ZAK-WATER",)))
    assignment = Assignment.objects.get(question__appeal=appeal, role=role)
    actor = executor if role == "main" else other_executor

    # when
    reply = services.reply_submit(actor=actor, assignment=assignment, result=result, text="Так.")

    # then
    assert (reply.outgoing_number, reply.outgoing_date, reply.signatory_name) == ("", None, "")


def test_the_answer_letter_is_kept_with_the_reply_and_its_number_in_the_trail(book, operator,
                                                                              executor):
    # given
    appeal = register(actor=operator)

    # when
    reply = services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                                  result=ReplyResult.DONE, text="Виконано.")

    # then
    reply.refresh_from_db()
    assert (reply.outgoing_number, reply.outgoing_date, reply.signatory_name,
            reply.signatory_position) == ("02-14/381", clock.today(), "Олена Ковач", "Міська голова")
    event = AuditEvent.objects.get(action="reply.submit")
    assert event.after["outgoing_number"] == "02-14/381"
    assert "Олена Ковач" not in str(event.after)


def test_the_applicant_gets_the_substance_of_the_answer(book, operator, supervisor, executor):
    # given a refusal answered with the body's letter
    appeal = register(actor=operator)
    services.reply_submit(**letter(), **REFUSAL, actor=executor, assignment=_main(appeal),
                          result=ReplyResult.REFUSED, text="У виділенні ділянки відмовлено.")

    # when the centre passes it on
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)

    # then the notice carries the result, the text, the grounds, the letter and the signatory
    text = Notice.objects.get(appeal=appeal, kind="answered").text
    today = clock.today().strftime("%d.%m.%Y")
    for part in (appeal.number, "Берегівська міська рада", str(ReplyResult.REFUSED.label),
                 "У виділенні ділянки відмовлено.", REFUSAL["refusal_reasons"],
                 REFUSAL["legal_basis"], REFUSAL["appeal_procedure"], "02-14/381", today,
                 "Олена Ковач", "Міська голова"):
        assert part in text, part


def test_the_notice_carries_every_main_executors_answer(book, operator, supervisor, executor,
                                                        other_executor):
    # given two questions with two main executors
    from vikno.appeals.services import QuestionData

    appeal = register(actor=operator, questions=[QuestionData("009-HW"), QuestionData("009-RD")])
    first, second = Assignment.objects.filter(question__appeal=appeal).order_by("question_id")
    services.appeal_assign(actor=supervisor, appeal=appeal, question_ids=[second.question_id],
                           routing=Routing(main_authority_code="ZAK-WATER"))
    second = Assignment.objects.get(question=second.question, status="assigned")
    services.reply_submit(**letter(), actor=executor, assignment=first, result=ReplyResult.DONE,
                          text="Гарячу воду подано.")
    services.reply_submit(**letter(outgoing_number="77/3"), actor=other_executor,
                          assignment=second, result=ReplyResult.IMPOSSIBLE_NOW,
                          text="Ремонт дороги включено до плану 2027 року.")

    # when
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)

    # then
    text = Notice.objects.get(appeal=appeal, kind="answered").text
    assert "Гарячу воду подано." in text
    assert "Ремонт дороги включено до плану 2027 року." in text
    assert text.index("Берегівська міська рада") < text.index("Водоканал")


def test_accepting_the_answer_records_its_index_date_and_file_on_the_card(book, operator,
                                                                          supervisor, executor):
    # given
    appeal = register(actor=operator)
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                          result=ReplyResult.DONE, text="Виконано.")

    # when
    services.answer_review(actor=supervisor, appeal=appeal, accept=True, file_number="04-12")

    # then
    appeal.refresh_from_db()
    assert (appeal.answer_number, appeal.answer_date, appeal.file_number) == (
        "02-14/381", clock.today(), "04-12")
    assert AuditEvent.objects.filter(action="appeal.answer_recorded").count() == 1


def test_the_supervisor_corrects_the_answer_index_date_and_file(book, operator, supervisor,
                                                                 executor):
    # given an answer passed on
    appeal = register(actor=operator)
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                          result=ReplyResult.DONE, text="Виконано.")
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)

    # when
    services.appeal_answer_record(actor=supervisor, appeal=appeal, answer_number="02-14/390",
                                  answer_date=clock.today() - dt.timedelta(days=1),
                                  file_number="04-12")

    # then
    appeal.refresh_from_db()
    assert (appeal.answer_number, appeal.answer_date, appeal.file_number) == (
        "02-14/390", clock.today() - dt.timedelta(days=1), "04-12")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"answer_number": " ", "answer_date": dt.date(2026, 1, 5)}, "answer_number"),
    ({"answer_number": "02-14/390", "answer_date": None}, "answer_date"),
    ({"answer_number": "02-14/390", "answer_date": dt.date(2999, 1, 1)}, "answer_date"),
])
def test_recording_the_answer_without_index_or_date_is_refused_and_changes_nothing(
        book, operator, supervisor, executor, kwargs, field):
    # given
    appeal = register(actor=operator)
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                          result=ReplyResult.DONE, text="Виконано.")
    before = footprint() | {"card": list(Appeal.objects.values_list("answer_number", "file_number"))}

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_answer_record(actor=supervisor, appeal=appeal, file_number="04-12",
                                      **kwargs)

    # then
    assert caught.value.field == field
    assert footprint() | {"card": list(Appeal.objects.values_list("answer_number",
                                                                  "file_number"))} == before


def test_the_answer_cannot_be_recorded_before_there_is_one(book, operator, supervisor):
    # given
    appeal = register(actor=operator)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_answer_record(actor=supervisor, appeal=appeal, answer_number="1",
                                      answer_date=clock.today())

    # then
    assert caught.value.code == "illegal_transition"
    assert footprint() == before
    assert Reply.objects.count() == 0
