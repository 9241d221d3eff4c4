"""The queue: filters in the URL, the search only by POST, sorting, saved views, the export and
the printable registration-control card."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vikno.accounts.errors import AccountsError
from vikno.accounts.models import SavedView
from vikno.accounts.services import saved_view_delete, saved_view_save
from vikno.appeals import selectors, services
from vikno.appeals.errors import AppealsError
from vikno.appeals.models import Appeal
from vikno.appeals.selectors import AppealFilters
from vikno.appeals.services import Routing
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.workspace.tests.conftest import World

HTMX = {"HTTP_HX_REQUEST": "true"}


def queue_url(query: str = "") -> str:
    return reverse("workspace:queue") + (f"?{query}" if query else "")


def rows_in(html: str) -> list[str]:
    """The appeal numbers of the table's rows, in their order."""
    return [unquote(n) for n in re.findall(r'href="/appeals/([^/"]+)/" class="mono"', html)]


def to_other(world: World, **kwargs: Any) -> Appeal:
    return world.register(routing=Routing(main_authority_code=world.other_authority.code),
                          **kwargs)


# Filters in the URL.

def test_get_filters_round_trip_url_form_results(world: World) -> None:
    # given an appeal at each authority, and one of them forwarded (no longer under consideration)
    ours = world.register()
    theirs = to_other(world)
    gone = world.register()
    services.appeal_forward(actor=world.users["supervisor"], appeal=gone, to_body="Мінрегіон")
    client = world.client("supervisor")

    # when the URL asks for two statuses and one authority
    html = client.get(queue_url(f"status=assigned&status=forwarded&authority={world.authority.code}"
                                "&attention=unknown-thing")).content.decode()

    # then the results follow the URL, and the form shows the same filters back
    assert ours.number in html and gone.number not in html and theirs.number not in html
    assert re.search(r'<option value="assigned" selected>', html)
    assert re.search(r'<option value="forwarded" selected>', html)
    assert re.search(rf'<option value="{world.authority.code}" selected>', html)
    # the pager, sort and export links carry the same filters (and no unknown parameter)
    assert f"authority={world.authority.code}" in html
    assert "attention" not in html.split('id="queue-results"')[1]


def test_date_filters_of_receipt_and_control(world: World) -> None:
    # given an old appeal and a new one
    old, new = world.register(), world.register()
    Appeal.objects.filter(pk=old.pk).update(
        received_at=timezone.make_aware(datetime(2026, 1, 5, 10)), due_date=date(2026, 2, 4))
    client = world.client("supervisor")

    # when
    received = client.get(queue_url("received_to=2026-01-31"), **HTMX).content.decode()
    due = client.get(queue_url("due_from=2026-02-01&due_to=2026-02-10"), **HTMX).content.decode()

    # then
    assert old.number in received and new.number not in received
    assert old.number in due and new.number not in due


@pytest.mark.parametrize("query", ["received_from=0001-01-01", "due_to=9999-12-31",
                                   "received_from=yesterday", "status=no-such",
                                   "authority=NO-SUCH", "sort=-nothing",
                                   "due_from=2026-03-01&due_to=2026-01-01"])
def test_an_invalid_filter_is_named_and_the_others_still_apply(world: World, query: str) -> None:
    # given
    appeal = world.register()

    # when
    response = world.client("supervisor").get(queue_url(query + "&overdue=0"))

    # then a clear message, the queue still shows (the invalid value is left out)
    html = response.content.decode()
    assert response.status_code == 200
    assert "queue-filter-errors" in html
    assert rows_in(html) == [appeal.number]


def test_the_search_is_a_post_that_keeps_the_get_filters(world: World) -> None:
    # given two applicants' appeals at our authority and one of the same name elsewhere
    ferenc = world.register(last_name="Ференц")
    world.register(last_name="Бойко")
    elsewhere = to_other(world, last_name="Ференц")
    client = world.client("operator")

    # when the search is posted to the URL of the filters
    response = client.post(queue_url(f"authority={world.authority.code}"), {"q": "ференц"},
                           **HTMX)

    # then both apply, and the search term appears in no link of the page
    html = response.content.decode()
    assert rows_in(html) == [ferenc.number]
    assert elsewhere.number not in html
    assert "%D1%84%D0%B5%D1%80%D0%B5%D0%BD%D1%86" not in html.lower() and "q=" not in html
    # the pager of a search submits the search form (a POST), not a link
    full = client.post(queue_url(), {"q": "ференц"}).content.decode()
    assert 'id="queue-search"' in full and 'value="ференц"' in full


def test_a_search_is_counted_only_up_to_its_own_smaller_bound(world: World,
                                                               monkeypatch: Any) -> None:
    # given four appeals about water and a search bound of two (the lists' own bound untouched)
    monkeypatch.setattr("vikno.appeals.selectors_queue.SEARCH_COUNT_LIMIT", 2)
    monkeypatch.setattr("vikno.workspace.views.queue.PAGE_SIZE", 1)
    for _ in range(4):
        world.register()
    client = world.client("operator")

    # when the queue is searched for the word
    html = client.post(queue_url(), {"q": "вода"}, **HTMX).content.decode()

    # then the count stops at the search's bound, the pager too
    assert "Понад 2 звернень" in html and "Сторінка 1 з понад 3" in html
    # and the same list without a search is counted in full
    plain = client.get(queue_url(), **HTMX).content.decode()
    assert "4 звернення" in plain and "Понад" not in plain


# Sorting.

def test_sorting_by_number_ascending_and_descending_with_aria_sort(world: World) -> None:
    # given
    made = [world.register().number for _ in range(3)]
    client = world.client("supervisor")

    # when
    up = client.get(queue_url("sort=number")).content.decode()
    down = client.get(queue_url("sort=-number"), **HTMX).content.decode()

    # then
    assert rows_in(up) == sorted(made)
    assert rows_in(down) == sorted(made, reverse=True)
    assert re.search(r'aria-sort="ascending"[^>]*>\s*<a href="\?[^"]*sort=-number', up)
    assert 'aria-sort="descending"' in down


def test_sorting_by_control_date_and_the_default_work_order(world: World) -> None:
    # given three appeals with control dates out of order, one of a priority applicant
    first, second, third = world.register(), world.register(), world.register()
    today = date.today()
    for appeal, days in ((first, 20), (second, 5), (third, 10)):
        Appeal.objects.filter(pk=appeal.pk).update(due_date=today + timedelta(days=days))
    Appeal.objects.filter(pk=first.pk).update(priority=True)
    client = world.client("supervisor")

    # when
    default = rows_in(client.get(queue_url()).content.decode())
    by_due = rows_in(client.get(queue_url("sort=due")).content.decode())
    by_due_desc = rows_in(client.get(queue_url("sort=-due")).content.decode())

    # then the work order is priority first, then the nearest control date
    assert default == [first.number, second.number, third.number]
    assert by_due == [second.number, third.number, first.number]
    assert by_due_desc == [first.number, third.number, second.number]


def test_sorting_by_executor(world: World) -> None:
    # given («Батівська…» before «Берегівська…»)
    theirs = to_other(world)
    ours = world.register()

    # when
    up = rows_in(world.client("supervisor").get(queue_url("sort=executor")).content.decode())
    down = rows_in(world.client("supervisor").get(queue_url("sort=-executor")).content.decode())

    # then
    assert up == [ours.number, theirs.number]
    assert down == [theirs.number, ours.number]


# Saved views.

def test_saved_views_are_kept_applied_and_deleted_per_user(world: World) -> None:
    # given
    world.register()
    client = world.client("supervisor")
    query = f"status=assigned&authority={world.authority.code}&sort=-due"

    # when a view is saved from the page of the filters (a search term and a page never kept)
    response = client.post(reverse("workspace:saved_view_save"),
                           {"name": "Мої  прострочені", "query": query + "&q=Коваль&page=3"})

    # then it is listed above the queue as a link to the filters
    assert response.status_code == 302 and response["Location"] == queue_url(query)
    view = SavedView.objects.get(user=world.users["supervisor"])
    assert view.name == "Мої прострочені" and view.query == query
    html = client.get(queue_url()).content.decode()
    assert f'href="/appeals/?{query.replace("&", "&amp;")}"' in html
    assert "Мої прострочені" in html
    # another user neither sees it nor deletes it
    other = world.client("operator")
    assert "Мої прострочені" not in other.get(queue_url()).content.decode()
    refused = other.post(reverse("workspace:saved_view_delete", args=[view.pk]))
    assert refused.status_code == 404 and SavedView.objects.filter(pk=view.pk).exists()
    # its owner deletes it
    deleted = client.post(reverse("workspace:saved_view_delete", args=[view.pk]))
    assert deleted.status_code == 302 and not SavedView.objects.exists()


def test_saving_a_view_under_the_same_name_replaces_it_and_is_audited(world: World) -> None:
    # given
    user = world.users["supervisor"]
    before = AuditEvent.objects.count()

    # when
    first = saved_view_save(actor=user, name="Черга", query="status=assigned")
    second = saved_view_save(actor=user, name="Черга", query="?overdue=1&q=0501234567")

    # then one view, the newer filters, no search term; each write on the trail without values
    assert first.pk == second.pk and second.query == "overdue=1"
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == [AuditAction.SAVED_VIEW_SAVE] * 2
    assert events[1].after == {"created": False, "filters": ["overdue"]}
    assert "Черга" not in str(events[1].after) and "0501234567" not in str(events[1].after)
    with pytest.raises(AccountsError):
        saved_view_save(actor=user, name="   ", query="")
    with pytest.raises(AccountsError):
        saved_view_delete(actor=world.users["operator"], pk=first.pk)


# The export.

def export(world: World, role: str, query: str = "", fmt: str = "csv") -> Any:
    return world.client(role).get(reverse("workspace:queue_export") + f"?{query}&format={fmt}")


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_operator_exports_names_and_phones_with_one_audit_event(world: World) -> None:
    # given
    appeal = world.register(last_name="Коваль")
    before = AuditEvent.objects.count()

    # when
    response = export(world, "operator", "status=all")

    # then the file has the queue's columns with the applicant's name and phone
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="appeals-')
    rows = csv_rows(response)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert appeal.number in rows[1]
    assert any("Коваль" in cell for cell in rows[1]) and appeal.applicant.phone in rows[1]
    assert world.authority.name in rows[1]
    assert len(row) == len(rows[0])
    # exactly one event: the count, the format and the applicants' ids, never their data
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == [AuditAction.APPEAL_EXPORT]
    assert events[0].after == {"rows": 1, "format": "csv", "applicant_ids": [appeal.applicant_id]}


def test_the_export_masks_a_confidential_applicant_for_a_co_executor(world: World) -> None:
    # given a confidential applicant's appeal where our authority is the main executor and the
    # other authority a co-executor
    appeal = world.register(confidential=True, last_name="Коваль",
                            co=(world.other_authority.code,))
    before = AuditEvent.objects.count()

    # when
    main = csv_rows(export(world, "executor"))
    co = csv_rows(export(world, "other_executor"))

    # then the main executor sees the name, the co-executor initials and no phone (ст.10)
    assert any("Коваль" in cell for cell in main[1])
    assert appeal.number in co[1]
    assert not any("Коваль" in cell for cell in co[1])
    assert appeal.applicant.phone not in co[1]
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.after["applicant_ids"] for e in events] == [[appeal.applicant_id], []]


def test_an_executor_exports_only_its_authoritys_appeals(world: World) -> None:
    # given
    ours = world.register()
    theirs = to_other(world)

    # when the executor even asks for the other authority
    rows = csv_rows(export(world, "executor", f"authority={world.other_authority.code}"))
    plain = csv_rows(export(world, "executor"))

    # then
    numbers = [r[0] for r in plain[1:]]
    assert numbers == [ours.number] and theirs.number not in str(rows)


def test_the_analyst_cannot_export(world: World) -> None:
    world.register()
    before = AuditEvent.objects.count()

    response = export(world, "analyst")

    assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_the_xlsx_export_keeps_dates_and_disarms_formulas(world: World) -> None:
    # given an appeal whose text starts like a formula
    appeal = world.register(text="=HYPERLINK(\"http://x\")", summary="=1+1")

    # when
    response = export(world, "supervisor", fmt="xlsx")

    # then
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == appeal.number
    assert isinstance(values[1][1], datetime)
    assert values[1][6] == "'=1+1"


def test_an_export_beyond_the_limit_is_refused_with_a_message(world: World) -> None:
    # given
    world.register()
    world.register()
    before = AuditEvent.objects.count()

    # when
    with pytest.raises(AppealsError) as refused:
        selectors.appeal_export_rows(user=world.users["supervisor"], filters=AppealFilters(),
                                     fmt="csv", limit=1)

    # then nothing was exported, nothing recorded
    assert refused.value.code == "too_many_rows"
    assert AuditEvent.objects.count() == before


# The printable registration-control card.

def test_the_print_card_shows_the_fields_of_instruction_348_and_records_the_read(
        world: World) -> None:
    # given
    appeal = world.register(last_name="Коваль")
    before = AuditEvent.objects.count()

    # when
    response = world.client("supervisor").get(reverse("workspace:appeal_print",
                                                      args=[appeal.number]))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    for value in (appeal.index, "Коваль", "вул. Миру, 1", world.hot_water.code,
                  world.hot_water.name, world.authority.name, appeal.due_date.strftime("%d.%m.%Y")):
        assert value in html
    assert "workspace/print.js" in html
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == [AuditAction.APPLICANT_VIEW]
    # the card links to it
    card = world.client("supervisor").get(reverse("workspace:appeal_card", args=[appeal.number]))
    assert reverse("workspace:appeal_print", args=[appeal.number]) in card.content.decode()


def test_the_print_card_masks_a_confidential_applicant_and_is_closed_to_others(
        world: World) -> None:
    # given
    appeal = world.register(confidential=True, last_name="Коваль", co=(world.other_authority.code,))
    url = reverse("workspace:appeal_print", args=[appeal.number])
    other = to_other(world)

    # when
    co = world.client("other_executor").get(url).content.decode()
    foreign = world.client("executor").get(reverse("workspace:appeal_print", args=[other.number]))

    # then
    assert "Коваль" not in co and "вул. Миру" not in co
    assert foreign.status_code == 404
    assert world.client("analyst").get(url).status_code == 403
