"""The registration screen offers what the Law asks at the door: the body complained of, the late
complaint's decision date, "lacks required content", an unsigned letter, public information."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from vikno.appeals.models import Appeal, Assignment
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.directory import deadlines
from vikno.directory.selectors import working_calendar
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_register import phone_call


def _main(appeal: Appeal) -> list[str]:
    return list(Assignment.objects.filter(question__appeal=appeal, role="main")
                .values_list("authority__code", flat=True))


def test_the_screen_offers_the_laws_fields(world: World) -> None:
    # when
    html = world.client("operator").get(reverse("workspace:register")).content.decode()

    # then
    for name in ("contested_authority", "contested_decision_on", "decision_learned_on",
                 "late_complaint",
                 "term_restored", "missing_content", "unsigned"):
        assert f'name="{name}"' in html
    assert 'value="pi"' in html  # the kind "request for public information"


def test_a_complaint_about_the_suggested_executor_goes_elsewhere(world: World) -> None:
    # when the operator registers a complaint about the body the rules would choose
    world.client("operator").post(reverse("workspace:register"), phone_call(
        kind="3.3", contested_authority=world.authority.code))

    # then
    appeal = Appeal.objects.get()
    assert appeal.contested_authority == world.authority
    assert world.authority.code not in _main(appeal)
    assert _main(appeal) == [world.default_authority.code]


def test_choosing_the_body_complained_of_as_executor_is_refused_on_the_page(
        world: World, message_in: Any) -> None:
    # given
    events = AuditEvent.objects.count()

    # when
    response = world.client("operator").post(reverse("workspace:register"), phone_call(
        kind="3.3", contested_authority=world.authority.code,
        main_authority=world.authority.code))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors["main_authority"]
    assert message_in(response.content.decode(),
                      "A complaint cannot be sent for consideration to the body whose actions or "
                      "decision it contests (ст.7 ч.4 of the Law).")
    assert not Appeal.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_late_complaint_is_registered_not_considered_with_its_decision_date(world: World) -> None:
    # when
    world.client("operator").post(reverse("workspace:register"), phone_call(
        kind="3.3", late_complaint="on", contested_decision_on="2024-02-01"))

    # then
    appeal = Appeal.objects.get()
    assert (appeal.status, appeal.not_considered_reason) == ("not_considered", "late_complaint")
    assert appeal.contested_decision_on.isoformat() == "2024-02-01"
    assert appeal.due_date is None


def test_the_day_of_learning_of_the_decision_is_kept_and_shown_on_the_card(world: World,
                                                                          uk: Any) -> None:
    # given
    client = world.client("operator")
    learned = clock.today() - timedelta(days=10)

    # when
    client.post(reverse("workspace:register"), phone_call(
        kind="3.3", contested_decision_on=(clock.today() - timedelta(days=90)).isoformat(),
        decision_learned_on=learned.isoformat()))

    # then
    appeal = Appeal.objects.get()
    assert appeal.decision_learned_on == learned
    card = client.get(reverse("workspace:appeal_card", args=[appeal.number])).content.decode()
    assert "Дата, коли заявник дізнався про рішення" in card
    assert learned.strftime("%d.%m.%Y") in card


def test_a_complaint_a_month_after_learning_is_refused_on_the_page_unless_marked(
        world: World, message_in: Any) -> None:
    # given the applicant learned of the decision 40 days ago
    dates = {"kind": "3.3",
             "contested_decision_on": (clock.today() - timedelta(days=60)).isoformat(),
             "decision_learned_on": (clock.today() - timedelta(days=40)).isoformat()}
    client = world.client("operator")

    # when registered unmarked
    response = client.post(reverse("workspace:register"), phone_call(**dates))

    # then refused on the page, nothing saved
    assert response.status_code == 400
    assert response.context["form"].errors["late_complaint"]
    assert message_in(response.content.decode(),
                      "The complaint is filed more than a month after the applicant learned of "
                      "the contested decision (ст.17): mark it as late, or record that the term "
                      "was restored.")
    assert not Appeal.objects.exists()

    # and when marked late, registered as not considered
    client.post(reverse("workspace:register"), phone_call(**dates, late_complaint="on"))
    assert Appeal.objects.get().not_considered_reason == "late_complaint"


@pytest.mark.parametrize(("overrides", "field", "msgid"), [
    ({"late_complaint": "on", "contested_decision_on": "2024-02-01"}, "late_complaint",
     "The term of ст.17 applies to complaints only."),
    ({"kind": "3.3", "late_complaint": "on"}, "contested_decision_on",
     "Enter the date of the contested decision."),
])
def test_a_late_mark_the_law_does_not_allow_is_refused_on_the_page(
        world: World, message_in: Any, overrides: dict[str, str], field: str, msgid: str) -> None:
    # when
    response = world.client("operator").post(reverse("workspace:register"),
                                              phone_call(**overrides))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert message_in(response.content.decode(), msgid)
    assert not Appeal.objects.exists()


def test_lacking_content_gets_the_return_term_and_no_executor(world: World) -> None:
    # when
    world.client("operator").post(reverse("workspace:register"), phone_call(
        channel="post", missing_content="не зазначено суть прохання"))

    # then
    appeal = Appeal.objects.get()
    assert appeal.status == "registered"
    assert appeal.missing_content == "не зазначено суть прохання"
    assert appeal.due_date == deadlines.return_due(clock.today())
    assert _main(appeal) == []


def test_an_unsigned_letter_is_anonymous_and_its_card_shows_no_term(world: World, uk: Any) -> None:
    # given
    client = world.client("operator")

    # when
    response = client.post(reverse("workspace:register"), phone_call(channel="post",
                                                                      unsigned="on"), follow=True)

    # then
    appeal = Appeal.objects.get()
    assert (appeal.status, appeal.not_considered_reason) == ("not_considered", "anonymous")
    html = response.content.decode()
    assert "Контрольний термін</dt><dd>—" in html
    assert 'class="due' not in html


def test_a_request_for_public_information_gets_five_working_days(world: World) -> None:
    # when
    world.client("operator").post(reverse("workspace:register"), phone_call(kind="pi"))

    # then
    appeal = Appeal.objects.get()
    assert appeal.due_date == deadlines.public_information_due(clock.today(), working_calendar())


def test_the_card_of_a_request_offers_20_working_days_not_45(world: World, uk: Any) -> None:
    # given a request for public information
    client = world.client("operator")
    client.post(reverse("workspace:register"), phone_call(kind="pi"))
    appeal = Appeal.objects.get()

    # when the supervisor opens its card
    card = world.client("supervisor").get(
        reverse("workspace:appeal_card", args=[appeal.number])).content.decode()

    # then the latest date is 20 working days from receipt, and the extend panel says so
    assert appeal.max_due_date == deadlines.public_information_max_due(clock.today(),
                                                                       working_calendar())
    assert "Найпізніша можлива дата (20 робочих днів)" in card
    assert "можна продовжити до 20 робочих днів" in card
    assert appeal.max_due_date.strftime("%d.%m.%Y") in card
    assert "45 днів" not in card


def test_the_card_and_the_queue_show_the_marked_index(world: World) -> None:
    # given an anonymous call
    client = world.client("operator")
    client.post(reverse("workspace:register"), phone_call(anonymous="on"))
    appeal = Appeal.objects.get()

    # when
    card = client.get(reverse("workspace:appeal_card", args=[appeal.number])).content.decode()
    queue = client.get(reverse("workspace:queue")).content.decode()

    # then
    assert f"{appeal.number}/БП" in card
    assert f"{appeal.number}/БП" in queue


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(("extra", "due", "rule"), [
    ({}, "consideration", "15 днів"),
    ({"kind": "pi"}, "public_information", "5 робочих днів"),
    ({"missing_content": "адреси"}, "return", "10 днів: повернення"),
])
def test_assist_shows_the_term_the_appeal_would_get(world: World, uk: Any, extra: dict[str, str],
                                                    due: str, rule: str) -> None:
    # when
    html = world.client("operator").post(reverse("workspace:register_assist"),
                                         {"subtopic_1": "009.001", **extra}, **HTMX).content.decode()

    # then
    today = clock.today()
    expected = {"consideration": deadlines.consideration_due(today, needs_study=False),
                "public_information": deadlines.public_information_due(today, working_calendar()),
                "return": deadlines.return_due(today)}[due]
    assert f"{expected:%d.%m.%Y} <span class=\"muted\">({rule})" in html


def test_assist_never_suggests_the_body_complained_of(world: World) -> None:
    # when
    html = world.client("operator").post(reverse("workspace:register_assist"), {
        "subtopic_1": "009.001", "kind": "3.3", "contested_authority": world.authority.code,
    }, **HTMX).content.decode()

    # then
    assert world.default_authority.name in html
    assert world.authority.name not in html


def test_a_privileged_cosigner_picked_on_the_screen_makes_the_appeal_a_priority(
        world: World) -> None:
    # given an applicant of no privileged category
    data = phone_call(category_code="", cosigner_1_last_name="Петренко",
                      cosigner_1_first_name="Олена", cosigner_1_category_code="7.1")

    # when
    html = world.client("operator").get(reverse("workspace:register")).content.decode()
    world.client("operator").post(reverse("workspace:register"), data)

    # then
    assert 'name="cosigner_1_category_code"' in html
    appeal = Appeal.objects.get()
    assert appeal.subject == "5.2"
    assert appeal.priority
