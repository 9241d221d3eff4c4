"""The security administrator's audit trail screen: Ukrainian words for actions, objects and
changed fields; the filter in the address; the export to CSV and XLSX, recorded and bounded."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from vikno.accounts import services as account_services
from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory
from vikno.audit import selectors as audit_selectors
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.audit.presentation import describe_changes, describe_object
from vikno.audit.selectors import chain_verify
from vikno.audit.services import record
from vikno.workspace.tests.conftest import World

HEADERS = ["№", "Час", "Хто виконав", "Роль", "Дія", "Код дії", "Об’єкт", "Тип об’єкта",
           "№ об’єкта", "Зміни"]


def _results(html: str) -> str:
    return html.split('id="audit-results"')[1]


@pytest.fixture
def closed(world: World) -> Any:
    return world.closed()


def test_objects_and_changes_are_described_in_ukrainian(world: World, closed: Any, uk: Any) -> None:
    # given events on an appeal, an assignment, an account and an authority
    account = UserFactory(username="ivanenko", role=Role.OPERATOR, is_active=True)
    account_services.account_set_active(actor=world.users["security_admin"], account=account,
                                        active=False)
    record(actor=world.users["system_admin"], action=AuditAction.AUTHORITY_UPDATE,
           obj=world.authority, before={"name": "Стара назва", "is_active": True},
           after={"name": world.authority.name, "is_active": False})

    def event(action: str) -> AuditEvent:
        found = AuditEvent.objects.filter(action=action).order_by("-seq").first()
        assert found is not None
        return found

    # then each object is named in Ukrainian with its type
    assert describe_object(event("appeal.close")) == f"Звернення {closed.number}"
    assert describe_object(event("assignment.create")).startswith(f"Доручення {closed.number} → ")
    assert describe_object(event("account.deactivated")) == "Обліковий запис ivanenko"
    assert describe_object(event("directory.authority.update")) == (
        "Орган влади Батівська селищна рада")
    assert describe_object(event("applicant.create")) == f"Заявник №{closed.applicant_id}"
    # and the changes by the models' field names, old → new, values in words
    changes = {c.field: (c.old, c.new) for c in describe_changes(event("appeal.close"))}
    assert changes["Статус"] == ("Надано відповідь", "Закрито")
    active = {c.field: (c.old, c.new) for c in describe_changes(event("account.deactivated"))}
    assert active == {"Активний": ("так", "ні")}
    authority = {c.field: (c.old, c.new) for c in describe_changes(event("directory.authority.update"))}
    assert authority["Назва"] == ("Стара назва", "Батівська селищна рада")
    # and a registration lists what it set, not the fields left blank
    registered = {c.field: c.new for c in describe_changes(event("appeal.register"))}
    assert registered["Реєстраційний номер"] == closed.number
    assert "Підстава для відмови в розгляді" not in registered


def test_the_filter_lives_in_the_address_and_keeps_only_its_events(world: World,
                                                                   closed: Any) -> None:
    # given a second appeal registered by the operator
    other = world.register()
    client = world.client("security_admin")

    # when the administrator filters by action and person
    html = client.get(reverse("workspace:audit"), {
        "action": "appeal.register", "actor": world.users["operator"].username}).content.decode()

    # then only the registrations are listed, newest first, in Ukrainian
    results = _results(html)
    assert results.index(other.number) < results.index(closed.number)
    assert "appeal.close" not in results and "applicant.create" not in results
    with translation.override("uk"):
        assert escape(str(AuditAction.APPEAL_REGISTER.label)) in results
    assert "Реєстраційний номер" in results and "Канал надходження" in results
    # and the export links carry the same filter
    assert "/security/audit/export/csv/?action=appeal.register&amp;actor=" in results


def test_an_appeals_number_finds_its_whole_story(world: World, closed: Any) -> None:
    other = world.register()
    client = world.client("security_admin")

    html = client.get(reverse("workspace:audit"), {"object": closed.number}).content.decode()

    results = _results(html)
    assert "appeal.close" in results and "assignment.create" in results
    assert other.number not in results


def test_a_wrong_filter_value_is_shown_as_an_error_not_a_failure(world: World) -> None:
    client = world.client("security_admin")

    response = client.get(reverse("workspace:audit"), {
        "action": "appeal.invented", "date_from": "2026-03-05", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert 'class="field has-error"' in response.content.decode()


def test_csv_export_has_ukrainian_headers_the_filtered_rows_and_is_audited(world: World,
                                                                           closed: Any) -> None:
    client = world.client("security_admin")

    response = client.get(reverse("workspace:audit_export", args=["csv"]),
                          {"action": "appeal.close"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert len(rows) == 2
    assert rows[1][4] == "Звернення закрито" and rows[1][6] == f"Звернення {closed.number}"
    assert "Статус: Надано відповідь → Закрито" in rows[1][9]
    # the export is itself an event, with its filter and row count, and the chain holds
    export = AuditEvent.objects.order_by("-seq").first()
    assert export is not None and export.action == "audit.export"
    assert export.actor_username == world.users["security_admin"].username
    assert export.after == {"format": "csv", "rows": 1, "action": "appeal.close"}
    assert chain_verify().ok


def test_xlsx_export_opens_as_a_workbook_with_the_same_columns(world: World, closed: Any) -> None:
    client = world.client("security_admin")

    response = client.get(reverse("workspace:audit_export", args=["xlsx"]),
                          {"object": closed.number})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert {row[5] for row in rows[1:]} >= {"appeal.register", "appeal.close", "assignment.create"}
    assert AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[0] == "audit.export"


def test_an_export_above_the_limit_is_refused_with_a_message_and_not_recorded(
        world: World, closed: Any, monkeypatch: Any, message_in: Any) -> None:
    monkeypatch.setattr(audit_selectors, "EXPORT_LIMIT", 3)
    client = world.client("security_admin")
    count = AuditEvent.objects.count()

    response = client.get(reverse("workspace:audit_export", args=["csv"]),
                          {"actor": world.users["operator"].username}, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("workspace:audit") + "?actor=")
    assert message_in(response.content.decode(),
                      "More than %(limit)s events match: narrow the filter (dates, person, action) "
                      "and export again.", limit=3)
    assert AuditEvent.objects.count() == count


def test_an_export_with_a_wrong_filter_is_refused_rather_than_widened(
        world: World, closed: Any, message_in: Any) -> None:
    client = world.client("security_admin")
    count = AuditEvent.objects.count()

    response = client.get(reverse("workspace:audit_export", args=["csv"]),
                          {"action": "appeal.invented"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("workspace:audit") + "?action=appeal.invented"
    assert message_in(response.content.decode(), "Correct the filter, then export.")
    assert AuditEvent.objects.count() == count


def test_an_unknown_export_format_is_not_found(world: World) -> None:
    response = world.client("security_admin").get(
        reverse("workspace:audit_export", args=["pdf"]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["operator", "supervisor", "executor", "analyst", "system_admin"])
def test_only_the_security_administrator_exports_the_trail(world: World, role: str) -> None:
    count = AuditEvent.objects.count()

    response = world.client(role).get(reverse("workspace:audit_export", args=["csv"]))

    assert response.status_code == 403
    assert AuditEvent.objects.count() == count
