"""Each reader marks a staff notification read for itself."""

from __future__ import annotations

import pytest

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals import selectors_notifications, services
from vikno.appeals.models import Notification, NotificationRead
from vikno.appeals.tests.factories import executor_of, register
from vikno.core.errors import NotFound


def _unread(user, *, authority_id=None, supervisor=True) -> list[int]:
    return [n.pk for n in selectors_notifications.notifications_for(user=user, authority_id=authority_id,
                                                      supervisor=supervisor)]


@pytest.fixture
def returned(book, operator, executor):
    """An appeal the executor returned: the supervisors are notified."""
    appeal = register(actor=operator)
    services.reply_submit(actor=executor, assignment=appeal.questions.get().assignments.get(),
                          result="not_in_competence", text="Не наша компетенція.")
    return Notification.objects.get(appeal=appeal, for_supervisors=True)


def test_a_supervisor_reading_a_supervisors_notification_leaves_it_unread_for_the_others(
        returned, supervisor):
    # given two supervisors
    colleague = UserFactory(role=Role.SUPERVISOR)

    # when one reads it
    marked = services.notification_mark_read(user=supervisor, pk=returned.pk)

    # then it is read for that one only
    assert marked == 1
    assert _unread(supervisor) == []
    assert _unread(colleague) == [returned.pk]
    assert [n.pk for n in selectors_notifications.notifications_read_by(user=supervisor)] == [returned.pk]
    assert selectors_notifications.notifications_read_by(user=colleague) == []


def test_an_authoritys_notification_is_read_per_executor(book, operator, supervisor):
    # given two executors of the council and a reminder to the council
    first, second = executor_of(book.council), executor_of(book.council)
    appeal = register(actor=operator)
    reminder = Notification.objects.create(authority=book.council, appeal=appeal, kind="reminder",
                                           message="notification.reminder",
                                           params={"number": appeal.number, "date": "2026-03-25"})

    # when the first marks everything read
    services.notification_mark_read(user=first)

    # then the second still has it unread
    assert _unread(first, authority_id=book.council.pk, supervisor=False) == []
    assert _unread(second, authority_id=book.council.pk, supervisor=False) == [reminder.pk]


def test_marking_twice_marks_once(returned, supervisor):
    # given
    services.notification_mark_read(user=supervisor)

    # when
    again = services.notification_mark_read(user=supervisor)

    # then
    assert again == 0
    assert NotificationRead.objects.filter(user=supervisor).count() == 1


def test_a_notification_not_addressed_to_the_user_is_not_found_and_nothing_changes(
        returned, operator):
    # given an operator (not a supervisor) and the supervisors' notification

    # when
    with pytest.raises(NotFound):
        services.notification_mark_read(user=operator, pk=returned.pk)

    # then
    assert not NotificationRead.objects.exists()
