"""The deadline control as it runs: a fixed number of queries however many appeals, one reminder
and one escalation per row however many runs overlap, and the ways it is started."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from vikno.appeals import services, tasks
from vikno.appeals.models import Assignment, Notification, RoutingTerm
from vikno.appeals.tests.factories import register

KYIV = ZoneInfo("Europe/Kyiv")
TODAY = dt.date(2026, 3, 20)


def _world(operator, copies: int) -> None:
    """`copies` times: one appeal due soon (reminder), one overdue (escalation), one left without
    an executor past its 5-day term (ст.7). Each registered on the day of receipt."""
    for _ in range(copies):
        for day, routing in ((8, "rules"), (1, "rules"), (12, None)):
            received = dt.datetime(2026, 3, day, 10, tzinfo=KYIV)
            with time_machine.travel(received, tick=False):
                if routing:
                    register(actor=operator, received_at=received)
                else:
                    register(actor=operator, received_at=received, routing=None)


@pytest.mark.parametrize("copies", [2, 12])
def test_deadline_control_costs_the_same_queries_for_few_and_many_appeals(
        book, operator, copies, django_assert_max_num_queries):
    # given 3 × `copies` appeals needing a reminder, an escalation, a routing escalation
    _world(operator, copies)

    # when
    with django_assert_max_num_queries(20):
        report = services.deadline_control(today=TODAY)

    # then every one was handled
    assert (report.reminded, report.escalated, report.unrouted) == (copies, copies, copies)
    assert Notification.objects.count() == 4 * copies


def test_the_command_runs_the_control_once(book, operator):
    # given
    _world(operator, 1)

    # when
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=KYIV), tick=False):
        call_command("deadline_control", verbosity=0)

    # then
    assert Notification.objects.filter(kind="reminder").count() == 1
    assert Notification.objects.filter(kind="escalation").count() == 3


def test_the_task_is_acknowledged_late_and_time_limited():
    task = tasks.deadline_control
    assert task.acks_late is True
    assert task.time_limit and task.soft_time_limit and task.soft_time_limit < task.time_limit


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_remind_and_escalate_each_row_once(book, operator):
    # given reminders, escalations and routing escalations owed on 20.03
    _world(operator, 4)
    barrier = threading.Barrier(2)
    reports: list[services.ControlReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            reports.append(services.deadline_control(today=TODAY))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]

    # when two runs start at the same moment
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then between them every row was handled exactly once
    assert not errors
    assert sum(r.reminded for r in reports) == 4
    assert sum(r.escalated for r in reports) == 4
    assert sum(r.unrouted for r in reports) == 4
    per_row = Counter(Notification.objects.values_list("appeal_id", "kind", "for_supervisors"))
    assert set(per_row.values()) == {1}
    assert not Assignment.objects.filter(due_date__lt=TODAY, escalated_at__isnull=True).exists()
    assert not RoutingTerm.objects.filter(done_date__isnull=True, escalated_at__isnull=True).exists()
