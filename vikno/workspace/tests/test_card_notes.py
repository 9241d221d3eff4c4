"""The card's internal notes, the reason of a return "not in competence", no countdown once no
term runs, and the supervisors' reply templates screen."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from vikno.appeals import services
from vikno.appeals.models import InternalNote
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.directory import services as directory_services
from vikno.directory.models import ReplyTemplate
from vikno.directory.selectors import working_calendar
from vikno.workspace.forms.templates import template_choices
from vikno.workspace.templatetags.workspace import term_warning
from vikno.workspace.tests.conftest import World


def card_url(appeal: Any) -> str:
    return reverse("workspace:appeal_card", args=[appeal.number])


def note_url(appeal: Any) -> str:
    return reverse("workspace:appeal_note_add", args=[appeal.number])


def test_a_note_posted_without_javascript_lands_on_the_card(world: World) -> None:
    # given
    appeal = world.register()
    client = world.client("executor")

    # when
    response = client.post(note_url(appeal), {"text": "Виїзд бригади у вівторок."})

    # then back to the card's notes, where the supervisor reads it under the authority's name
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    html = world.client("supervisor").get(card_url(appeal)).content.decode()
    assert "Виїзд бригади у вівторок." in html
    assert escape(world.authority.name) in html.split('id="notes"')[1]


def test_a_note_posted_with_htmx_swaps_the_notes_section(world: World) -> None:
    appeal = world.register()
    client = world.client("operator")
    response = client.post(note_url(appeal), {"text": "Заявник просить дзвонити ввечері."},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="panel" aria-labelledby="h-notes" id="notes">')
    assert "Заявник просить дзвонити ввечері." in html
    assert InternalNote.objects.get().authority is None


def test_an_empty_note_shows_the_services_message_and_changes_nothing(world: World,
                                                                     message_in: Any) -> None:
    appeal = world.register()
    response = world.client("operator").post(note_url(appeal), {"text": "  "})
    assert response.status_code == 400
    assert message_in(response.content.decode(), "Enter the text of the note.")
    assert not InternalNote.objects.exists()


def test_another_authoritys_executor_neither_reads_nor_writes_the_notes(world: World) -> None:
    # given a note of the appeal's executor
    appeal = world.register()
    services.note_add(actor=world.users["executor"], appeal=appeal, text="Лише для центру.")
    # when another authority's executor tries
    client = world.client("other_executor")
    # then the appeal is not found for it
    assert client.get(card_url(appeal)).status_code == 404
    assert client.post(note_url(appeal), {"text": "Ні."}).status_code == 404
    assert InternalNote.objects.count() == 1


def test_an_executor_reads_the_centre_s_notes_and_not_a_co_executor_s(world: World) -> None:
    # given the other authority a co-executor, each authority and the centre with a note
    appeal = world.register(co=(world.other_authority.code,))
    services.note_add(actor=world.users["supervisor"], appeal=appeal, text="Нотатка центру.")
    services.note_add(actor=world.users["other_executor"], appeal=appeal, text="Нотатка РДА.")

    # when the main executor opens the card
    html = world.client("executor").get(card_url(appeal)).content.decode()

    # then
    assert "Нотатка центру." in html and "Нотатка РДА." not in html


def test_the_card_shows_the_executor_s_reason_for_a_return(world: World, message_in: Any) -> None:
    # given the executor returned the appeal as not in its competence
    appeal = world.register()
    services.reply_submit(actor=world.users["executor"], assignment=world.main_assignment(appeal),
                          result="not_in_competence", text="Мережа належить водоканалу.")

    # when the supervisor opens the card
    html = world.client("supervisor").get(card_url(appeal)).content.decode()

    # then the reason stands next to the returned assignment, in its executor's cell
    row = html.split(f"<strong>{escape(world.authority.name)}</strong>")[1].split("</td>")[0]
    assert 'class="return-reason' in row and "Мережа належить водоканалу." in row
    assert message_in(row, "Returned as not in competence")
    assert html.count("Мережа належить водоканалу.") == 2  # and the history line


def test_a_forwarded_appeal_shows_no_countdown(world: World) -> None:
    # given two appeals under consideration, one then forwarded (ст.7)
    running = world.register()
    forwarded = world.register()
    services.appeal_forward(actor=world.users["supervisor"], appeal=forwarded,
                            to_body="Держпраці", note="")
    client = world.client("supervisor")

    # when / then: the countdown is on the one still running only
    assert '<span class="due' in client.get(card_url(running)).content.decode()
    assert '<span class="due' not in client.get(card_url(forwarded)).content.decode()


def test_no_warning_date_in_the_lists_once_no_term_runs(db: Any) -> None:
    # given a control date that falls on a Saturday
    today = clock.today()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    calendar = working_calendar()
    for status, expected in [("in_work", saturday - timedelta(days=1)), ("forwarded", None),
                             ("not_considered", None), ("returned_missing_content", None),
                             ("closed", None)]:
        appeal = SimpleNamespace(status=status, due_date=saturday)
        assert term_warning(appeal, calendar) == expected, status


def test_the_answer_forms_offer_the_topic_s_templates_first(world: World) -> None:
    # given a template for the question's sub-topic, one for another topic and a general one
    supervisor = world.users["supervisor"]
    general = directory_services.reply_template_create(actor=supervisor, title="Загальна",
                                                       text="Дякуємо за звернення.")
    own = directory_services.reply_template_create(actor=supervisor, title="Гаряча вода",
                                                   text="ГВП відновлено.",
                                                   subtopic_code=world.hot_water.code)
    road = directory_services.reply_template_create(actor=supervisor, title="Дороги",
                                                    text="Ремонт заплановано.",
                                                    subtopic_code=world.road.code)
    appeal = world.register()

    # when the executor opens the card
    html = world.client("executor").get(card_url(appeal)).content.decode()

    # then its reply panel offers the picker, the own template first, each with its text
    pk = world.main_assignment(appeal).pk
    assert f'data-template-for="reply-{pk}-text"' in html
    picker = html.split(f'data-template-for="reply-{pk}-text"')[1].split("</select>")[0]
    assert picker.index("Гаряча вода") < picker.index("Загальна")
    assert picker.index("Гаряча вода") < picker.index("Дороги")
    assert 'data-text="ГВП відновлено."' in picker
    assert template_choices([general, own, road], {world.hot_water.pk}, set())[1] == (
        gettext("For this topic"), [(str(own.pk), "Гаряча вода")])


def test_without_templates_the_answer_forms_have_no_picker(world: World) -> None:
    appeal = world.register()
    html = world.client("executor").get(card_url(appeal)).content.decode()
    assert "data-template-for" not in html


def test_the_supervisor_writes_changes_and_deactivates_a_template_on_the_screen(
        world: World) -> None:
    client = world.client("supervisor")
    # when a template is written
    response = client.post(reverse("workspace:reply_template_new"), {
        "title": "Гаряча вода", "text": "ГВП відновлено.", "subtopic": world.hot_water.code,
        "topic": ""})
    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.topic == world.hot_water.topic
    # then it is listed, can be changed and deactivated
    assert "Гаряча вода" in client.get(reverse("workspace:reply_templates")).content.decode()
    edit = client.get(reverse("workspace:reply_template_edit", args=[template.pk]))
    assert "ГВП відновлено." in edit.content.decode()
    client.post(reverse("workspace:reply_template_edit", args=[template.pk]), {
        "title": "ГВП", "text": "ГВП відновлено.", "subtopic": "", "topic": ""})
    client.post(reverse("workspace:reply_template_active", args=[template.pk]), {"active": "0"})
    template.refresh_from_db()
    assert (template.title, template.topic, template.is_active) == ("ГВП", None, False)
    # an empty title is the service's message, nothing written
    refused = client.post(reverse("workspace:reply_template_new"), {"title": "", "text": "Т"})
    assert refused.status_code == 400 and ReplyTemplate.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="reply_template.").count() == 3
    assert AuditAction.REPLY_TEMPLATE_DEACTIVATE in AuditEvent.objects.values_list("action",
                                                                                 flat=True)


def test_the_centre_s_review_note_offers_the_templates_too(world: World) -> None:
    directory_services.reply_template_create(actor=world.users["supervisor"], title="Прийнято",
                                             text="Відповідь прийнято.")
    appeal = world.answered()
    html = world.client("supervisor").get(card_url(appeal)).content.decode()
    assert 'data-template-for="review-note"' in html
    assert 'id="review-note"' in html
