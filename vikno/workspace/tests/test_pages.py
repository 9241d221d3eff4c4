"""Lists, dashboards, security pages, notifications, language and the page shell."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vikno.accounts.models import User
from vikno.accounts.tests.factories import DEFAULT_PASSWORD
from vikno.appeals import services
from vikno.appeals.models import Notification
from vikno.audit.models import AuditEvent
from vikno.workspace.tests.conftest import OTHER_RAION, RAION, World

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_queue_filters_by_htmx_return_only_the_table(world: World) -> None:
    # given
    water = world.register()
    road = world.register(questions=[services.QuestionData(subtopic_code=world.road.code)])

    # when
    response = world.client("supervisor").get(reverse("workspace:queue"), {"topic": "009"}, **HTMX)

    # then
    html = response.content.decode()
    assert "<html" not in html
    assert water.number in html and road.number not in html
    assert "HX-Request" in response["Vary"]


def test_queue_search_finds_by_number_text_and_applicant(world: World) -> None:
    a = world.register(last_name="Ференц", text="Вибоїна біля школи")
    b = world.register(last_name="Бойко", text="Немає світла")
    client = world.client("operator")

    by_name = client.post(reverse("workspace:queue"), {"q": "ференц"}).content.decode()
    by_text = client.post(reverse("workspace:queue"), {"q": "світла"}).content.decode()
    by_number = client.post(reverse("workspace:queue"), {"q": b.number[-6:]}).content.decode()

    assert a.number in by_name and b.number not in by_name
    assert b.number in by_text and a.number not in by_text
    assert b.number in by_number


def test_queue_marks_overdue_and_priority(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    late = world.register(received_at=timezone.now() - timedelta(days=20))
    vip = world.register(applicant=services.ApplicantData(
        last_name="Петренко", first_name="Іван", category_code="7.1"))

    response = world.client("supervisor").get(reverse("workspace:queue"), {"overdue": "on"})

    html = response.content.decode()
    assert late.number in html and vip.number not in html
    assert "row-overdue" in html
    prio = world.client("supervisor").get(reverse("workspace:queue"), {"priority": "on"})
    assert vip.number in prio.content.decode() and late.number not in prio.content.decode()


def test_executor_queue_holds_only_its_authoritys_appeals(world: World) -> None:
    mine = world.register()
    theirs = world.register(routing=services.Routing(main_authority_code=world.other_authority.code))

    html = world.client("executor").get(reverse("workspace:queue")).content.decode()

    assert mine.number in html and theirs.number not in html
    assert 'name="authority"' not in html


def test_queue_is_paginated_by_50(world: World) -> None:
    for _ in range(51):
        world.register(routing=None)

    first = world.client("operator").get(reverse("workspace:queue"))
    second = world.client("operator").get(reverse("workspace:queue"), {"page": 2})

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1


def test_my_assignments_tabs(world: World) -> None:
    new = world.register()
    in_work = world.register()
    services.assignment_accept(actor=world.users["executor"], assignment=world.main_assignment(in_work))
    client = world.client("executor")

    tab_new = client.get(reverse("workspace:my_assignments")).content.decode()
    tab_work = client.get(reverse("workspace:my_assignments"), {"tab": "work"}).content.decode()

    assert new.number in tab_new and in_work.number not in tab_new
    assert in_work.number in tab_work and new.number not in tab_work


def test_analyst_statistics_show_no_personal_data_and_no_cards(world: World) -> None:
    appeal = world.register(last_name="Гарайда")

    html = world.client("analyst").get(reverse("workspace:statistics")).content.decode()

    assert "Гарайда" not in html and "Тарас" not in html and "050" not in html
    assert appeal.number not in html
    assert "/appeals/" not in html
    assert "Комунальне господарство" in html  # the topic aggregate
    assert "Берегівський" in html  # the raion aggregate


def test_analyst_dashboard_has_aggregates_but_no_appeal_lists(world: World) -> None:
    appeal, _extension = world.with_extension_request()

    html = world.client("analyst").get(reverse("workspace:dashboard")).content.decode()

    assert world.authority.name in html
    assert appeal.number not in html
    assert "/appeals/" not in html


def test_supervisor_dashboard_lists_overdue(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    late = world.register(received_at=timezone.now() - timedelta(days=20))

    html = world.client("supervisor").get(reverse("workspace:dashboard")).content.decode()

    assert late.number in html


def test_security_admin_sees_the_trail_and_verifies_the_chain(world: World, message_in: Any) -> None:
    world.register()
    client = world.client("security_admin")

    trail = client.get(reverse("workspace:audit"), {"action": "appeal.register"}).content.decode()
    verified = client.post(reverse("workspace:audit_verify"), **HTMX).content.decode()

    results = trail.split('id="audit-results"')[1]
    assert "appeal.register" in results and "applicant.create" not in results
    assert message_in(trail, "Appeal registered")
    n = AuditEvent.objects.count()
    assert message_in(verified, "The chain is intact: %(n)s events checked.", n=n) or str(n) in verified
    assert "alert-ok" in verified


def test_security_admin_deactivates_an_account_and_it_is_audited(world: World) -> None:
    target = world.users["operator"]

    response = world.client("security_admin").post(
        reverse("workspace:account_deactivate", args=[target.pk]))

    target.refresh_from_db()
    assert response.status_code == 302
    assert not target.is_active
    event = AuditEvent.objects.get(action="account.deactivated")
    assert event.object_id == str(target.pk)
    assert event.actor_username == world.users["security_admin"].username


def test_security_admin_cannot_deactivate_itself(world: World) -> None:
    me = world.users["security_admin"]

    world.client("security_admin").post(reverse("workspace:account_deactivate", args=[me.pk]))

    me.refresh_from_db()
    assert me.is_active
    assert not AuditEvent.objects.filter(action="account.deactivated").exists()


def test_accounts_list_shows_role_and_authority(world: World) -> None:
    html = world.client("security_admin").get(reverse("workspace:accounts")).content.decode()

    assert world.users["executor"].username in html
    assert world.authority.name in html


def test_unread_count_in_header_and_mark_read(world: World) -> None:
    # given: an extension request notifies the supervisors
    world.with_extension_request()
    client = world.client("supervisor")
    notification = Notification.objects.get(for_supervisors=True)

    # when
    before = client.get(reverse("workspace:notifications")).content.decode()
    client.post(reverse("workspace:notification_read", args=[notification.pk]))
    after = client.get(reverse("workspace:notifications")).content.decode()

    # then
    assert re.search(r'class="count">1<', before)
    assert re.search(r'class="count">0<', after)
    assert notification.reads.get().user == world.users["supervisor"]


def test_language_switch_to_english_and_back(world: World) -> None:
    client = world.client("operator")

    client.post("/i18n/setlang/", {"language": "en", "next": "/appeals/"})
    english = client.get(reverse("workspace:queue")).content.decode()
    client.post("/i18n/setlang/", {"language": "uk", "next": "/appeals/"})
    ukrainian = client.get(reverse("workspace:queue")).content.decode()

    assert '<html lang="en">' in english
    assert '<html lang="uk">' in ukrainian


def test_login_page_and_real_login(world: World) -> None:
    client = Client()
    page = client.get(reverse("accounts:login"))
    user = world.users["analyst"]

    response = client.post(reverse("accounts:login"),
                           {"username": user.username, "password": DEFAULT_PASSWORD}, follow=True)

    assert page.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("workspace:statistics")


def test_logout_is_a_post(world: World) -> None:
    client = world.client("operator")

    client.post(reverse("accounts:logout"))

    assert client.get(reverse("workspace:queue")).status_code == 302


def test_deactivated_account_loses_access_at_once(world: World) -> None:
    client = world.client("operator")
    User.objects.filter(pk=world.users["operator"].pk).update(is_active=False)

    response = client.get(reverse("workspace:queue"))

    assert response.status_code == 302


PAGES = [
    ("operator", "workspace:register"), ("operator", "workspace:queue"),
    ("supervisor", "workspace:dashboard"), ("supervisor", "workspace:statistics"),
    ("executor", "workspace:my_assignments"), ("security_admin", "workspace:audit"),
    ("security_admin", "workspace:accounts"), ("supervisor", "workspace:notifications"),
    ("anonymous", "accounts:login"),
]


@pytest.mark.parametrize("role,name", PAGES)
def test_pages_need_no_inline_script_or_style(world: World, role: str, name: str) -> None:
    """The CSP allows 'self' only: an inline script or style would be blocked in the browser."""
    world.answered()
    response = world.client(role).get(reverse(name))

    html = response.content.decode()
    assert response.status_code == 200
    assert "style=" not in html
    # json_script's data blocks (type="application/json") are never run: data, not code.
    assert not re.search(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
    assert "Content-Security-Policy" in response
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "labels must point at one field each"


def test_card_needs_no_inline_script_or_style(world: World) -> None:
    appeal = world.answered()

    html = world.client("supervisor").get(
        reverse("workspace:appeal_card", args=[appeal.number])).content.decode()

    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_403_page_is_the_workspace_page(world: World, message_in: Any) -> None:
    response = world.client("analyst").get(reverse("workspace:queue"))

    assert response.status_code == 403
    assert message_in(response.content.decode(), "Access denied")


def test_raion_filter_narrows_the_queue(world: World) -> None:
    appeal = world.register()

    inside = world.client("operator").get(reverse("workspace:queue"), {"territory": RAION})
    outside = world.client("operator").get(reverse("workspace:queue"), {"territory": OTHER_RAION})

    assert appeal.number in inside.content.decode()
    assert appeal.number not in outside.content.decode()


def test_queue_opens_on_appeals_under_consideration(world: World) -> None:
    # given one appeal in work and one forwarded out of the region's bodies
    open_one = world.register()
    gone = world.register()
    services.appeal_forward(actor=world.users["supervisor"], appeal=gone, to_body="Мінрегіон")
    client = world.client("supervisor")

    # when the queue is opened without filters, and again asking for all statuses
    default = client.get(reverse("workspace:queue")).content.decode()
    page_two_link = client.get(reverse("workspace:queue"), {"page": "1"}).content.decode()
    everything = client.get(reverse("workspace:queue"), {"status": ""}).content.decode()

    # then only the open one is in the default queue (also when paging), both in "all"
    assert open_one.number in default and gone.number not in default
    assert gone.number not in page_two_link
    assert open_one.number in everything and gone.number in everything


def test_queue_records_which_applicants_were_shown_without_their_data(world: World) -> None:
    # given two appeals of named applicants
    from vikno.audit.models import AuditEvent

    a = world.register(last_name="Ференц")
    b = world.register(last_name="Бойко")
    before = AuditEvent.objects.count()

    # when an operator opens the queue
    world.client("operator").get(reverse("workspace:queue"))

    # then one list-view event names both applicants' rows and none of their names
    events = list(AuditEvent.objects.filter(action="applicant.list_view"))
    assert AuditEvent.objects.count() == before + 1 and len(events) == 1
    assert events[0].after == {"applicant_ids": sorted([a.applicant_id, b.applicant_id])}
    assert "Ференц" not in str(events[0].after) and "Бойко" not in events[0].object_label


def test_queue_names_the_executor_of_a_closed_appeal(world: World) -> None:
    # given an appeal answered by the council and closed
    appeal = world.closed()
    assert appeal.status == "closed"

    # when the supervisor lists all statuses
    html = world.client("supervisor").get(reverse("workspace:queue"), {"status": "closed"}, **HTMX)

    # then the row (the table alone, without the filters' lists) names the executor
    assert appeal.number in html.content.decode()
    assert world.authority.name in html.content.decode()


def test_a_search_term_in_the_url_is_ignored(world: World) -> None:
    # given two applicants' appeals
    a = world.register(last_name="Ференц")
    b = world.register(last_name="Бойко")

    # when a surname arrives in a URL (a link, the history, an access log)
    html = world.client("operator").get(reverse("workspace:queue"), {"q": "ференц"}, **HTMX)

    # then it filters nothing: searching for people happens only by POST, and the search form
    # posts without putting anything in the URL (only the filters' form pushes its URL)
    text = html.content.decode()
    assert a.number in text and b.number in text
    page = world.client("operator").get(reverse("workspace:queue")).content.decode()
    search_form = re.search(r'<form id="queue-search"[^>]*>', page)
    assert search_form is not None
    assert 'method="post"' in search_form.group(0) and "hx-push-url" not in search_form.group(0)


def test_the_queue_pages_by_post_keeping_the_filters(world: World) -> None:
    # given more appeals than fit a page
    from vikno.workspace.views.common import PAGE_SIZE

    made = [world.register(last_name="Ференц") for _ in range(PAGE_SIZE + 1)]

    # when the second page of a search is asked for by the pager's button
    html = world.client("operator").post(reverse("workspace:queue"),
                                         {"q": "ференц", "page": "2"}, **HTMX).content.decode()

    # then it holds the one appeal left (the queue opens with the nearest control date first)
    shown = [m.number for m in made if m.number in html]
    assert len(shown) == 1
