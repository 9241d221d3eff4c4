"""The Law at registration: ст.5, ст.8, ст.17, ст.20 and Instruction No. 348 in appeal_register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    Channel,
    Kind,
    NotConsideredReason,
    Notice,
    Sign,
    Subject,
)
from vikno.appeals.selectors import statistics
from vikno.appeals.tests.factories import applicant_data, footprint, register
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.directory import deadlines
from vikno.directory.selectors import working_calendar


def _assigned_to(appeal: Appeal) -> list[str]:
    return sorted(Assignment.objects.filter(question__appeal=appeal)
                  .values_list("authority__code", flat=True))


# --- ст.8: an anonymous written appeal is registered, not considered, without a term ----------

AT_THE_DOOR = {
    # case: (intake overrides, status, reason, has a term, routed)
    "a signed letter with an address": ({"channel": Channel.POST}, AppealStatus.ASSIGNED, "",
                                        True, True),
    "an unsigned letter": ({"channel": Channel.POST, "signed": False},
                           AppealStatus.NOT_CONSIDERED, NotConsideredReason.ANONYMOUS, False, False),
    "a letter without a place of residence": (
        {"channel": Channel.POST, "applicant": applicant_data(address="")},
        AppealStatus.NOT_CONSIDERED, NotConsideredReason.ANONYMOUS, False, False),
    "a letter without an author": ({"channel": Channel.POST, "subject": Subject.ANONYMOUS},
                                   AppealStatus.NOT_CONSIDERED, NotConsideredReason.ANONYMOUS,
                                   False, False),
    "an e-mail without an author": ({"channel": Channel.EMAIL, "subject": Subject.ANONYMOUS},
                                    AppealStatus.NOT_CONSIDERED, NotConsideredReason.ANONYMOUS,
                                    False, False),
    "an anonymous call (oral: recorded by the official)": (
        {"channel": Channel.HOTLINE, "subject": Subject.ANONYMOUS}, AppealStatus.ASSIGNED, "",
        True, True),
    "a call without an address": ({"applicant": applicant_data(address="")},
                                  AppealStatus.ASSIGNED, "", True, True),
    "a late complaint": ({"kind": Kind.COMPLAINT, "late_complaint": True,
                          "contested_decision_on": dt.date(2023, 1, 10)},
                         AppealStatus.NOT_CONSIDERED, NotConsideredReason.LATE_COMPLAINT,
                         False, False),
    "a complaint whose missed term was restored": (
        {"kind": Kind.COMPLAINT, "term_restored": True,
         "contested_decision_on": dt.date(2023, 1, 10)}, AppealStatus.ASSIGNED, "", True, True),
    "a letter lacking required content": (
        {"channel": Channel.POST, "missing_content": "не викладено суть прохання"},
        AppealStatus.REGISTERED, "", True, False),
}


@pytest.mark.parametrize("case", list(AT_THE_DOOR), ids=list(AT_THE_DOOR))
def test_the_law_at_the_door_decides_status_term_and_routing(book, operator, case):
    # given
    overrides, status, reason, has_term, routed = AT_THE_DOOR[case]

    # when
    appeal = register(actor=operator, **overrides)

    # then
    appeal.refresh_from_db()
    assert appeal.status == status
    assert appeal.not_considered_reason == reason
    assert (appeal.due_date is not None) is has_term
    assert all((q.due_date is not None) is has_term for q in appeal.questions.all())
    assert bool(_assigned_to(appeal)) is routed


def test_a_late_complaint_keeps_the_date_of_the_decision_and_tells_the_applicant(book, operator):
    # when
    appeal = register(actor=operator, kind=Kind.COMPLAINT, late_complaint=True,
                      contested_decision_on=dt.date(2023, 1, 10))

    # then
    appeal.refresh_from_db()
    assert appeal.contested_decision_on == dt.date(2023, 1, 10)
    assert not appeal.term_restored
    assert Notice.objects.filter(appeal=appeal, kind="not_considered").count() == 1
    # the notice quotes the number the appeal was given at the end of its registration
    assert Notice.objects.get(appeal=appeal).params["number"] == appeal.index
    registered = AuditEvent.objects.get(action="appeal.register")
    assert registered.after["contested_decision_on"] == "2023-01-10"
    assert registered.after["number"] == appeal.number


def test_a_restored_term_is_recorded_and_the_complaint_considered(book, operator):
    # when
    appeal = register(actor=operator, kind=Kind.COMPLAINT, term_restored=True,
                      contested_decision_on=dt.date(2023, 1, 10))

    # then
    appeal.refresh_from_db()
    assert appeal.term_restored
    assert appeal.due_date == deadlines.consideration_due(clock.today(), needs_study=False)


def test_a_reopened_anonymous_letter_gets_its_term_when_routed(book, operator, supervisor):
    # given an unsigned letter, not considered from the door
    appeal = register(actor=operator, channel=Channel.POST, signed=False)
    # a named letter the Law deems anonymous carries «БП» (Instruction No. 348) while not considered
    assert appeal.applicant_id is not None and appeal.index == f"{appeal.number}/БП"

    # when a supervisor decides it is to be considered, and it is routed
    services.appeal_reopen(actor=supervisor, appeal=appeal, note="Автора встановлено")
    services.appeal_assign(actor=supervisor, appeal=appeal, routing=services.Routing())

    # then the term runs from that decision, and the index loses the mark
    appeal.refresh_from_db()
    assert appeal.index == appeal.number
    today = clock.today()
    assert appeal.status == AppealStatus.ASSIGNED
    assert appeal.due_date == deadlines.consideration_due(today, needs_study=False)
    assert appeal.max_due_date == deadlines.max_due(today)
    assert set(Assignment.objects.filter(question__appeal=appeal)
               .values_list("due_date", flat=True)) == {appeal.due_date}
    assert AuditEvent.objects.filter(action="appeal.term").count() == 1


# --- ст.5: lacking required content: the 10-day return term, watched until returned ----------

def test_an_appeal_lacking_content_gets_the_return_term_and_is_returned(book, operator, supervisor):
    # given
    appeal = register(actor=operator, channel=Channel.POST, missing_content="немає підпису")
    appeal.refresh_from_db()
    assert appeal.due_date == deadlines.return_due(clock.today())
    assert appeal.missing_content == "немає підпису"

    # when the supervisor returns it
    services.appeal_return_missing_content(actor=supervisor, appeal=appeal, note="немає підпису")

    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RETURNED_MISSING_CONTENT


@pytest.mark.parametrize(("days_later", "escalated"), [(6, 0), (10, 0), (11, 1)])
def test_deadline_control_watches_the_return_term_not_the_routing_term(
        book, operator, days_later, escalated):
    # given an appeal lacking content, registered today
    register(actor=operator, channel=Channel.POST, missing_content="немає підпису")

    # when deadline control runs later
    report = services.deadline_control(today=clock.today() + dt.timedelta(days=days_later))

    # then it escalates only after the 10-day return term
    assert report.unrouted == escalated


# --- Classifier axis 2: "repeated" only from the same applicant's earlier appeal -------------

def test_the_same_applicants_earlier_appeal_makes_it_repeated(book, operator):
    # given
    first = register(actor=operator)

    # when
    second = register(actor=operator, applicant_id=first.applicant_id, applicant=None,
                      previous_appeal_number=first.number)

    # then
    assert second.sign == Sign.REPEATED
    assert second.previous_appeal == first


REPEAT_REFUSALS = {
    "another applicant's appeal": ("other", "Попереднє звернення належить іншому заявникові"),
    "an anonymous appeal": ("anonymous", "Попереднє звернення анонімне"),
}


@pytest.mark.parametrize("case", list(REPEAT_REFUSALS), ids=list(REPEAT_REFUSALS))
def test_an_earlier_appeal_of_someone_else_is_refused_and_changes_nothing(book, operator, case):
    # given
    which, message = REPEAT_REFUSALS[case]
    mine = register(actor=operator)
    earlier = (register(actor=operator, applicant=applicant_data(last_name="Коваль"))
               if which == "other" else register(actor=operator, subject=Subject.ANONYMOUS))
    before = footprint()

    # when
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        register(actor=operator, applicant_id=mine.applicant_id, applicant=None,
                 previous_appeal_number=earlier.number)

    # then
    assert caught.value.field == "previous_appeal_number"
    assert caught.value.message.startswith(message)
    assert footprint() == before


# --- ст.8 decision once an executor has taken the appeal into work ---------------------------

def test_the_st8_decision_is_possible_once_the_appeal_is_in_work(book, operator, supervisor,
                                                                 executor):
    # given an appeal the executor took into work
    appeal = register(actor=operator)
    assignment = Assignment.objects.get(question__appeal=appeal)
    services.assignment_accept(actor=executor, assignment=assignment)

    # when
    services.appeal_not_considered(actor=supervisor, appeal=appeal,
                                   reason=NotConsideredReason.REPEATED)

    # then
    appeal.refresh_from_db()
    assignment.refresh_from_db()
    assert appeal.status == AppealStatus.NOT_CONSIDERED
    assert assignment.status == "cancelled"


# --- ст.20 ч.3: priority follows the category, the co-signers count --------------------------

def test_a_privileged_cosigner_makes_a_collective_appeal_a_priority(book, operator):
    # when
    appeal = register(actor=operator, cosigners=[applicant_data(last_name="Коваль",
                                                                category_code="7.1")])

    # then
    assert appeal.subject == Subject.COLLECTIVE
    assert appeal.priority


@pytest.mark.parametrize(("old", "new", "open_priority"), [("", "7.1", True), ("7.1", "", False)])
def test_a_changed_category_recomputes_priority_of_appeals_under_consideration(
        book, operator, supervisor, old, new, open_priority):
    # given an open and a not-considered appeal of one applicant
    open_appeal = register(actor=operator, applicant=applicant_data(category_code=old))
    closed = register(actor=operator, applicant_id=open_appeal.applicant_id, applicant=None)
    services.appeal_not_considered(actor=supervisor, appeal=closed,
                                   reason=NotConsideredReason.REPEATED)
    closed_priority = Appeal.objects.get(pk=closed.pk).priority

    # when the category changes
    services.applicant_update(actor=operator, applicant=open_appeal.applicant,
                              data=applicant_data(category_code=new))

    # then the open appeal follows it, audited; the decided one keeps its mark
    assert Appeal.objects.get(pk=open_appeal.pk).priority is open_priority
    assert Appeal.objects.get(pk=closed.pk).priority is closed_priority
    event = AuditEvent.objects.filter(action="appeal.priority").get()
    assert event.after == {"priority": open_priority}


# --- Law 2939-VI: a request for public information ------------------------------------------

def test_a_request_for_public_information_has_five_working_days_and_stays_out_of_appeal_counts(
        book, operator):
    # given
    register(actor=operator)

    # when
    request = register(actor=operator, kind=Kind.PUBLIC_INFORMATION)

    # then
    request.refresh_from_db()
    assert request.due_date == deadlines.public_information_due(clock.today(), working_calendar())
    assert not request.needs_study
    stats = statistics()
    assert stats["total"] == 1
    assert stats["public_information"] == 1


# --- Instruction No. 348: the index marks -------------------------------------------------------

@pytest.mark.parametrize(("overrides", "mark"), [
    ({}, ""),
    ({"cosigners": [applicant_data(last_name="Коваль")]}, "/КО"),
    ({"subject": Subject.ANONYMOUS}, "/БП"),
])
def test_the_index_carries_the_marks_of_collective_and_anonymous_appeals(book, operator,
                                                                         overrides, mark):
    # when
    appeal = register(actor=operator, **overrides)

    # then the stored number stays unmarked
    assert appeal.index == appeal.number + mark
    assert "/" not in appeal.number


# --- one transaction: the known applicant is updated only with the registration --------------

def test_a_known_applicant_is_updated_and_the_appeal_registered_in_one_go(book, operator):
    # given
    first = register(actor=operator)

    # when
    second = register(actor=operator, applicant_id=first.applicant_id,
                      applicant=applicant_data(phone="0990000000"))

    # then
    assert second.applicant_id == first.applicant_id
    assert second.applicant.phone == "0990000000"
    assert AuditEvent.objects.filter(action="applicant.update").count() == 1


def test_a_refused_registration_leaves_the_known_applicant_unchanged(book, operator):
    # given
    first = register(actor=operator)
    before = footprint()

    # when the appeal is refused (unknown topic) after the applicant's details were corrected
    with pytest.raises(AppealsError):
        register(actor=operator, subtopic="999-XX", applicant_id=first.applicant_id,
                 applicant=applicant_data(phone="0990000000"))

    # then
    first.applicant.refresh_from_db()
    assert first.applicant.phone == "+380 50 123 45 67"
    assert footprint() == before


def test_an_unmarked_complaint_a_year_after_the_decision_is_refused_and_changes_nothing(
        book, operator):
    # given
    register(actor=operator)
    before = footprint()
    decided = clock.today() - dt.timedelta(days=400)

    # when
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        register(actor=operator, kind=Kind.COMPLAINT, contested_decision_on=decided)

    # then
    assert caught.value.field == "late_complaint"
    assert caught.value.message.startswith("Скаргу подано пізніше ніж через рік")
    assert footprint() == before


def test_an_unmarked_complaint_a_month_after_learning_is_refused_and_changes_nothing(
        book, operator):
    # given
    register(actor=operator)
    before = footprint()
    today = clock.today()

    # when the applicant learned of a recent decision more than a month ago
    with translation.override("uk"), pytest.raises(AppealsError) as caught:
        register(actor=operator, kind=Kind.COMPLAINT,
                 contested_decision_on=today - dt.timedelta(days=60),
                 decision_learned_on=today - dt.timedelta(days=40))

    # then
    assert caught.value.field == "late_complaint"
    assert caught.value.message.startswith("Скаргу подано пізніше ніж через місяць")
    assert footprint() == before


def test_a_complaint_within_a_month_of_learning_keeps_the_date_and_is_considered(book, operator):
    # when
    learned = clock.today() - dt.timedelta(days=20)
    appeal = register(actor=operator, kind=Kind.COMPLAINT,
                      contested_decision_on=clock.today() - dt.timedelta(days=200),
                      decision_learned_on=learned)

    # then
    appeal.refresh_from_db()
    assert appeal.decision_learned_on == learned
    assert appeal.status == AppealStatus.ASSIGNED


def test_a_complaint_within_the_year_is_considered_with_its_decision_date(book, operator):
    # when
    appeal = register(actor=operator, kind=Kind.COMPLAINT,
                      contested_decision_on=clock.today() - dt.timedelta(days=30))

    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ASSIGNED
    assert appeal.due_date is not None
