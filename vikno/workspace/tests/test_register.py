"""The operator's registration screen: the form, its htmx helpers, validation from the service."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from vikno.appeals import services
from vikno.appeals.models import Appeal, Applicant, Assignment, Notice, Sign
from vikno.audit.models import AuditEvent
from vikno.workspace.tests.conftest import OTHER_SETTLEMENT, SETTLEMENT, World

HTMX = {"HTTP_HX_REQUEST": "true"}


def phone_call(**overrides: Any) -> dict[str, Any]:
    data = {
        "phone": "+380 (50) 765-43-21", "last_name": "Коваль", "first_name": "Ірина",
        "patronymic": "Петрівна", "applicant_kind": "person", "address": "вул. Садова, 3",
        "settlement_code": SETTLEMENT, "category_code": "7.1", "social_status_code": "8.1",
        "sex": "4.2", "channel": "hotline", "kind": "3.2",
        "text": "Третій день немає гарячої води в будинку.", "subtopic_1": "009.001",
    }
    data.update(overrides)
    return data


def test_operator_registers_a_phone_appeal_and_lands_on_its_card(world: World) -> None:
    # given
    client = world.client("operator")

    # when
    response = client.post(reverse("workspace:register"), phone_call(), follow=True)

    # then
    appeal = Appeal.objects.get()
    assert response.redirect_chain == [(reverse("workspace:appeal_card", args=[appeal.number]), 302)]
    assert appeal.number in response.content.decode()
    messages = [str(m) for m in response.context["messages"]]
    assert any(appeal.number in m for m in messages)
    assert appeal.applicant.last_name == "Коваль"
    assert appeal.applicant.phone_digits == "380507654321"
    assert appeal.priority  # category 7.1 is privileged (ст.20)
    assert appeal.territory_id == SETTLEMENT  # the problem's territory defaults to the settlement
    assert appeal.status == "assigned"
    assert Assignment.objects.get(question__appeal=appeal).authority == world.authority


def test_chosen_executor_and_co_executor_override_the_suggestion(world: World) -> None:
    client = world.client("operator")

    client.post(reverse("workspace:register"), phone_call(
        main_authority=world.other_authority.code, co_authorities=[world.authority.code],
        instructions="Перевірити на місці."))

    appeal = Appeal.objects.get()
    roles = dict(Assignment.objects.filter(question__appeal=appeal)
                 .values_list("authority__code", "role"))
    assert roles == {world.other_authority.code: "main", world.authority.code: "co"}


@pytest.mark.parametrize("overrides,field,msgid", [
    ({"text": "   "}, "text", "Enter the substance of the appeal."),
    ({"last_name": ""}, "last_name", "Enter the applicant's surname and name."),
    ({"subtopic_1": ""}, "subtopic_1", "Choose the topic of at least one question."),
])
def test_missing_content_is_refused_inline_and_nothing_is_saved(
        world: World, uk: Any, message_in: Any, overrides: dict[str, str], field: str,
        msgid: str) -> None:
    # given
    events = AuditEvent.objects.count()

    # when
    response = world.client("operator").post(reverse("workspace:register"), phone_call(**overrides))

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert message_in(html, msgid)
    assert f'id="id_{field}_error"' in html  # next to the field, announced with it
    assert Appeal.objects.count() == 0
    assert Applicant.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_unknown_topic_is_refused_with_the_services_message(world: World, uk: Any,
                                                           message_in: Any) -> None:
    response = world.client("operator").post(reverse("workspace:register"),
                                             phone_call(subtopic_1="999.999"))

    assert response.status_code == 400
    assert message_in(response.content.decode(),
                      "Unknown topic “%(code)s”: choose a topic from the classifier.", code="999.999")
    assert 'id="id_subtopic_1_error"' in response.content.decode()
    assert Appeal.objects.count() == 0


def test_the_form_keeps_what_was_typed_after_an_error(world: World) -> None:
    response = world.client("operator").post(reverse("workspace:register"),
                                             phone_call(last_name="", text="Текст оператора"))

    html = response.content.decode()
    assert "Текст оператора" in html
    assert 'value="Ірина"' in html
    assert "селище Батьово" in html  # the chosen settlement stays chosen


def test_anonymous_appeal_keeps_no_applicant(world: World) -> None:
    world.client("operator").post(reverse("workspace:register"), phone_call(anonymous="on"))

    appeal = Appeal.objects.get()
    assert appeal.applicant is None
    assert appeal.subject == "5.3"
    assert Applicant.objects.count() == 0


def test_organisation_needs_its_name(world: World, message_in: Any) -> None:
    response = world.client("operator").post(
        reverse("workspace:register"), phone_call(applicant_kind="organisation"))

    assert response.status_code == 400
    assert message_in(response.content.decode(), "Enter the name of the organisation.")


def test_lookup_by_phone_shows_the_applicant_and_earlier_appeals(world: World) -> None:
    # given
    earlier = world.register()

    # when: any spelling of the number
    response = world.client("operator").post(
        reverse("workspace:applicant_lookup"), {"phone": "050-123-45-67"},
        HTTP_HX_TRIGGER_NAME="phone", **HTMX)

    # then
    html = response.content.decode()
    assert "Шевченко Тарас Григорович" in html
    assert earlier.number in html
    assert reverse("workspace:applicant_use", args=[earlier.applicant_id]) in html
    event = AuditEvent.objects.filter(action="applicant.search").get()
    assert "050" not in str(event.after) and "Шевченко" not in str(event.after)


@pytest.mark.parametrize("typed", ["+38 (050) 123-45-67", "8 050 123 45 67", "0501234567"])
def test_lookup_finds_the_applicant_by_the_number_spelled_any_way(world: World, typed: str) -> None:
    # given an applicant whose number was taken down as «050 123 45 67»
    earlier = world.register()

    # when the operator types it with the country code, brackets and dashes
    response = world.client("operator").post(
        reverse("workspace:applicant_lookup"), {"phone": typed},
        HTTP_HX_TRIGGER_NAME="phone", **HTMX)

    # then the applicant and the earlier appeal are offered
    assert earlier.number in response.content.decode()
    assert reverse("workspace:applicant_use", args=[earlier.applicant_id]) in response.content.decode()


def test_lookup_by_surname(world: World) -> None:
    world.register(last_name="Ференц")

    response = world.client("operator").post(
        reverse("workspace:applicant_lookup"), {"last_name": "ферен", "phone": ""},
        HTTP_HX_TRIGGER_NAME="last_name", **HTMX)

    assert "Ференц" in response.content.decode()


def test_use_this_applicant_fills_the_fields_with_the_hidden_id(world: World) -> None:
    applicant = world.register().applicant

    response = world.client("operator").post(
        reverse("workspace:applicant_use", args=[applicant.pk]), **HTMX)

    html = response.content.decode()
    assert f'name="applicant_id" value="{applicant.pk}"' in html
    assert 'value="Шевченко"' in html
    assert "селище Батьово" in html
    assert "vikno:assist" in response["HX-Trigger"]


def test_registering_for_a_known_applicant_creates_no_new_one(world: World) -> None:
    applicant = world.register().applicant

    world.client("operator").post(reverse("workspace:register"), phone_call(
        applicant_id=applicant.pk, last_name="Шевченко", first_name="Тарас",
        patronymic="Григорович", phone="050 123 45 67", address="вул. Миру, 1",
        category_code="", social_status_code="", sex=""))

    assert Applicant.objects.count() == 1
    assert Appeal.objects.filter(applicant=applicant).count() == 2


def test_a_repeat_is_flagged_and_can_be_marked(world: World) -> None:
    # given: the applicant's earlier appeal on the same Part II topic
    earlier = world.register()
    client = world.client("operator")

    # when
    panel = client.post(reverse("workspace:register_assist"),
                        {"applicant_id": earlier.applicant_id, "subtopic_1": "009.001"}, **HTMX)
    client.post(reverse("workspace:register"), phone_call(
        applicant_id=earlier.applicant_id, last_name="Шевченко", first_name="Тарас",
        previous_appeal_number=earlier.number))

    # then
    assert earlier.number in panel.content.decode()
    assert 'name="previous_appeal_number"' in panel.content.decode()
    repeated = Appeal.objects.exclude(pk=earlier.pk).get()
    assert repeated.previous_appeal == earlier
    assert repeated.sign == Sign.REPEATED


def test_no_repeat_warning_on_another_topic(world: World, message_in: Any) -> None:
    earlier = world.register()

    panel = world.client("operator").post(
        reverse("workspace:register_assist"),
        {"applicant_id": earlier.applicant_id, "subtopic_1": world.road.code}, **HTMX)

    assert earlier.number not in panel.content.decode()
    assert not message_in(panel.content.decode(), "Possible repeated appeal")


def test_assist_shows_the_suggested_executor_for_the_topic(world: World) -> None:
    response = world.client("operator").post(
        reverse("workspace:register_assist"),
        {"subtopic_1": "009.001", "settlement_code": OTHER_SETTLEMENT}, **HTMX)

    html = response.content.decode()
    assert world.authority.name in html
    assert "село Батрадь" in html  # the problem's territory defaults to the settlement


def test_settlement_search_and_pick(world: World) -> None:
    client = world.client("operator")

    found = client.get(reverse("workspace:territory_search"),
                       {"field": "settlement_code", "settlement_code_q": "батьо"}, **HTMX)
    picked = client.get(reverse("workspace:territory_pick"),
                        {"field": "settlement_code", "code": SETTLEMENT}, **HTMX)

    assert "селище Батьово" in found.content.decode()
    assert "село Батрадь" not in found.content.decode()
    assert f'name="settlement_code" value="{SETTLEMENT}"' in picked.content.decode()


def test_topic_search_narrows_the_options(world: World) -> None:
    response = world.client("operator").get(reverse("workspace:subtopic_options"),
                                            {"q": "дорож", "row": "1"}, **HTMX)

    html = response.content.decode()
    assert world.road.code in html
    assert world.hot_water.code not in html


@pytest.mark.parametrize("row", ["1", "2"])
def test_the_topic_search_box_sends_what_the_view_reads(world: World, row: str) -> None:
    # given the registration screen, and the name its topic search box sends the typed text under
    client = world.client("operator")
    page = client.get(reverse("workspace:register")).content.decode()
    box = re.search(rf'<input[^>]*id="subtopic-{row}-filter"[^>]*>', page)
    assert box is not None
    name = re.search(r'name="([^"]+)"', box.group(0))
    assert name is not None

    # when the operator types «гаряч» into it (htmx sends the box's own name and value)
    response = client.get(reverse("workspace:subtopic_options"),
                          {name.group(1): "гаряч", "row": row}, **HTMX)

    # then only the hot-water topic is offered
    html = response.content.decode()
    assert world.hot_water.code in html
    assert world.road.code not in html


def test_the_operator_may_mark_a_mass_appeal(world: World) -> None:
    # given a call about a problem the whole street raises
    client = world.client("operator")

    # when the operator sets the sign of receipt to mass (2.5)
    client.post(reverse("workspace:register"), phone_call(sign="2.5"))

    # then the appeal carries it; without a choice the sign is determined (first)
    client.post(reverse("workspace:register"), phone_call(phone="0661112233"))
    assert list(Appeal.objects.order_by("seq").values_list("sign", flat=True)) == ["2.5", "2.1"]


def test_the_language_of_notices_is_a_select_with_ukrainian_first(world: World, uk: Any) -> None:
    # when
    html = world.client("operator").get(reverse("workspace:register")).content.decode()

    # then
    start = html.index('name="notice_language"')
    select = html[start:html.index("</select>", start)]
    assert '<option value="uk" selected>' in select
    assert '<option value="en">' in select


def test_the_operator_chooses_the_language_and_the_notice_reads_in_it(world: World) -> None:
    # when the operator registers an applicant who asked for English notices
    world.client("operator").post(reverse("workspace:register"), phone_call(notice_language="en"))
    appeal = Appeal.objects.get()
    with translation.override("uk"):
        services.appeal_forward(actor=world.users["supervisor"], appeal=appeal,
                                to_body="State Labour Service")

    # then the applicant keeps the language and the notice is written in it
    assert appeal.applicant.language == "en"
    assert Notice.objects.get(appeal=appeal).text.startswith(f"Your appeal {appeal.number}")


def test_use_this_applicant_keeps_the_chosen_language(world: World) -> None:
    # given a known applicant with English notices
    applicant = world.register().applicant
    Applicant.objects.filter(pk=applicant.pk).update(language="en")

    # when
    response = world.client("operator").post(
        reverse("workspace:applicant_use", args=[applicant.pk]), **HTMX)

    # then registering again with the filled block keeps English
    assert '<option value="en" selected>' in response.content.decode()
