"""What the card, the dashboard and the notifications page show of the terms: ст.7 (routed or
forwarded within 5 days), ст.20 (privileged applicants first), and the per-reader read marks."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.appeals import services
from vikno.appeals.models import Notification
from vikno.appeals.services import ApplicantData
from vikno.core import clock
from vikno.directory import deadlines
from vikno.workspace.tests.conftest import SETTLEMENT, World


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, section_id
    return match.group(0)


def test_the_card_marks_an_appeal_routed_late_with_the_dates(world: World, uk) -> None:
    # given a letter received 20 days ago, registered and routed only today
    received = timezone.now() - timedelta(days=20)
    appeal = world.register(received_at=received)
    start = clock.local_date(received)

    # when the supervisor opens the card
    html = world.client("supervisor").get(
        reverse("workspace:appeal_card", args=[appeal.number])).content.decode()

    # then the late routing is marked, with the term's dates and the day it was done
    assert "Направлено із запізненням" in html
    term = re.search(r'<dd class="routing-term-late">(.*?)</dd>', html, re.S)
    assert term is not None
    assert f"з {start:%d.%m.%Y}, до {deadlines.forwarding_due(start):%d.%m.%Y}" in term.group(1)
    assert f"виконано {clock.today():%d.%m.%Y}, із запізненням" in term.group(1)


def test_the_card_of_an_appeal_routed_in_time_has_no_mark(world: World, uk) -> None:
    # given
    appeal = world.register()

    # when
    html = world.client("supervisor").get(
        reverse("workspace:appeal_card", args=[appeal.number])).content.decode()

    # then
    assert "із запізненням" not in html
    assert "routing-term-late" not in html


def test_the_card_marks_an_appeal_still_not_routed_after_five_days(world: World, uk) -> None:
    # given
    appeal = world.register(routing=None, received_at=timezone.now() - timedelta(days=9))

    # when
    html = world.client("supervisor").get(
        reverse("workspace:appeal_card", args=[appeal.number])).content.decode()

    # then
    assert "Не направлено за 5 днів" in html
    assert "ще не виконано, прострочено" in html


def test_the_dashboard_counts_and_lists_the_appeals_not_routed_in_five_days(world: World,
                                                                           uk) -> None:
    # given one routed late, one not routed yet past its term, one routed in time
    late = world.register(received_at=timezone.now() - timedelta(days=20))
    waiting = world.register(routing=None, received_at=timezone.now() - timedelta(days=9))
    on_time = world.register()

    # when
    html = world.client("supervisor").get(reverse("workspace:dashboard")).content.decode()

    # then
    section = _section(html, "routing-late")
    assert re.search(r'class="count-pill">2<', section)
    assert late.number in section and waiting.number in section
    assert on_time.number not in section
    assert "ще ні" in section


def test_the_dashboard_shows_privileged_applicants_appeals_apart(world: World, uk) -> None:
    # given a privileged applicant's appeal overdue, another one in time, and an ordinary one
    def privileged(**kwargs):
        return world.register(applicant=ApplicantData(
            last_name="Ветеран", first_name="Іван", phone="050 765 43 21",
            territory_code=SETTLEMENT, category_code=world.category_privileged.code), **kwargs)

    overdue = privileged(received_at=timezone.now() - timedelta(days=25))
    in_time = privileged()
    ordinary = world.register()

    # when
    html = world.client("supervisor").get(reverse("workspace:dashboard")).content.decode()

    # then the section lists both priority appeals, the overdue one marked, and counts them
    section = _section(html, "priority")
    assert overdue.number in section and in_time.number in section
    assert ordinary.number not in section
    assert "На розгляді: 2; прострочено: 1." in section
    row = re.search(rf'<tr class="row-overdue">.*?{overdue.number}', section, re.S)
    assert row is not None


def test_a_supervisor_reading_a_notification_leaves_it_unread_for_a_colleague(world: World) -> None:
    # given an extension request notifies the supervisors; a second supervisor
    world.with_extension_request()
    colleague = UserFactory(role=Role.SUPERVISOR)
    notification = Notification.objects.get(for_supervisors=True)

    # when the first supervisor marks it read on the page
    world.client("supervisor").post(reverse("workspace:notification_read",
                                            args=[notification.pk]))

    # then the colleague's header still counts it, and the page lists it as unread
    client = world.client("supervisor")
    client.force_login(colleague)
    html = client.get(reverse("workspace:notifications")).content.decode()
    assert re.search(r'class="count">1<', html)
    assert f'notifications/{notification.pk}/read/' in html


def test_notifications_read_in_the_viewers_language(world: World) -> None:
    # given an extension request made while the executor worked in English
    with translation.override("en"):
        appeal, _ = world.with_extension_request()

    # when the supervisor reads the notifications in Ukrainian
    client = world.client("supervisor")
    html = client.get(reverse("workspace:notifications"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()

    # then
    assert f"Запит на продовження строку розгляду {appeal.number}" in html
    assert f"Виконавець: {world.authority.name}." in html


def test_the_mark_read_service_is_the_one_the_page_uses(world: World) -> None:
    # given
    world.with_extension_request()

    # when all are marked read through the page
    world.client("supervisor").post(reverse("workspace:notifications_read_all"))

    # then the supervisor's own marks were written by the service
    assert services.notification_mark_read(user=world.users["supervisor"]) == 0
