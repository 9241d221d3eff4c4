"""The card and the queue show the last working day before a control date that is a day off."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from vikno.appeals.models import Appeal
from vikno.directory.models import Holiday
from vikno.workspace.tests.conftest import World

D = date.fromisoformat


@pytest.mark.parametrize(
    ("due", "holiday", "warning"),
    [
        ("2030-01-12", None, "11.01.2030"),  # a Saturday → Friday
        ("2030-01-01", "2030-01-01", "31.12.2029"),  # New Year on a Tuesday → Monday
    ],
)
def test_card_and_queue_show_the_last_working_day(world: World, due, holiday, warning) -> None:
    # given an appeal whose control date falls on a day off
    appeal = world.register()
    Appeal.objects.filter(pk=appeal.pk).update(due_date=D(due), max_due_date=D(due))
    if holiday:
        Holiday.objects.create(day=D(holiday), name="Новий рік")
    client = world.client("supervisor")

    # when
    card = client.get(reverse("workspace:appeal_card", args=[appeal.number])).content.decode()
    queue = client.get(reverse("workspace:queue")).content.decode()

    # then: the control date stays, the warning date stands next to it
    for html in (card, queue):
        assert D(due).strftime("%d.%m.%Y") in html
        assert "due-warning" in html and warning in html


def test_no_warning_when_the_control_date_is_a_working_day(world: World) -> None:
    # given a control date on a Wednesday
    appeal = world.register()
    Appeal.objects.filter(pk=appeal.pk).update(due_date=D("2030-01-09"), max_due_date=D("2030-01-09"))
    client = world.client("supervisor")

    # when
    card = client.get(reverse("workspace:appeal_card", args=[appeal.number])).content.decode()
    queue = client.get(reverse("workspace:queue")).content.decode()

    # then
    assert "09.01.2030" in card and "09.01.2030" in queue
    assert "due-warning" not in card and "due-warning" not in queue
