"""The dashboard and the grouped notifications in a real headless Chromium: the supervisor follows
a count to the queue, sorts the executors' table, sees the charts drawn, and opens a notification's
appeal; every page ends with the axe-core check. Fixtures and helpers are test_browser.py's."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.utils import timezone

from vikno.appeals import services
from vikno.appeals.models import Notification
from vikno.appeals.models.work import NotificationKind
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import letter
from vikno.workspace.tests import test_browser as shared
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_browser import CHROMIUM, sign_in

# test_browser.py's fixtures (one Chromium per module, a fresh context per test), used by name.
browser = shared.browser
browser_page = shared.browser_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium: apt-get install chromium"),
    pytest.mark.django_db(transaction=True),
]


def _table_codes(page: Any) -> list[str]:
    return [str(c) for c in page.locator("#authority-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)")]


def test_supervisor_follows_a_count_sorts_the_table_and_sees_the_charts(
        world: World, browser_page: Any) -> None:
    # given an extension request, an appeal of the other authority overdue, and an ordinary one
    requested, _ = world.with_extension_request()
    world.register(routing=Routing(main_authority_code=world.other_authority.code),
                   received_at=timezone.now() - timedelta(days=20))
    world.register()
    page = browser_page
    sign_in(page, world.users["supervisor"])

    # when the supervisor opens the dashboard
    page.goto("/dashboard/")

    # then the charts are drawn from our own static files, with their numbers in a table
    page.wait_for_selector("#chart-intake[data-drawn=true]")
    page.wait_for_selector("#chart-overdue[data-drawn=true]")
    assert page.evaluate("typeof window.Chart") == "function"
    assert page.locator("#chart-table tbody tr").count() == 26
    assert_accessible(page)

    # when the supervisor sorts the executors' table by arrived, then again (the other way)
    page.locator('th[data-column="arrived"] a').click()
    page.wait_for_selector('th[data-column="arrived"][aria-sort="descending"]')
    descending = _table_codes(page)
    page.locator('th[data-column="arrived"] a').click()
    page.wait_for_selector('th[data-column="arrived"][aria-sort="ascending"]')

    # then the order turns round and the header says how it is sorted
    assert descending == [world.authority.code, world.other_authority.code]
    assert _table_codes(page) == [world.other_authority.code, world.authority.code]
    assert "sort=arrived" in page.url
    assert_accessible(page)

    # when the supervisor follows the count of extension requests
    page.locator('#attention a[href$="?attention=extension_requested"]').click()
    page.wait_for_selector("#queue-results")

    # then the queue lists that appeal alone, and says which filter it shows
    assert parse_qs(urlsplit(page.url).query) == {"attention": ["extension_requested"]}
    numbers = set(re.findall(r"ЗК-\d{4}-\d{6}", page.locator("#queue-results").inner_text()))
    assert numbers == {requested.number}
    assert "Запити на продовження строку" in page.locator("#queue-attention").inner_text()
    assert_accessible(page)
    assert page.console_errors == []


def test_supervisor_opens_grouped_notifications_and_follows_one(world: World,
                                                                browser_page: Any) -> None:
    # given a return (made by the services) and sixty escalations
    appeal = world.register()
    services.reply_submit(**letter(), actor=world.users["executor"],
                          assignment=world.main_assignment(appeal),
                          result="not_in_competence", text="Не наше.")
    Notification.objects.bulk_create([
        Notification(appeal=appeal, kind=NotificationKind.ESCALATION, message="",
                     for_supervisors=True) for _ in range(60)])
    page = browser_page
    sign_in(page, world.users["supervisor"])

    # when the supervisor opens the notifications from the bell
    page.goto("/dashboard/")
    page.locator("a.notif").click()
    page.wait_for_selector(".notification-group")

    # then two groups with their counts, a few items each, not sixty-one
    assert page.locator(".notification-group").count() == 2
    assert page.locator('[data-kind="escalation"] .count-pill').inner_text() == "60"
    assert page.locator(".notification").count() == 3 + 1
    assert_accessible(page)

    # when the supervisor marks the escalations read
    page.locator('[data-kind="escalation"] .panel-head button').click()
    page.wait_for_selector('.messages')

    # then only the return is left
    assert page.locator(".notification-group").count() == 1

    # when the supervisor opens it
    page.locator(".notification-open").first.click()
    page.wait_for_selector("#h-card")

    # then it leads to its appeal, and it is read now
    assert unquote(page.url).endswith(f"/appeals/{appeal.number}/")
    page.goto("/notifications/")
    assert page.locator(".notification-group").count() == 0
    assert_accessible(page)
    assert page.console_errors == []
