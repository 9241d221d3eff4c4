"""The queue in a real headless Chromium: filters in the URL survive a reload, a column sorts,
a saved view comes back with one click, the list exports, and the printable card opens.

Uses the browser, the live server and the helpers of test_browser.py (imported, not copied)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from vikno.accounts.models import SavedView
from vikno.appeals import services
from vikno.appeals.services import Routing
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.workspace.tests import test_browser as shared
from vikno.workspace.tests.axe import assert_accessible
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_browser import sign_in

# The browser, the page on the live server and the marks (Chromium, transactions) of test_browser.
browser = shared.browser
browser_page = shared.browser_page
pytestmark = shared.pytestmark
expect = shared.playwright_api.expect

RESULTS = "#queue-results"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def numbers_shown(page: Any) -> list[str]:
    return page.locator(f"{RESULTS} tbody td:first-child a").all_inner_texts()


def test_supervisor_filters_sorts_saves_a_view_and_exports(world: World, browser_page: Any) -> None:
    # given appeals at two authorities, one of them already answered
    ours = [world.register() for _ in range(2)]
    answered = world.answered()
    theirs = world.register(routing=Routing(main_authority_code=world.other_authority.code))
    services.appeal_forward(actor=world.users["supervisor"], appeal=theirs, to_body="Мінрегіон")
    page = browser_page
    sign_in(page, world.users["supervisor"])
    page.goto(reverse("workspace:queue"))
    assert_accessible(page)

    # when the supervisor picks two statuses and our authority
    page.select_option("#id_status", ["assigned", "answered"])
    page.wait_for_url(re.compile(r"status=answered"))
    page.select_option("#id_authority", world.authority.code)
    page.wait_for_url(re.compile(rf"authority={world.authority.code}"))

    # then the URL holds the filters (and nothing empty), the table follows them
    params = query_of(page.url)
    assert params == {"status": ["assigned", "answered"], "authority": [world.authority.code]}
    expect(page.locator(f"{RESULTS} tbody tr")).to_have_count(3)
    shown = numbers_shown(page)
    assert sorted(shown) == sorted(a.index for a in [*ours, answered])

    # when the page is reloaded, the filters stay
    page.reload()
    assert page.locator("#id_authority").input_value() == world.authority.code
    assert sorted(numbers_shown(page)) == sorted(shown)

    # when the supervisor sorts by number, then again (descending)
    page.click(f"{RESULTS} a.sort-link[href*='sort=number']")
    page.wait_for_url(re.compile(r"sort=number"))
    page.wait_for_selector(f"{RESULTS} th[aria-sort='ascending']")
    ascending = numbers_shown(page)
    assert ascending == sorted(ascending)
    page.click(f"{RESULTS} th[aria-sort='ascending'] a")
    page.wait_for_url(re.compile(r"sort=-number"))
    page.wait_for_selector(f"{RESULTS} th[aria-sort='descending']")
    assert numbers_shown(page) == sorted(ascending, reverse=True)
    assert query_of(page.url)["authority"] == [world.authority.code]

    # when a search term is typed, it filters within the URL's filters without entering the URL
    url_before_search = page.url
    page.fill("#id_q", answered.number[-6:])
    expect(page.locator(f"{RESULTS} tbody tr")).to_have_count(1)
    assert numbers_shown(page) == [answered.index]
    assert page.url == url_before_search
    # a sort while searching keeps the search (a POST to the new URL), the term stays out of it
    page.click(f"{RESULTS} a.sort-link[href*='sort=due']")
    page.wait_for_url(re.compile(r"sort=due"))
    page.wait_for_selector(f"{RESULTS} th[aria-sort='ascending'] a[href*='sort=-due']")
    assert numbers_shown(page) == [answered.index]
    assert "q=" not in page.url
    page.click(f"{RESULTS} a.sort-link[href*='sort=number']")
    page.wait_for_selector(f"{RESULTS} a.sort-link[href*='sort=-number']")
    page.click(f"{RESULTS} a.sort-link[href*='sort=-number']")
    page.wait_for_url(re.compile(r"sort=-number"))
    page.wait_for_selector(f"{RESULTS} th[aria-sort='descending']")
    page.fill("#id_q", "")
    expect(page.locator(f"{RESULTS} tbody tr")).to_have_count(3)

    # when the view is saved
    page.fill("#saved-view-name", "Наші в роботі")
    page.click(".saved-view-save button")
    page.wait_for_selector(".saved-view >> text=Наші в роботі")
    view = SavedView.objects.get(user=world.users["supervisor"])
    assert query_of("?" + view.query) == {"status": ["assigned", "answered"],
                                          "authority": [world.authority.code],
                                          "sort": ["-number"]}
    assert_accessible(page)

    # and reapplied from a fresh queue with one click
    page.goto(reverse("workspace:queue"))
    assert len(numbers_shown(page)) == 3  # the default: everything under consideration
    page.click(".saved-view >> text=Наші в роботі")
    page.wait_for_url(re.compile(r"sort=-number"))
    assert numbers_shown(page) == sorted(ascending, reverse=True)
    assert page.locator("#id_authority").input_value() == world.authority.code

    # when the filtered list is exported to CSV
    before = AuditEvent.objects.count()
    with page.expect_download() as caught:
        page.click(".export-links a[href*='format=csv']")
    download = caught.value
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115

    # then the file holds the same appeals, and the export is on the trail once
    exported = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert sorted(exported) == sorted(a.number for a in [*ours, answered])
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == [AuditAction.APPEAL_EXPORT]
    assert page.console_errors == []


def test_the_printable_card_opens_from_the_card(world: World, browser_page: Any) -> None:
    # given
    appeal = world.register(last_name="Коваль")
    page = browser_page
    sign_in(page, world.users["operator"])
    page.goto(reverse("workspace:appeal_card", args=[appeal.number]))

    # when
    page.click(".card-print-link a")

    # then
    page.wait_for_selector("h1#rkk-title")
    assert "Коваль" in page.inner_text(".rkk")
    assert appeal.index in page.inner_text(".rkk-index")
    page.emulate_media(media="print")
    assert not page.is_visible(".topbar")
    assert not page.is_visible("button[data-print]")
    page.emulate_media(media="screen")
    assert_accessible(page)
    assert page.console_errors == []


def test_the_queue_pages_by_the_order_key(world: World, browser_page: Any,
                                          monkeypatch: Any) -> None:
    # given more appeals than a page holds, in a sorted, filtered queue
    monkeypatch.setattr("vikno.workspace.views.queue.PAGE_SIZE", 2)
    made = [world.register() for _ in range(5)]
    newest_first = [a.index for a in sorted(made, key=lambda a: (a.received_at, a.pk),
                                            reverse=True)]
    page = browser_page
    sign_in(page, world.users["supervisor"])
    page.goto(reverse("workspace:queue") + f"?authority={world.authority.code}&sort=-received")
    assert numbers_shown(page) == newest_first[:2]

    # when the next page is clicked, twice
    page.click(f"{RESULTS} .pager a[rel='next']")
    page.wait_for_url(re.compile(r"after=.*page=2"))
    expect(page.locator(f"{RESULTS} .pager span")).to_contain_text("Сторінка 2 з 3")

    # then the rows follow on in the order, the URL keeps the filters beside the cursor
    assert numbers_shown(page) == newest_first[2:4]
    params = query_of(page.url)
    assert params["authority"] == [world.authority.code] and params["sort"] == ["-received"]
    assert_accessible(page)
    page.click(f"{RESULTS} .pager a[rel='next']")
    page.wait_for_url(re.compile(r"page=3"))
    expect(page.locator(f"{RESULTS} tbody tr")).to_have_count(1)
    assert numbers_shown(page) == newest_first[4:]
    assert page.locator(f"{RESULTS} .pager a[rel='next']").count() == 0

    # and back: the previous page by the cursor of the first row, a reload keeps it
    page.click(f"{RESULTS} .pager a[rel='prev']")
    page.wait_for_url(re.compile(r"before=.*page=2"))
    expect(page.locator(f"{RESULTS} .pager span")).to_contain_text("Сторінка 2 з 3")
    assert numbers_shown(page) == newest_first[2:4]
    page.reload()
    assert numbers_shown(page) == newest_first[2:4]
    assert page.console_errors == []
