"""ст.7: every appeal is routed to an executor or forwarded within 5 days of receipt (or of an
executor's "not in competence" return); a late step is flagged and supervisors are told once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from vikno.appeals import selectors, services
from vikno.appeals.models import Notification, RoutingTerm
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import executor_of, register
from vikno.directory import deadlines

KYIV = ZoneInfo("Europe/Kyiv")
RECEIVED = dt.datetime(2026, 3, 10, 10, tzinfo=KYIV)  # routed or forwarded by 15.03 (or the
# next working day 16.03, should the calendar move a term off a Sunday): 17.03 is late either way


def _at(day: int, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime(2026, 3, day, hour, tzinfo=KYIV), tick=False)


def _registered_on(day: int, operator, **kwargs):
    with _at(day):
        return register(actor=operator, received_at=RECEIVED, **kwargs)


@pytest.mark.parametrize(("registered_day", "late"), [(10, False), (15, False), (17, True),
                                                      (30, True)],
                         ids=["same day", "last day", "a day late", "two weeks late"])
def test_an_appeal_routed_at_registration_is_late_when_registered_after_the_term(
        book, operator, registered_day, late):
    # given a letter received 10.03

    # when it is registered (and routed by the rules) on `registered_day`
    appeal = _registered_on(registered_day, operator)

    # then the term runs from receipt, and a routing after it is flagged
    term = RoutingTerm.objects.get(appeal=appeal)
    assert (term.start_date, term.due_date) == (
        dt.date(2026, 3, 10), deadlines.forwarding_due(dt.date(2026, 3, 10)))
    assert term.done_action == "assign" and term.late is late
    assert [t.pk for t in selectors.routing_missed(today=dt.date(2026, 3, 31))] == (
        [term.pk] if late else [])


def test_a_late_forwarding_is_flagged_and_supervisors_are_told_once(book, operator, supervisor):
    # given an appeal registered without routing on the day of receipt
    appeal = _registered_on(10, operator, routing=None)

    # when it is forwarded on 18.03 and the control runs twice
    with _at(18):
        services.appeal_forward(actor=supervisor, appeal=appeal, to_body="Держпраці")
    first = services.deadline_control(today=dt.date(2026, 3, 18))
    second = services.deadline_control(today=dt.date(2026, 3, 19))

    # then
    term = RoutingTerm.objects.get(appeal=appeal)
    assert (term.done_date, term.done_action, term.late) == (dt.date(2026, 3, 18), "forward", True)
    assert (first.unrouted, second.unrouted) == (1, 0)
    told = Notification.objects.get(appeal=appeal)
    assert told.for_supervisors and told.message == "notification.routed_late"
    assert told.params["done_date"] == "2026-03-18"


def test_an_unrouted_appeal_told_once_is_not_told_again_when_routed_late(book, operator,
                                                                         supervisor):
    # given an appeal left without an executor past its term, and supervisors told
    appeal = _registered_on(10, operator, routing=None)
    assert services.deadline_control(today=dt.date(2026, 3, 17)).unrouted == 1

    # when it is routed on 18.03 and the control runs again
    with _at(18):
        services.appeal_assign(actor=supervisor, appeal=appeal, routing=Routing())
    again = services.deadline_control(today=dt.date(2026, 3, 18))

    # then the late routing is flagged, but supervisors are told only once
    assert again.unrouted == 0
    assert RoutingTerm.objects.get(appeal=appeal).late
    assert Notification.objects.filter(appeal=appeal, for_supervisors=True).count() == 1


def test_a_rerouting_after_a_return_is_timed_from_the_return(book, operator, executor, supervisor):
    # given an appeal routed in time, returned by the executor on 20.03
    appeal = _registered_on(10, operator)
    with _at(20):
        services.reply_submit(actor=executor, assignment=appeal.questions.get().assignments.get(),
                              result="not_in_competence", text="Не наша компетенція.")

    # when it is re-routed on 30.03
    with _at(30):
        services.appeal_assign(actor=supervisor, appeal=appeal,
                               routing=Routing(main_authority_code=book.utility.code))

    # then the first term was kept in time; the second, from 20.03 (due 25.03), is late
    first, second = RoutingTerm.objects.filter(appeal=appeal).order_by("start_date")
    assert not first.late
    assert (second.start_date, second.due_date, second.done_date) == (
        dt.date(2026, 3, 20), dt.date(2026, 3, 25), dt.date(2026, 3, 30))
    assert second.late


def test_a_decision_not_to_consider_is_not_a_late_routing(book, operator, supervisor):
    # given an appeal registered without routing
    appeal = _registered_on(10, operator, routing=None)

    # when it is found not subject to consideration after the 5 days (ст.8, not ст.7)
    with _at(20):
        services.appeal_not_considered(actor=supervisor, appeal=appeal, reason="anonymous")

    # then no term is missed
    assert not selectors.routing_missed(today=dt.date(2026, 3, 31)).exists()
    assert services.deadline_control(today=dt.date(2026, 3, 31)).unrouted == 0


def test_a_co_executors_return_starts_no_routing_term(book, operator, executor, supervisor):
    # given an appeal with the council as main executor and the utility as co-executor
    with _at(10):
        appeal = register(actor=operator, received_at=RECEIVED,
                          routing=Routing(co_authority_codes=(book.utility.code,)))
    co = appeal.questions.get().assignments.get(role="co")

    # when the co-executor returns its part as not in its competence
    with _at(12):
        services.reply_submit(actor=executor_of(book.utility), assignment=co,
                              result="not_in_competence", text="Не наша компетенція.")

    # then the question keeps its main executor: no new term runs
    assert list(RoutingTerm.objects.filter(appeal=appeal).values_list("done_action", flat=True)) \
        == ["assign"]
