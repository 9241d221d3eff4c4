"""The dashboard (what needs action first, the executors' table, the charts) and the grouped
notifications. Every state is made through the real services (conftest.World)."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory, session_for
from vikno.appeals import selectors_control as control
from vikno.appeals import selectors_notifications, services
from vikno.appeals.models import Appeal, Assignment, Notification, NotificationRead
from vikno.appeals.models.work import NotificationKind
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import letter
from vikno.core import clock
from vikno.workspace.tests.conftest import World


def _returned(world: World) -> Appeal:
    appeal = world.register()
    services.reply_submit(**letter(), actor=world.users["executor"],
                          assignment=world.main_assignment(appeal),
                          result="not_in_competence", text="Не наше.")
    appeal.refresh_from_db()
    return appeal


def _awaiting_confirmation(world: World) -> Appeal:
    appeal = world.answered()
    services.answer_review(actor=world.users["supervisor"], appeal=appeal, accept=True)
    appeal.refresh_from_db()
    return appeal


@pytest.fixture
def one_of_each(world: World) -> dict[str, Appeal]:
    """One appeal in each category of the dashboard's top, and one that needs nothing."""
    return {
        "extension_requested": world.with_extension_request()[0],
        "returned": _returned(world),
        "overdue": world.register(received_at=timezone.now() - timedelta(days=20)),
        "review": world.answered(),
        "routing_late": world.register(routing=None,
                                       received_at=timezone.now() - timedelta(days=9)),
        "awaiting_confirmation": _awaiting_confirmation(world),
        "nothing": world.register(),
    }


def _tile_links(html: str) -> dict[str, str]:
    """The top's links by their label."""
    section = html[html.index('id="attention"'):html.index("</section>", html.index('id="attention"'))]
    return {html_lib.unescape(label.strip()): html_lib.unescape(href) for href, label in re.findall(
        r'<a href="([^"]+)"><span class="tile-n">\d+</span>\s*<span class="tile-label">([^<]+)<',
        section)}


def _numbers(html: str) -> set[str]:
    return set(re.findall(r"ЗК-\d{4}-\d{6}", html))


# What needs action first -------------------------------------------------------------------------

def test_attention_counts_each_category_once(world: World, one_of_each: dict[str, Appeal]) -> None:
    # when
    counts = control.attention_counts()

    # then every category finds its one appeal
    assert counts == control.AttentionCounts(extension_requested=1, returned=1, overdue=1,
                                             review=1, routing_late=1, awaiting_confirmation=1)


def test_attention_counts_follow_the_work(world: World, one_of_each: dict[str, Appeal]) -> None:
    # given the returned appeal re-routed, the extension refused and the answer passed on
    supervisor = world.users["supervisor"]
    services.appeal_assign(actor=supervisor, appeal=one_of_each["returned"],
                           routing=Routing(main_authority_code=world.other_authority.code))
    extension = one_of_each["extension_requested"].extensions.get()
    services.extension_decide(actor=supervisor, extension=extension, approve=False,
                              note="Підстав немає.")
    services.answer_review(actor=supervisor, appeal=one_of_each["review"], accept=True)

    # when
    counts = control.attention_counts()

    # then
    assert (counts.returned, counts.extension_requested, counts.review) == (0, 0, 0)
    assert counts.awaiting_confirmation == 2


def test_routing_late_counts_only_terms_still_open(world: World) -> None:
    # given one routed late (term done), one not routed yet past its term, one not routed in time
    world.register(received_at=timezone.now() - timedelta(days=20))
    waiting = world.register(routing=None, received_at=timezone.now() - timedelta(days=9))
    world.register(routing=None)

    # when
    found = list(Appeal.objects.filter(control.attention_q(control.Attention.ROUTING_LATE)))

    # then
    assert found == [waiting]


@pytest.mark.parametrize("category", ["extension_requested", "returned", "overdue", "review",
                                      "routing_late", "awaiting_confirmation"])
def test_each_count_links_to_the_queue_filtered_to_it(world: World, one_of_each: dict[str, Appeal],
                                                     category: str) -> None:
    # given the supervisor's dashboard
    client = world.client("supervisor")
    links = list(_tile_links(client.get(reverse("workspace:dashboard")).content.decode()).values())
    assert len(links) == 6
    expected_params = {
        "extension_requested": {"attention": ["extension_requested"]},
        "returned": {"attention": ["returned"]},
        "overdue": {"overdue": ["1"]},
        "review": {"attention": ["review"]},
        "routing_late": {"attention": ["routing_late"]},
        "awaiting_confirmation": {"status": ["awaiting_confirmation"]},
    }[category]
    link = next(u for u in links if parse_qs(urlsplit(u).query) == expected_params)
    assert urlsplit(link).path == reverse("workspace:queue")

    # when the supervisor follows it
    html = client.get(link).content.decode()

    # then the queue lists that appeal alone
    assert _numbers(html.split('id="queue-results"')[1]) == {one_of_each[category].number}


def test_the_queue_ignores_an_unknown_attention(world: World, one_of_each: dict[str, Appeal]) -> None:
    response = world.client("supervisor").get(reverse("workspace:queue"), {"attention": "nonsense"})

    assert response.status_code == 200
    assert one_of_each["nothing"].number in response.content.decode()


def test_the_queue_names_the_attention_filter_and_keeps_it_in_its_form(
        world: World, one_of_each: dict[str, Appeal], uk: Any) -> None:
    html = world.client("supervisor").get(reverse("workspace:queue"),
                                          {"attention": "review"}).content.decode()

    assert "Відповіді на перевірку" in html
    assert re.search(r'<input type="hidden" name="attention" value="review"', html)


def test_an_executor_queue_with_attention_stays_within_its_authority(
        world: World, one_of_each: dict[str, Appeal]) -> None:
    # the other authority's executor has nothing: the filter narrows, never widens
    html = world.client("other_executor").get(reverse("workspace:queue"),
                                              {"attention": "review"}).content.decode()

    assert one_of_each["review"].number not in html


# The executors' table -----------------------------------------------------------------------------

def _table_codes(html: str) -> list[str]:
    table = html[html.index('id="authority-table"'):]
    table = table[:table.index("</table>")]
    return re.findall(r'<tr data-code="([^"]+)"', table)


def _aria_sort(html: str) -> dict[str, str]:
    return {column: value for value, column in re.findall(
        r'<th scope="col" aria-sort="(\w+)" data-column="(\w+)"', html)}


@pytest.fixture
def two_authorities(world: World) -> World:
    """`authority`: two arrived, one answered; `other_authority`: one arrived, overdue."""
    world.register()
    world.answered()
    world.register(routing=Routing(main_authority_code=world.other_authority.code),
                   received_at=timezone.now() - timedelta(days=20))
    return world


def test_the_table_sorts_by_a_column_both_ways(two_authorities: World) -> None:
    w, client = two_authorities, two_authorities.client("supervisor")
    url = reverse("workspace:dashboard")

    ascending = client.get(url, {"sort": "arrived"}).content.decode()
    descending = client.get(url, {"sort": "-arrived"}).content.decode()

    assert _table_codes(ascending) == [w.other_authority.code, w.authority.code]
    assert _table_codes(descending) == [w.authority.code, w.other_authority.code]
    assert _aria_sort(ascending) == {"arrived": "ascending"}
    assert _aria_sort(descending) == {"arrived": "descending"}


def test_the_header_link_turns_the_direction_and_every_header_is_a_link(
        two_authorities: World) -> None:
    html = two_authorities.client("supervisor").get(reverse("workspace:dashboard"),
                                                    {"sort": "arrived"}).content.decode()

    heads = re.findall(r'data-column="(\w+)">\s*<a class="sort-link" href="([^"]+)"', html)
    links = {column: html_lib.unescape(href) for column, href in heads}
    assert set(links) == set(control.SORT_COLUMNS)
    assert links["arrived"] == "?sort=-arrived#h-auth"
    assert links["overdue"] == "?sort=-overdue#h-auth"
    assert links["name"] == "?sort=name#h-auth"


def test_the_default_order_is_overdue_first_and_an_unknown_sort_falls_back(
        two_authorities: World) -> None:
    w, client = two_authorities, two_authorities.client("supervisor")

    default = client.get(reverse("workspace:dashboard")).content.decode()
    unknown = client.get(reverse("workspace:dashboard"), {"sort": "applicant"}).content.decode()

    assert _table_codes(default) == _table_codes(unknown) == [w.other_authority.code,
                                                              w.authority.code]
    assert _aria_sort(default) == {"overdue": "descending"}


def test_ties_keep_the_ukrainian_alphabetical_order_in_both_directions(world: World) -> None:
    rows = [control.AuthorityRow(i, code, name, 1, 0, 0, 0, 0, None)
            for i, (code, name) in enumerate([("C", "Іршавська міська рада"),
                                              ("A", "Ґорондівська рада"),
                                              ("B", "Берегівська РДА")])]

    up = control.sort_authority_rows(rows, "arrived")
    down = control.sort_authority_rows(rows, "-arrived")

    assert [r.code for r in up] == [r.code for r in down] == ["B", "A", "C"]


def test_the_table_counts_and_averages(two_authorities: World) -> None:
    w = two_authorities
    rows = {r.code: r for r in control.authority_table()}

    mine, other = rows[w.authority.code], rows[w.other_authority.code]
    assert (mine.arrived, mine.working, mine.overdue, mine.replied, mine.revision) == (2, 1, 0, 1, 0)
    assert (other.arrived, other.working, other.overdue, other.replied) == (1, 1, 1, 0)
    assert mine.avg_days is not None and 0 <= mine.avg_days < 1
    assert other.avg_days is None


def test_each_overdue_count_links_to_the_queue_for_that_authority(two_authorities: World) -> None:
    w, client = two_authorities, two_authorities.client("supervisor")
    html = client.get(reverse("workspace:dashboard")).content.decode()
    row = re.search(rf'<tr data-code="{w.other_authority.code}">.*?</tr>', html, re.S)
    assert row is not None
    href = html_lib.unescape(re.search(r'<a href="([^"]+)">1</a>', row.group(0)).group(1))

    assert parse_qs(urlsplit(href).query) == {"authority": [w.other_authority.code],
                                              "overdue": ["1"]}
    listed = client.get(href).content.decode().split('id="queue-results"')[1]
    late = Appeal.objects.get(questions__assignments__authority=w.other_authority)
    assert _numbers(listed) == {late.number}


# The charts -------------------------------------------------------------------------------------

def _chart_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>',
                      html, re.S)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_the_charts_carry_weekly_series_as_data(world: World) -> None:
    # given two appeals received this week, one eight days ago and one 20 days ago (now overdue)
    world.register()
    world.register()
    world.register(received_at=timezone.now() - timedelta(days=8))
    late = world.register(received_at=timezone.now() - timedelta(days=20))

    # when
    data = _chart_data(world.client("supervisor").get(reverse("workspace:dashboard"))
                       .content.decode())

    # then 26 Mondays, oldest first, ending with this week's
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    intake, overdue = data["intake"], data["overdue"]
    assert len(intake["labels"]) == len(intake["values"]) == control.WEEKS
    assert intake["labels"][-1] == monday.isoformat()
    assert intake["labels"][0] == (monday - timedelta(weeks=control.WEEKS - 1)).isoformat()
    assert intake["values"][-1] == 2
    assert sum(intake["values"]) == 4
    # the overdue one is counted in the week of its control date
    due = Assignment.objects.get(question__appeal=late).due_date
    week = (due - timedelta(days=due.weekday())).isoformat()
    assert overdue["labels"] == intake["labels"]
    assert {label: n for label, n in zip(overdue["labels"], overdue["values"], strict=True)
            if n} == {week: 1}


def test_an_answer_in_time_is_not_a_missed_control_date(world: World) -> None:
    world.answered(received_at=timezone.now() - timedelta(days=20))

    assert sum(control.overdue_per_week().values) == 1  # answered today, after its date
    world.answered()
    assert sum(control.overdue_per_week().values) == 1


def test_the_charts_numbers_are_in_a_table_too(world: World) -> None:
    world.register()

    html = world.client("analyst").get(reverse("workspace:dashboard")).content.decode()

    table = html[html.index('id="chart-table"'):html.index("</table>", html.index('id="chart-table"'))]
    assert len(re.findall(r'<th scope="row">', table)) == control.WEEKS
    assert 'id="chart-intake"' in html and 'id="chart-overdue"' in html
    assert "workspace/vendor/chart.umd.min.js" in html and "workspace/dashboard.js" in html


def test_the_chart_queries_are_few_however_many_appeals(world: World,
                                                        django_assert_max_num_queries: Any) -> None:
    for _ in range(5):
        world.register()
    with django_assert_max_num_queries(6):
        control.attention_counts()
        control.authority_table()
        control.intake_per_week()
        control.overdue_per_week()


# The analyst ------------------------------------------------------------------------------------

def test_the_analyst_sees_the_figures_without_links(world: World, one_of_each: dict[str, Appeal]) -> None:
    html = world.client("analyst").get(reverse("workspace:dashboard")).content.decode()
    main = html[html.index("<main"):]

    assert _tile_links(html) == {}
    assert re.search(r'<span class="tile-n">1</span>', main)
    assert reverse("workspace:queue") not in main
    assert "/appeals/" not in main
    assert _numbers(main) == set()
    assert "Шевченко" not in main


# Notifications ----------------------------------------------------------------------------------

def _notifications(world: World, *, kind: str, count: int, appeal: Appeal) -> None:
    """Many supervisors' notifications of one kind at once (as the hourly control makes them)."""
    Notification.objects.bulk_create([
        Notification(appeal=appeal, kind=kind, message="", for_supervisors=True)
        for _ in range(count)])


@pytest.fixture
def inbox(world: World) -> dict[str, Any]:
    """An extension request and a return (made by the services), and 120 escalations."""
    appeal, _ = world.with_extension_request()
    returned = _returned(world)
    _notifications(world, kind=NotificationKind.ESCALATION, count=120, appeal=appeal)
    return {"appeal": appeal, "returned": returned}


def test_notifications_are_grouped_by_kind_with_counts(world: World, inbox: dict[str, Any]) -> None:
    groups = selectors_notifications.notification_groups(user=world.users["supervisor"], latest=3)

    assert [(g.kind, g.unread, len(g.latest)) for g in groups] == [
        (NotificationKind.ESCALATION, 120, 3), (NotificationKind.RETURNED, 1, 1),
        (NotificationKind.EXTENSION, 1, 1)]
    latest_ids = [n.pk for n in groups[0].latest]
    assert latest_ids == sorted(latest_ids, reverse=True)


def test_the_page_shows_groups_not_two_hundred_items(world: World, inbox: dict[str, Any],
                                                      uk: Any) -> None:
    html = world.client("supervisor").get(reverse("workspace:notifications")).content.decode()

    assert html.count('class="notification kind-') == 3 + 1 + 1
    assert 'Контрольний термін минув <span class="count-pill">120</span>' in html
    assert "122 непрочитані сповіщення." in html
    assert 'href="?kind=escalation"' in html


def test_a_group_pages_through_its_notifications(world: World, inbox: dict[str, Any]) -> None:
    client = world.client("supervisor")

    first = client.get(reverse("workspace:notifications"), {"kind": "escalation"}).content.decode()
    third = client.get(reverse("workspace:notifications"),
                       {"kind": "escalation", "page": "3"}).content.decode()

    assert first.count('class="notification kind-escalation"') == 50
    assert third.count('class="notification kind-escalation"') == 20
    assert 'kind=escalation&amp;page=2' in first


def test_marking_a_group_read_marks_it_for_this_reader_only(world: World,
                                                            inbox: dict[str, Any]) -> None:
    # given a second supervisor
    colleague = UserFactory(role=Role.SUPERVISOR)
    me = world.users["supervisor"]

    # when the first marks the escalations read
    response = world.client("supervisor").post(reverse("workspace:notifications_read_all"),
                                               {"kind": "escalation"})

    # then those are read for the first, the other groups are not, and the colleague reads all
    assert response.status_code == 302
    assert selectors_notifications.notification_unread_counts(user=me) == {"returned": 1, "extension": 1}
    assert selectors_notifications.notification_unread_counts(user=colleague) == {
        "escalation": 120, "returned": 1, "extension": 1}
    assert NotificationRead.objects.filter(user=me).count() == 120


def test_opening_an_item_marks_it_read_and_leads_to_its_appeal(world: World,
                                                               inbox: dict[str, Any]) -> None:
    client = world.client("supervisor")
    html = client.get(reverse("workspace:notifications")).content.decode()
    returned = inbox["returned"]
    note = Notification.objects.get(kind=NotificationKind.RETURNED)
    card = reverse("workspace:appeal_card", args=[returned.number])
    form = re.search(rf'<form method="post" action="{reverse("workspace:notification_read", args=[note.pk])}"'
                     rf'[^>]*>.*?name="next" value="([^"]+)"', html, re.S)
    assert form is not None and form.group(1) == card

    response = client.post(reverse("workspace:notification_read", args=[note.pk]), {"next": card})

    assert response["Location"] == card
    assert NotificationRead.objects.filter(notification=note, user=world.users["supervisor"]).exists()


def test_the_bell_tells_the_count_by_kind(world: World, inbox: dict[str, Any]) -> None:
    html = session_for(world.users["supervisor"]).get(reverse("workspace:queue")).content.decode()

    bell = html[html.index('class="notif'):html.index("</a>", html.index('class="notif'))]
    assert '<span class="count">99+</span>' in bell
    summary = ("Контрольний термін минув: 120; Повернуто виконавцем: 1; "
               "Запит на продовження строку: 1")
    assert f'title="{summary}"' in html_lib.unescape(bell)
    assert f'<span class="visually-hidden">({summary})</span>' in html_lib.unescape(bell)


def test_marking_an_unknown_kind_marks_everything(world: World, inbox: dict[str, Any]) -> None:
    world.client("supervisor").post(reverse("workspace:notifications_read_all"), {"kind": "nope"})

    assert selectors_notifications.notification_unread_counts(user=world.users["supervisor"]) == {}
