"""Terms of ст.20 in the services: extensions, shortening, reminders, escalations, the queue."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from vikno.appeals import selectors, services, tasks
from vikno.appeals.errors import AppealsError
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    Kind,
    Notice,
    Notification,
    ReplyResult,
)
from vikno.appeals.selectors import AppealFilters
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import applicant_data, decider, footprint, letter, register
from vikno.directory.models import Holiday

KYIV = ZoneInfo("Europe/Kyiv")
RECEIVED = dt.datetime(2026, 3, 10, 10, tzinfo=KYIV)  # due 25.03, cap 24.04


def _appeal(operator, **kwargs) -> Appeal:
    """Registered on the day of receipt (routed in time, ст.7)."""
    kwargs.setdefault("received_at", RECEIVED)
    with time_machine.travel(kwargs["received_at"], tick=False):
        return register(actor=operator, **kwargs)


def _main(appeal: Appeal) -> Assignment:
    return Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN,
                                  status__in=["assigned", "in_work", "answered", "for_revision"])


def _due(appeal: Appeal) -> dt.date:
    appeal.refresh_from_db()
    return appeal.due_date


# --- extensions by a supervisor ------------------------------------------------------------------

@pytest.mark.parametrize("new_due", [dt.date(2026, 4, 10), dt.date(2026, 4, 24)],
                         ids=["within 45 days", "exactly received + 45"])
def test_a_supervisor_extends_within_the_cap(book, operator, supervisor, new_due):
    # given an appeal with a co-executor, and one returned assignment
    appeal = _appeal(operator, routing=Routing(co_authority_codes=("ZAK-WATER", "ZAK-ODA")))
    returned = Assignment.objects.get(question__appeal=appeal, authority__code="ZAK-ODA")
    services.reply_submit(**letter(), actor=supervisor, assignment=returned,
                          result=ReplyResult.NOT_IN_COMPETENCE, text="Не наше.")

    # when
    extension = services.appeal_extend(decider=decider(), actor=supervisor, appeal=appeal,
                               new_due=new_due,
                                       reason="Потрібне обстеження мережі")

    # then the appeal, its questions and the assignments in force get the new date
    assert _due(appeal) == new_due
    assert (extension.old_due_date, extension.new_due_date) == (dt.date(2026, 3, 25), new_due)
    assert extension.status == ExtensionStatus.APPROVED
    assert {q.due_date for q in appeal.questions.all()} == {new_due}
    assert {a.due_date for a in Assignment.objects.filter(question__appeal=appeal)
            .exclude(pk=returned.pk)} == {new_due}
    returned.refresh_from_db()
    assert returned.due_date == dt.date(2026, 3, 25)
    # ст.20: the applicant is told
    notice = Notice.objects.get(appeal=appeal, kind="extended")
    assert new_due.strftime("%d.%m.%Y") in notice.text


@pytest.mark.parametrize(
    ("new_due", "code"),
    [(dt.date(2026, 4, 25), "extension_beyond_limit"),
     (dt.date(2026, 3, 25), "extension_not_later"),
     (dt.date(2026, 3, 20), "extension_not_later")],
    ids=["received + 46", "the same date", "earlier"])
def test_an_extension_past_the_cap_or_not_later_is_refused(book, operator, supervisor, new_due,
                                                           code):
    # given
    appeal = _appeal(operator)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_extend(decider=decider(), actor=supervisor, appeal=appeal,
                               new_due=new_due, reason="Треба")

    # then nothing changed: the date, the extensions, the notices
    assert caught.value.code == code
    assert footprint() == before
    assert Extension.objects.count() == 0
    assert Notice.objects.count() == 0
    if code == "extension_beyond_limit":
        assert caught.value.extra == {"max_due_date": "2026-04-24"}


# Received Tuesday 10.03.2026: 5 working days end on 17.03, 20 on 07.04 (Law 2939-VI ст.20).
def _request(operator) -> Appeal:
    return _appeal(operator, kind=Kind.PUBLIC_INFORMATION)


@pytest.mark.parametrize(("today", "new_due"), [
    (dt.date(2026, 3, 12), dt.date(2026, 4, 7)),
    (dt.date(2026, 3, 17), dt.date(2026, 3, 24)),  # told on the 5th working day
])
def test_a_request_for_public_information_is_extended_to_20_working_days(
        book, operator, supervisor, today, new_due):
    # given a request for public information (registered with the 20-working-day bound)
    appeal = _request(operator)
    assert (appeal.due_date, appeal.max_due_date) == (dt.date(2026, 3, 17), dt.date(2026, 4, 7))

    # when
    with time_machine.travel(dt.datetime.combine(today, dt.time(10), KYIV), tick=False):
        services.appeal_extend(decider=decider(), actor=supervisor, appeal=appeal,
                               new_due=new_due, reason="Великий обсяг інформації")

    # then
    assert _due(appeal) == new_due
    assert Notice.objects.filter(appeal=appeal, kind="extended").exists()


@pytest.mark.parametrize(("today", "new_due", "code", "message"), [
    (dt.date(2026, 3, 12), dt.date(2026, 4, 8), "extension_beyond_limit",
     "Строк розгляду запиту на публічну інформацію не можна продовжити понад 20 робочих днів"),
    (dt.date(2026, 3, 12), dt.date(2026, 4, 20), "extension_beyond_limit",  # within 45 days
     "Строк розгляду запиту на публічну інформацію не можна продовжити понад 20 робочих днів"),
    (dt.date(2026, 3, 18), dt.date(2026, 3, 31), "extension_too_late",
     "Про продовження строку запитувача повідомляють протягом 5 робочих днів"),
])
def test_a_request_extended_past_its_rule_is_refused_and_changes_nothing(
        book, operator, supervisor, today, new_due, code, message):
    # given
    appeal = _request(operator)
    before = footprint()

    # when
    with (time_machine.travel(dt.datetime.combine(today, dt.time(10), KYIV), tick=False),
          translation.override("uk"), pytest.raises(AppealsError) as caught):
        services.appeal_extend(decider=decider(), actor=supervisor, appeal=appeal,
                               new_due=new_due, reason="Великий обсяг інформації")

    # then
    assert (caught.value.code, caught.value.field) == (code, "new_due_date")
    assert caught.value.message.startswith(message)
    assert footprint() == before
    assert Extension.objects.count() == 0


def test_an_extension_needs_a_reason(book, operator, supervisor):
    # given
    appeal = _appeal(operator)

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_extend(decider=decider(), actor=supervisor, appeal=appeal,
                               new_due=dt.date(2026, 4, 1),
                               reason="  ")

    # then
    assert caught.value.code == "reason_required"
    assert _due(appeal) == dt.date(2026, 3, 25)


def test_a_closed_appeal_cannot_be_extended(book, operator, supervisor, executor):
    # given
    appeal = _appeal(operator)
    services.reply_submit(**letter(), actor=executor, assignment=_main(appeal), result=ReplyResult.DONE,
                          text="Зроблено")
    services.feedback_record(actor=operator, appeal=appeal, confirmed=True, rating=5)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_extend(decider=decider(), actor=supervisor, appeal=appeal,
                               new_due=dt.date(2026, 4, 1),
                               reason="Треба")

    # then
    assert caught.value.code == "illegal_transition"
    assert footprint() == before


def test_an_extension_lets_reminders_fire_again_for_the_new_date(book, operator, supervisor):
    # given an assignment already reminded and escalated for its first date
    appeal = _appeal(operator)
    services.deadline_control(today=dt.date(2026, 3, 23))
    services.deadline_control(today=dt.date(2026, 3, 26))

    # when the term is extended
    services.appeal_extend(decider=decider(), actor=supervisor, appeal=appeal,
                               new_due=dt.date(2026, 4, 20),
                           reason="Обстеження")

    # then the control starts over for the new date
    assignment = _main(appeal)
    assert (assignment.reminded_at, assignment.escalated_at) == (None, None)
    assert services.deadline_control(today=dt.date(2026, 4, 18)).reminded == 1


# --- extensions asked by an executor -------------------------------------------------------------

def test_an_executor_asks_and_a_supervisor_approves(book, operator, supervisor, executor):
    # given
    appeal = _appeal(operator)

    # when the executor asks
    extension = services.extension_request(actor=executor, assignment=_main(appeal),
                                           new_due=dt.date(2026, 4, 9), reason="Закупівля труб")

    # then nothing changes yet, the supervisors are told
    assert extension.status == ExtensionStatus.REQUESTED
    assert _due(appeal) == dt.date(2026, 3, 25)
    assert Notification.objects.get(appeal=appeal).kind == "extension"
    assert list(selectors.pending_extensions()) == [extension]

    # when the supervisor approves
    services.extension_decide(actor=supervisor, extension=extension, approve=True, decider=decider())

    # then
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert extension.decided_by == supervisor
    assert _due(appeal) == dt.date(2026, 4, 9)
    assert _main(appeal).due_date == dt.date(2026, 4, 9)
    assert Notice.objects.filter(appeal=appeal, kind="extended").count() == 1
    assert list(selectors.pending_extensions()) == []


def test_a_supervisor_refuses_with_a_reason(book, operator, supervisor, executor):
    # given
    appeal = _appeal(operator)
    extension = services.extension_request(actor=executor, assignment=_main(appeal),
                                           new_due=dt.date(2026, 4, 9), reason="Закупівля труб")

    # when without a reason, then refused and nothing changes
    before = footprint()
    with pytest.raises(AppealsError) as caught:
        services.extension_decide(actor=supervisor, extension=extension, approve=False)
    assert caught.value.code == "reason_required"
    assert footprint() == before

    # when with a reason
    services.extension_decide(actor=supervisor, extension=extension, approve=False,
                              note="Труби є на складі")

    # then
    extension.refresh_from_db()
    assert (extension.status, extension.decision_note) == (ExtensionStatus.REFUSED,
                                                           "Труби є на складі")
    assert _due(appeal) == dt.date(2026, 3, 25)
    assert not Notice.objects.filter(appeal=appeal).exists()

    # when decided again, then a conflict
    with pytest.raises(AppealsError) as again:
        services.extension_decide(actor=supervisor, extension=extension, approve=True, decider=decider())
    assert again.value.code == "conflict"


def test_an_executor_cannot_ask_past_the_cap(book, operator, executor):
    # given
    appeal = _appeal(operator)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.extension_request(actor=executor, assignment=_main(appeal),
                                   new_due=dt.date(2026, 4, 25), reason="Треба")

    # then
    assert caught.value.code == "extension_beyond_limit"
    assert footprint() == before


def test_an_answered_assignment_cannot_ask_for_more_time(book, operator, executor):
    # given
    appeal = _appeal(operator, routing=Routing(co_authority_codes=("ZAK-WATER",)))
    main = _main(appeal)
    services.reply_submit(**letter(), actor=executor, assignment=main, result=ReplyResult.DONE, text="Готово")

    # when
    with pytest.raises(AppealsError) as caught:
        services.extension_request(actor=executor, assignment=main, new_due=dt.date(2026, 4, 1),
                                   reason="Треба")

    # then
    assert caught.value.code == "illegal_transition"


# --- shortening ----------------------------------------------------------------------------------

def test_the_term_is_shortened_on_the_applicants_request(book, operator, supervisor):
    # given
    appeal = _appeal(operator)

    # when
    services.appeal_shorten(actor=supervisor, appeal=appeal, new_due=dt.date(2026, 3, 15),
                            reason="Заявник їде на лікування")

    # then
    assert _due(appeal) == dt.date(2026, 3, 15)
    assert _main(appeal).due_date == dt.date(2026, 3, 15)
    assert appeal.transitions.filter(action="shortened").exists()


@pytest.mark.parametrize("new_due", [dt.date(2026, 3, 9), dt.date(2026, 3, 30)],
                         ids=["before receipt", "later than the term"])
def test_shortening_outside_receipt_and_term_is_refused(book, operator, supervisor, new_due):
    # given
    appeal = _appeal(operator)
    before = footprint()

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_shorten(actor=supervisor, appeal=appeal, new_due=new_due, reason="Прошу")

    # then
    assert caught.value.code == "invalid_value"
    assert footprint() == before


def test_a_forwarded_appeal_cannot_be_shortened(book, operator, supervisor):
    # given
    appeal = _appeal(operator)
    services.appeal_forward(actor=supervisor, appeal=appeal, to_body="Держпраці")

    # when
    with pytest.raises(AppealsError) as caught:
        services.appeal_shorten(actor=supervisor, appeal=appeal, new_due=dt.date(2026, 3, 15),
                                reason="Прошу")

    # then
    assert caught.value.code == "illegal_transition"


# --- deadline control ----------------------------------------------------------------------------

def _world_for_control(operator, executor):
    """Five appeals with control dates 16.03 … 30.03 seen from 20.03."""
    made = {}
    for name, received_day in (("overdue", 1), ("due_today", 5), ("due_in_3", 8),
                               ("due_in_4", 9), ("answered_overdue", 2)):
        made[name] = _appeal(operator,
                             received_at=dt.datetime(2026, 3, received_day, 10, tzinfo=KYIV),
                             applicant=applicant_data(last_name=name.title()))
    services.reply_submit(**letter(), actor=executor, assignment=_main(made["answered_overdue"]),
                          result=ReplyResult.DONE, text="Готово")
    return made


def test_deadline_control_reminds_and_escalates_once(book, operator, executor):
    # given control dates 16.03 (overdue), 20.03, 23.03, 24.03 and an answered overdue one
    made = _world_for_control(operator, executor)

    # when run on 20.03
    report = services.deadline_control(today=dt.date(2026, 3, 20))

    # then due within 3 days reminded, the overdue escalated to the authority and supervisors
    assert (report.reminded, report.escalated) == (2, 1)
    reminded = set(Notification.objects.filter(kind="reminder").values_list("appeal_id", flat=True))
    assert reminded == {made["due_today"].pk, made["due_in_3"].pk}
    escalations = Notification.objects.filter(kind="escalation")
    assert {(n.appeal_id, n.for_supervisors, n.authority_id) for n in escalations} == {
        (made["overdue"].pk, False, book.council.pk), (made["overdue"].pk, True, None)}

    # when run again the same day, then nothing new
    before = Notification.objects.count()
    again = services.deadline_control(today=dt.date(2026, 3, 20))
    assert (again.reminded, again.escalated, again.unrouted) == (0, 0, 0)
    assert Notification.objects.count() == before


@pytest.mark.parametrize(
    ("today", "due", "reminded"),
    [
        ("2026-03-20", "2026-03-22", True),  # Friday warns for the Sunday
        ("2026-03-20", "2026-03-21", True),  # …and for the Saturday
        ("2026-03-19", "2026-03-22", False),  # Thursday: the warning date is still ahead
        ("2026-03-20", "2026-03-23", False),  # Monday is a working day: warned on Monday
        ("2026-04-09", "2026-04-10", True),  # a holiday Friday: warned on the Thursday
        ("2026-04-09", "2026-04-12", True),  # …with the weekend after it
        ("2026-04-09", "2026-04-13", False),
        ("2026-04-08", "2026-04-12", False),
    ],
)
def test_the_reminder_goes_out_by_the_warning_date(book, operator, settings, today, due,
                                                   reminded):
    # given reminders on the warning date itself, a holiday on Friday 10.04 and a control date
    settings.VIKNO = {**settings.VIKNO, "REMIND_BEFORE": dt.timedelta(0)}
    Holiday.objects.create(day=dt.date(2026, 4, 10), name="Свято")
    appeal = _appeal(operator, received_at=dt.datetime(2026, 3, 19, 10, tzinfo=KYIV))
    Assignment.objects.filter(pk=_main(appeal).pk).update(due_date=dt.date.fromisoformat(due))

    # when
    report = services.deadline_control(today=dt.date.fromisoformat(today))

    # then
    assert report.reminded == int(reminded)
    assert Notification.objects.filter(kind="reminder", appeal=appeal).exists() is reminded


def test_the_scheduled_task_uses_the_clock(book, operator, executor):
    # given
    _world_for_control(operator, executor)

    # when the task runs at 08:00 Kyiv time on 20.03 (still 19.03 in no time zone)
    with time_machine.travel(dt.datetime(2026, 3, 20, 8, tzinfo=KYIV), tick=False):
        result = tasks.deadline_control.delay().get()

    # then
    assert result == {"reminded": 2, "escalated": 1, "unrouted": 0}


def test_overdue_is_a_query(book, operator, executor):
    # given
    made = _world_for_control(operator, executor)

    # when
    overdue = selectors.appeals_overdue(today=dt.date(2026, 3, 20))

    # then open and owed past the control date; an answered one is not overdue
    assert hasattr(overdue, "query")
    assert list(overdue.values_list("pk", flat=True)) == [made["overdue"].pk]
    assert selectors.appeals_overdue(today=dt.date(2026, 3, 24)).count() == 3


def test_the_overdue_filter_of_the_queue_follows_the_clock(book, operator, executor):
    # given
    made = _world_for_control(operator, executor)

    # when
    with time_machine.travel(dt.datetime(2026, 3, 21, 9, tzinfo=KYIV), tick=False):
        listed = list(selectors.appeal_list_for(user=operator, filters=AppealFilters(overdue=True)))

    # then due 16.03 and 20.03 are overdue on 21.03
    assert listed == [made["overdue"], made["due_today"]]


def test_the_queue_puts_priority_first_then_the_nearest_date(book, operator):
    # given
    def at(day):
        return dt.datetime(2026, 3, day, 10, tzinfo=KYIV)

    late_plain = register(actor=operator, received_at=at(12), applicant=applicant_data())
    early_plain = register(actor=operator, received_at=at(2), applicant=applicant_data())
    late_privileged = register(actor=operator, received_at=at(11),
                               applicant=applicant_data(category_code="7.1"))
    early_privileged = register(actor=operator, received_at=at(4),
                                applicant=applicant_data(category_code="7.1"))
    study_plain = register(actor=operator, received_at=at(1), subtopic="009-RD",
                           applicant=applicant_data())

    # when
    queue = list(selectors.appeal_list_for(user=operator))

    # then
    assert queue == [early_privileged, late_privileged, early_plain, late_plain, study_plain]
    assert [a.due_date.day for a in queue[2:]] == [17, 27, 1]


def test_the_executor_queue_follows_the_same_order(book, operator, executor):
    # given
    plain = register(actor=operator, received_at=dt.datetime(2026, 3, 2, tzinfo=KYIV))
    privileged = register(actor=operator, received_at=dt.datetime(2026, 3, 9, tzinfo=KYIV),
                          applicant=applicant_data(category_code="7.1"))

    # when
    queue = list(selectors.assignments_for_executor(user=executor,
                                                    authority_id=book.council.pk))

    # then
    assert [a.question.appeal for a in queue] == [privileged, plain]


# --- the centre's own 5-day routing term (ст.7) ---------------------------------------------------

def test_an_appeal_left_without_an_executor_is_escalated_after_five_days(book, operator):
    # given an appeal received 10.03 and registered without routing
    appeal = _appeal(operator, routing=None)

    # when the control runs on the 5th day and then on the 6th, twice
    on_time = services.deadline_control(today=dt.date(2026, 3, 15))
    late = services.deadline_control(today=dt.date(2026, 3, 16))
    again = services.deadline_control(today=dt.date(2026, 3, 16))

    # then supervisors are told once, after the term
    assert (on_time.unrouted, late.unrouted, again.unrouted) == (0, 1, 0)
    note = Notification.objects.get(appeal=appeal, kind="escalation")
    assert note.for_supervisors and "15.03.2026" in note.text


def test_the_routing_term_of_a_returned_appeal_runs_from_the_return(book, operator, executor):
    # given an appeal received 10.03 that the executor returns as not in competence on 20.03
    appeal = _appeal(operator)
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=KYIV), tick=False):
        services.reply_submit(**letter(), actor=executor, assignment=_main(appeal),
                              result=ReplyResult.NOT_IN_COMPETENCE, text="Не наша компетенція.")
    appeal.refresh_from_db()
    assert appeal.status == "registered"

    # when the control runs on 25.03 and on 26.03
    # then the 5 days count from the return, not from receipt
    assert services.deadline_control(today=dt.date(2026, 3, 25)).unrouted == 0
    assert services.deadline_control(today=dt.date(2026, 3, 26)).unrouted == 1
