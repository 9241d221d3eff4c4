"""Answers that arrive outside Vikno: the centre records a body's letter or e-mail on its behalf
and the appeal goes on as if the executor had answered (services/on_behalf.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals import selectors, services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AppealStatus, AssignmentStatus, TransitionAction
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Attachment,
    Notice,
    Notification,
    ReceivedVia,
    Reply,
    ReplyResult,
    Transition,
)
from vikno.appeals.services import Grounds, Letter, Routing
from vikno.appeals.tests.factories import executor_of, footprint, register
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.core.errors import PermissionDenied

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
SIGNATORY = "Олена Ковач"
TEXT = "Гаряче водопостачання відновлено 12 березня. Заявниці Шевченко надано відповідь."
REFUSAL = Grounds(refusal_reasons="Ділянка не належить до земель громади.",
                  legal_basis="ст.12 Земельного кодексу України",
                  appeal_procedure="Рішення можна оскаржити до Берегівської РДА або до суду.")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _letter(**overrides: Any) -> Letter:
    values: dict[str, Any] = {"outgoing_number": "02-14/381", "outgoing_date": clock.today(),
                              "signatory_name": SIGNATORY, "signatory_position": "Міська голова"}
    values.update(overrides)
    return Letter(**values)


def _main(appeal: Appeal) -> Assignment:
    return Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN,
                                  status__in=["assigned", "in_work", "answered", "for_revision"])


def _record(actor: Any, assignment: Assignment, **overrides: Any) -> Reply:
    values: dict[str, Any] = {"result": ReplyResult.DONE, "text": TEXT, "letter": _letter(),
                              "received_via": ReceivedVia.LETTER, "received_on": clock.today()}
    values.update(overrides)
    return services.reply_record_on_behalf(actor=actor, assignment=assignment, **values)


def _refused(**kwargs: Any) -> AppealsError:
    before = footprint()
    with pytest.raises(AppealsError) as caught:
        _record(**kwargs)
    assert footprint() == before
    return caught.value


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR])
def test_the_centre_records_a_paper_answer_and_the_appeal_is_answered(book, operator, role):
    # given an appeal routed to a council that has no account in Vikno
    appeal = register(actor=operator)
    centre = UserFactory(role=role)

    # when the centre records the council's letter, received by post, with its scan
    reply = _record(centre, _main(appeal), scan=("лист-ради.pdf", PDF, "application/pdf"))

    # then the answer is the body's: its letter, signatory, and the appeal is answered
    appeal.refresh_from_db()
    reply.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED
    assert reply.assignment.status == AssignmentStatus.ANSWERED
    assert (reply.outgoing_number, reply.signatory_name) == ("02-14/381", SIGNATORY)
    # and the reply says who in the centre recorded it, how and when it arrived, apart from the body
    assert (reply.recorded_by, reply.answered_by, reply.received_via, reply.received_on) == (
        centre, None, ReceivedVia.LETTER, clock.today())
    assert reply.on_behalf
    # and the scan is in the case file, linked to the reply
    assert reply.scan is not None and reply.scan.appeal_id == appeal.pk
    assert reply.scan.content_type == "application/pdf"
    assert reply.scan.file.read() == PDF


def test_a_new_assignment_is_taken_into_work_by_the_centre_first(book, operator):
    # given an assignment nobody has taken into work
    appeal = register(actor=operator)
    assignment = _main(appeal)
    assert assignment.status == AssignmentStatus.ASSIGNED

    # when the centre records the answer
    _record(operator, assignment)

    # then it was accepted first (accepted_at set, the same moves as the executor's) by the centre
    assignment.refresh_from_db()
    assert assignment.accepted_at is not None
    lines = list(Transition.objects.filter(appeal=appeal).order_by("id")
                 .values_list("action", "by_id"))
    assert lines[-3:] == [(TransitionAction.RECORDED_ON_BEHALF, operator.pk),
                          (TransitionAction.ACCEPT, operator.pk),
                          (TransitionAction.ANSWER, operator.pk)]
    accepted = AuditEvent.objects.get(action="assignment.accept", object_id=str(assignment.pk))
    assert accepted.actor_id == operator.pk
    assert AuditEvent.objects.filter(action="reply.on_behalf", actor_id=operator.pk).exists()


def test_the_history_line_keeps_the_authority_in_the_nominative(book, operator):
    # given
    appeal = register(actor=operator)

    # when
    _record(operator, _main(appeal), received_via=ReceivedVia.EMAIL)

    # then a Ukrainian reader sees the body's name as stored, after "виконавця" and in «»
    line = Transition.objects.get(appeal=appeal, action=TransitionAction.RECORDED_ON_BEHALF)
    with translation.override("uk"):
        text = line.note
    assert "Відповідь виконавця «Берегівська міська рада» внесено центром з листа" in text
    assert f"№ 02-14/381 від {clock.today():%d.%m.%Y}" in text
    assert "електронною поштою" in text
    assert "Доручення прийнято до розгляду центром від імені виконавця." in text


def test_the_audit_event_names_ids_codes_and_dates_never_the_texts(book, operator):
    # given
    appeal = register(actor=operator)

    # when
    reply = _record(operator, _main(appeal), scan=("Шевченко Тарас лист.pdf", PDF, ""))

    # then
    event = AuditEvent.objects.get(action="reply.on_behalf")
    assert (event.actor_id, event.object_id) == (operator.pk, str(reply.pk))
    assert event.after["received_via"] == "letter"
    assert event.after["scan"] == reply.scan_id
    trail = json.dumps([list(AuditEvent.objects.values("object_label", "before", "after"))],
                       default=str, ensure_ascii=False)
    for secret in (TEXT, SIGNATORY, "Шевченко", "Тарас"):
        assert secret not in trail


@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.ANALYST, Role.SECURITY_ADMIN,
                                  Role.SYSTEM_ADMIN])
def test_only_the_centre_records_answers_on_a_bodys_behalf(book, operator, role):
    # given
    appeal = register(actor=operator)
    other = executor_of(book.council) if role == Role.EXECUTOR else UserFactory(role=role)

    # when / then: refused, nothing written
    before = footprint()
    with pytest.raises(PermissionDenied):
        _record(other, _main(appeal))
    assert footprint() == before


@pytest.mark.parametrize(("change", "field"), [
    ({"letter": _letter(outgoing_number="")}, "outgoing_number"),
    ({"letter": _letter(signatory_name="")}, "signatory_name"),
    ({"letter": _letter(signatory_position="")}, "signatory_position"),
    ({"letter": _letter(outgoing_date=None)}, "outgoing_date"),
    ({"received_via": "pigeon"}, "received_via"),
    ({"received_on": None}, "received_on"),
    ({"received_on": clock.today() + dt.timedelta(days=1)}, "received_on"),
    ({"result": ""}, "result"),
    ({"text": " "}, "text"),
    ({"result": ReplyResult.REFUSED}, "refusal_reasons"),
    ({"scan": ("лист.docx", b"PK\x03\x04", "")}, "scan"),
    ({"scan": ("лист.txt", "Відповідь".encode(), "text/plain")}, "scan"),
])
def test_a_paper_answer_needs_the_letter_the_receipt_and_the_refusals_grounds(
        book, operator, change, field):
    appeal = register(actor=operator)
    error = _refused(actor=operator, assignment=_main(appeal), **change)
    assert error.field == field


def test_the_answer_cannot_arrive_before_its_letter(book, operator):
    appeal = register(actor=operator)
    error = _refused(actor=operator, assignment=_main(appeal),
                     letter=_letter(outgoing_date=clock.today()),
                     received_on=clock.today() - dt.timedelta(days=1))
    assert error.field == "received_on"


def test_a_refusal_on_paper_keeps_its_grounds(book, operator):
    appeal = register(actor=operator)
    reply = _record(operator, _main(appeal), result=ReplyResult.REFUSED, grounds=REFUSAL)
    reply.refresh_from_db()
    assert (reply.refusal_reasons, reply.legal_basis, reply.appeal_procedure) == (
        REFUSAL.refusal_reasons, REFUSAL.legal_basis, REFUSAL.appeal_procedure)


def test_an_answered_assignment_takes_no_second_answer_on_paper(book, operator):
    appeal = register(actor=operator)
    _record(operator, _main(appeal))
    error = _refused(actor=operator, assignment=_main(appeal))
    assert error.code == "illegal_transition"


def test_the_appeal_waits_for_every_main_executor(book, operator):
    # given two questions for two executors
    appeal = register(actor=operator, questions=[
        services.QuestionData(subtopic_code="009-HW"), services.QuestionData(subtopic_code="009-RD")])
    first, second = Assignment.objects.filter(question__appeal=appeal).order_by("question_id")
    services.appeal_assign(actor=UserFactory(role=Role.SUPERVISOR), appeal=appeal,
                           routing=Routing(main_authority_code=book.utility.code),
                           question_ids=[second.question_id])
    second = Assignment.objects.get(question=second.question, status="assigned")

    # when the first body's letter is recorded
    _record(operator, first)

    # then the appeal is still in work; the second letter answers it
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.IN_WORK
    _record(operator, second)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ANSWERED


def test_the_review_passes_the_paper_answer_to_the_applicant(book, operator, supervisor):
    # given a paper answer recorded by the operator
    appeal = register(actor=operator)
    _record(operator, _main(appeal))

    # when the supervisor accepts it
    services.answer_review(actor=supervisor, appeal=appeal, accept=True)

    # then the applicant's notice carries the body's answer and letter; the card its index
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.AWAITING_CONFIRMATION
    assert appeal.answer_number == "02-14/381"
    answer = Notice.objects.get(appeal=appeal, kind="answered").params["answers"][0]
    assert (answer["text"], answer["signatory_name"]) == (TEXT, SIGNATORY)


def test_a_revision_is_answered_on_paper_too(book, operator, supervisor):
    # given an answer sent back for revision
    appeal = register(actor=operator)
    _record(operator, _main(appeal))
    services.answer_review(actor=supervisor, appeal=appeal, accept=False, note="Немає дати робіт.")
    assert _main(appeal).status == AssignmentStatus.FOR_REVISION

    # when the revised letter comes by e-mail
    reply = _record(operator, _main(appeal), received_via=ReceivedVia.EMAIL,
                    letter=_letter(outgoing_number="02-14/400"))

    # then the appeal is answered again, the new letter recorded
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ANSWERED
    assert reply.outgoing_number == "02-14/400"


def test_a_return_not_in_competence_by_letter_goes_back_to_the_centre(book, operator):
    # given
    appeal = register(actor=operator)
    assignment = _main(appeal)

    # when the body's letter says the question is not theirs
    reply = services.return_record_on_behalf(
        actor=operator, assignment=assignment, reason="Мережі належать Водоканалу.",
        received_via=ReceivedVia.OTHER, received_on=clock.today(),
        scan=("лист.png", PNG, "image/png"))

    # then as the executor's own return: back to the centre, supervisors told, reason kept
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.RETURNED
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REGISTERED
    assert reply.result == ReplyResult.NOT_IN_COMPETENCE and reply.recorded_by == operator
    assert Notification.objects.filter(appeal=appeal, kind="returned").exists()
    with translation.override("uk"):
        notes = [t.note for t in Transition.objects.filter(appeal=appeal).order_by("id")]
    assert any("Мережі належать Водоканалу." in n for n in notes)
    assert any("Повернення виконавця «Берегівська міська рада»" in n for n in notes)


def test_a_scan_attached_before_is_linked_not_stored_twice(book, operator):
    appeal = register(actor=operator)
    earlier = services.attachment_add(actor=operator, appeal=appeal, name="лист.pdf", content=PDF)
    reply = _record(operator, _main(appeal), scan=("лист-ще-раз.pdf", PDF, "application/pdf"))
    assert reply.scan_id == earlier.pk
    assert Attachment.objects.filter(appeal=appeal).count() == 1


def test_the_scan_is_downloaded_only_by_those_who_see_the_appeal(book, operator):
    # given a paper answer with its scan
    appeal = register(actor=operator)
    scan = _record(operator, _main(appeal), scan=("лист.pdf", PDF, "")).scan
    assert scan is not None

    # then the centre downloads it (a recorded read); another body's executor does not see it
    assert selectors.attachment_download_for(user=operator, number=appeal.number,
                                             pk=scan.pk) == scan
    assert AuditEvent.objects.filter(action="attachment.download", object_id=str(scan.pk)).exists()
    stranger = executor_of(book.utility)
    with pytest.raises(Exception) as caught:
        selectors.attachment_download_for(user=stranger, number=appeal.number, pk=scan.pk)
    assert getattr(caught.value, "code", "") == "not_found"


def test_bodies_without_an_executor_account_wait_for_a_paper_answer(book, operator, supervisor):
    # given appeals for a council without accounts and for the utility, which has one
    on_paper = register(actor=operator)
    in_vikno = register(actor=operator, routing=Routing(main_authority_code=book.utility.code))
    executor_of(book.utility)
    inactive = executor_of(book.council)
    inactive.is_active = False
    inactive.save()

    # then the centre's list holds the council's assignment only, and the card marks it
    waiting = list(selectors.assignments_awaiting_paper(user=supervisor))
    assert [a.question.appeal_id for a in waiting] == [on_paper.pk]
    marks = {a.authority.code: a.without_accounts
             for a in selectors.appeal_assignments(appeal=in_vikno)}
    assert marks == {book.utility.code: False}
    assert [a.without_accounts for a in selectors.appeal_assignments(appeal=on_paper)] == [True]
    # and an executor gets no such list; an answered assignment leaves it
    assert not selectors.assignments_awaiting_paper(user=executor_of(book.oda)).exists()
    _record(operator, _main(on_paper))
    assert not selectors.assignments_awaiting_paper(user=supervisor).exists()
