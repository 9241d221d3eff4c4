"""Bad input at every door of the workspace: refused with a message, never a server error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from vikno.appeals.models import Appeal
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_register import phone_call
from vikno.workspace.views.actions import APPEAL_ACTIONS, ASSIGNMENT_ACTIONS

PAGES = {"queue": ("supervisor", "workspace:queue"), "dashboard": ("supervisor", "workspace:dashboard"),
         "executor": ("executor", "workspace:my_assignments")}


@pytest.mark.parametrize("received_at", ["0001-01-01T10:00", "1000-05-01T10:00",
                                         "1990-05-01T10:00"])
def test_an_ancient_date_of_receipt_is_refused_and_the_pages_still_open(world: World,
                                                                         received_at: str) -> None:
    # given an appeal in work
    world.register()

    # when the operator types a date of receipt before the centre kept records
    response = world.client("operator").post(reverse("workspace:register"),
                                             phone_call(received_at=received_at))

    # then nothing is registered, the form says why, and every list still opens
    assert response.status_code == 400
    assert Appeal.objects.count() == 1
    assert "01.01.2000" in response.content.decode()
    for role, name in PAGES.values():
        assert world.client(role).get(reverse(name)).status_code == 200


def test_nul_in_a_queue_filter_is_dropped(world: World) -> None:
    # given
    appeal = world.register(text="Немає гарячої води третій день.")

    # when the search and the filters carry NUL bytes
    response = world.client("supervisor").get(reverse("workspace:queue"),
                                              {"q": "гаряч\x00ої", "topic": "0\x0009"})

    # then the search runs on what remains
    assert response.status_code == 200
    assert appeal.number in response.content.decode()


def test_nul_in_a_posted_form_is_dropped(world: World) -> None:
    # when
    response = world.client("operator").post(reverse("workspace:register"), phone_call(
        last_name="Ко\x00валь", text="Немає\x00 води."))

    # then
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.applicant.last_name == "Коваль"
    assert appeal.text == "Немає води."


NASTY = ["\x00", "a\x00b", "я" * 5_000, "0001-01-01", "9999-12-31", "-1", "99999999999999999999",
         "[]", "NO-SUCH", "Київ\u200bKyiv\u0301ℌ", "<script>x</script>", "' OR 1=1 --"]


def _fields() -> list[str]:
    return sorted({*phone_call(), "received_at", "origin_date", "contested_decision_on",
                   "decision_learned_on", "new_due", "outgoing_date", "document_date", "q",
                   "topic", "status", "page", "overdue", "authority", "result", "text", "reason",
                   "note", "main_authority", "co_authorities", "territory", "phone", "pk",
                   # the queue's filters in the URL, its saved views and its export
                   "subtopic", "channel", "received_from", "received_to", "due_from", "due_to",
                   "priority", "sort", "attention", "format", "name", "query"})


def _urls(world: World) -> list[tuple[str, str]]:
    appeal, _extension = world.with_extension_request()
    assignment = world.main_assignment(appeal)
    urls = [("operator", reverse("workspace:register")), ("supervisor", reverse("workspace:queue")),
            ("executor", reverse("workspace:my_assignments")),
            ("supervisor", reverse("workspace:dashboard")),
            ("supervisor", reverse("workspace:queue_export")),
            ("executor", reverse("workspace:queue_export")),
            ("supervisor", reverse("workspace:saved_view_save")),
            ("supervisor", reverse("workspace:appeal_print", args=[appeal.number])),
            ("operator", reverse("workspace:applicant_lookup")),
            ("operator", reverse("workspace:territory_search")),
            ("operator", reverse("workspace:subtopic_options")),
            ("supervisor", reverse("workspace:extension_decide", args=[_extension.pk]))]
    urls += [("supervisor", reverse(f"workspace:appeal_{slug.replace('-', '_')}",
                                    args=[appeal.number])) for slug in APPEAL_ACTIONS]
    # The answer received on paper is the centre's to record; the others are the executor's.
    urls += [("operator" if slug == "on-behalf" else "executor",
              reverse(f"workspace:assignment_{slug.replace('-', '_')}", args=[assignment.pk]))
             for slug in ASSIGNMENT_ACTIONS]
    return urls


def test_no_nasty_value_in_any_workspace_form_is_a_server_error(world: World) -> None:
    # given every form and filter of the workspace, and a client that answers 500 as a response
    urls = _urls(world)
    fields = _fields()
    clients: dict[str, Any] = {}
    failures = []

    # when each nasty value is sent in every field at once, by GET and by POST
    for role, url in urls:
        client = clients.setdefault(role, world.client(role))
        client.raise_request_exception = False
        for value in NASTY:
            data = phone_call() | dict.fromkeys(fields, value)
            for method in (client.get, client.post):
                status = method(url, data).status_code
                if status >= 500:
                    failures.append((url, method.__name__, value[:20], status))

    # then
    assert failures == []


def test_a_resent_registration_form_lands_once(world: World) -> None:
    # given the form as the operator opened it, with its one-time token
    client = world.client("operator")
    page = client.get(reverse("workspace:register")).content.decode()
    token = re.search(r'name="intake_token" value="([0-9a-f-]{36})"', page)
    assert token is not None
    data = phone_call(intake_token=token.group(1))

    # when it is submitted twice (a double click, a resent POST)
    first = client.post(reverse("workspace:register"), data)
    second = client.post(reverse("workspace:register"), data)

    # then one appeal, and the second submission leads to its card
    appeal = Appeal.objects.get()
    card = reverse("workspace:appeal_card", args=[appeal.number])
    assert (first.status_code, first["Location"]) == (302, card)
    assert (second.status_code, second["Location"]) == (302, card)


def test_two_opened_forms_register_two_appeals(world: World) -> None:
    # given two forms opened one after another: each has its own token
    client = world.client("operator")
    tokens = [re.search(r'name="intake_token" value="([0-9a-f-]{36})"',
                        client.get(reverse("workspace:register")).content.decode())
              for _ in range(2)]

    # when
    for token in tokens:
        assert token is not None
        client.post(reverse("workspace:register"), phone_call(intake_token=token.group(1)))

    # then
    assert Appeal.objects.count() == 2


def test_no_nasty_value_in_one_queue_filter_of_the_url_is_a_server_error(world: World) -> None:
    # given every GET filter of the queue (one at a time, so none hides another's error)
    from vikno.workspace.forms.filters import QUEUE_GET_FILTERS

    world.register()
    client = world.client("supervisor")
    client.raise_request_exception = False
    failures = []

    # when
    for name in (*QUEUE_GET_FILTERS, "attention", "page"):
        for value in NASTY:
            for url in (reverse("workspace:queue"), reverse("workspace:queue_export")):
                status = client.get(url, {name: value, "format": "csv"}).status_code
                if status >= 500:
                    failures.append((url, name, value[:20], status))

    # then
    assert failures == []
