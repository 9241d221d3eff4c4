"""The appeal card and its actions: flows through the real services, errors shown, data masked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from vikno.appeals.lifecycle import TransitionAction
from vikno.appeals.models import Extension, Reply
from vikno.appeals.tests.factories import letter
from vikno.audit.models import AuditEvent
from vikno.workspace.tests.conftest import World, decider_post, letter_post


def card_url(appeal: Any, action: str = "") -> str:
    return reverse(f"workspace:appeal_{action}" if action else "workspace:appeal_card",
                   args=[appeal.number])


def test_executor_accepts_then_replies(world: World) -> None:
    # given
    appeal = world.register()
    assignment = world.main_assignment(appeal)
    client = world.client("executor")

    # when
    accepted = client.post(reverse("workspace:assignment_accept", args=[assignment.pk]))
    appeal.refresh_from_db()
    status_after_accept = appeal.status
    replied = client.post(reverse("workspace:assignment_reply", args=[assignment.pk]),
                          {"result": "done", "text": "Гарячу воду подано.", **letter_post()},
                          follow=True)

    # then
    assert accepted.status_code == 302
    assert status_after_accept == "in_work"
    appeal.refresh_from_db()
    assert appeal.status == "answered"
    assert Reply.objects.get().text == "Гарячу воду подано."
    assert "Гарячу воду подано." in replied.content.decode()


def test_the_executor_sees_its_panels_on_the_card(world: World, message_in: Any) -> None:
    appeal = world.register()
    assignment = world.main_assignment(appeal)

    html = world.client("executor").get(card_url(appeal)).content.decode()

    assert reverse("workspace:assignment_accept", args=[assignment.pk]) in html
    assert reverse("workspace:assignment_reply", args=[assignment.pk]) in html
    assert card_url(appeal, "extend") not in html  # a centre action


def test_reply_without_text_shows_the_error_and_changes_nothing(world: World, message_in: Any) -> None:
    appeal = world.register()
    assignment = world.main_assignment(appeal)

    response = world.client("executor").post(
        reverse("workspace:assignment_reply", args=[assignment.pk]), {"result": "done", "text": ""})

    assert response.status_code == 400
    assert message_in(response.content.decode(), "Enter the text of the answer.")
    assignment.refresh_from_db()
    assert assignment.status == "assigned"
    assert Reply.objects.count() == 0


def test_not_in_competence_returns_the_executor_to_its_queue(world: World) -> None:
    appeal = world.register()
    assignment = world.main_assignment(appeal)

    response = world.client("executor").post(
        reverse("workspace:assignment_reply", args=[assignment.pk]),
        {"result": "not_in_competence", "text": "Це питання району."})

    assert response["Location"] == reverse("workspace:my_assignments")
    appeal.refresh_from_db()
    assert appeal.status == "registered"


def test_supervisor_cannot_extend_beyond_45_days(world: World, message_in: Any) -> None:
    # given
    appeal = world.register()
    due, events = appeal.due_date, AuditEvent.objects.count()
    too_late = appeal.max_due_date + timedelta(days=1)

    # when
    response = world.client("supervisor").post(
        card_url(appeal, "extend"), {"new_due_date": too_late.isoformat(), "reason": "Довго.",
                                     **decider_post()})

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert appeal.max_due_date.strftime("%d.%m.%Y") in html
    assert message_in(html, "The term cannot be extended beyond 45 days from receipt: the latest "
                            "possible date is %(cap)s.", cap=appeal.max_due_date.strftime("%d.%m.%Y"))
    assert 'id="extend-new_due_date_error"' in html
    appeal.refresh_from_db()
    assert appeal.due_date == due
    assert Extension.objects.count() == 0
    # The re-rendered card records only that the supervisor saw the applicant again.
    assert set(AuditEvent.objects.filter(seq__gt=events).values_list("action", flat=True)) <= {
        "applicant.view"}


def test_supervisor_extends_within_the_limit(world: World) -> None:
    appeal = world.register()
    new_due = appeal.due_date + timedelta(days=10)

    response = world.client("supervisor").post(
        card_url(appeal, "extend"), {"new_due_date": new_due.isoformat(), "reason": "Обстеження.",
                                     **decider_post()})

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.due_date == new_due


def test_the_card_shows_the_45_day_limit_in_the_extend_panel(world: World) -> None:
    appeal = world.register()

    html = world.client("supervisor").get(card_url(appeal)).content.decode()

    assert card_url(appeal, "extend") in html
    assert appeal.max_due_date.strftime("%d.%m.%Y") in html


def test_supervisor_decides_a_pending_extension_from_the_dashboard(world: World) -> None:
    appeal, extension = world.with_extension_request()
    client = world.client("supervisor")
    dashboard = client.get(reverse("workspace:dashboard")).content.decode()

    response = client.post(reverse("workspace:extension_decide", args=[extension.pk]),
                           {"decision": "approve", "next": reverse("workspace:dashboard"),
                            **decider_post()})

    assert appeal.number in dashboard
    assert response["Location"] == reverse("workspace:dashboard")
    appeal.refresh_from_db()
    assert appeal.due_date == extension.new_due_date


def test_refusing_an_extension_needs_a_reason(world: World, message_in: Any) -> None:
    _appeal, extension = world.with_extension_request()

    response = world.client("supervisor").post(
        reverse("workspace:extension_decide", args=[extension.pk]), {"decision": "refuse"})

    assert response.status_code == 400
    assert message_in(response.content.decode(), "Give the reason for refusing.")
    extension.refresh_from_db()
    assert extension.status == "requested"


def test_review_feedback_and_close_through_the_card(world: World) -> None:
    appeal = world.answered()
    supervisor = world.client("supervisor")
    operator = world.client("operator")

    supervisor.post(card_url(appeal, "review"), {"decision": "accept"})
    operator.post(card_url(appeal, "feedback"), {"confirmed": "yes", "rating": "4", "comment": ""})

    appeal.refresh_from_db()
    assert appeal.status == "closed"
    assert appeal.feedback.get().rating == 4


def test_co_executor_sees_a_confidential_applicant_masked(world: World) -> None:
    # given: a confidential applicant; B is co-executor, A the main executor
    appeal = world.register(confidential=True, co=(world.other_authority.code,))
    events = AuditEvent.objects.count()

    # when
    co_html = world.client("other_executor").get(card_url(appeal)).content.decode()
    main_html = world.client("executor").get(card_url(appeal)).content.decode()
    queue_html = world.client("other_executor").get(reverse("workspace:queue")).content.decode()

    # then
    assert "Шевченко" not in co_html and "050 123 45 67" not in co_html
    assert "Ш. Т. Г." in co_html
    assert "Шевченко" not in queue_html and "Ш. Т. Г." in queue_html
    assert "Шевченко Тарас Григорович" in main_html
    viewers = list(AuditEvent.objects.filter(seq__gt=events, action="applicant.view")
                   .values_list("actor_username", flat=True))
    assert viewers == [world.users["executor"].username]


def test_non_confidential_applicant_is_visible_to_a_co_executor(world: World) -> None:
    appeal = world.register(co=(world.other_authority.code,))

    html = world.client("other_executor").get(card_url(appeal)).content.decode()

    assert "Шевченко Тарас Григорович" in html


def test_operator_viewing_the_card_is_recorded_without_personal_data(world: World) -> None:
    # given
    appeal = world.register()
    events = AuditEvent.objects.count()

    # when
    world.client("operator").get(card_url(appeal))

    # then
    event = AuditEvent.objects.filter(seq__gt=events).get()
    assert event.action == "applicant.view"
    assert event.object_label == appeal.number
    assert event.object_type == "appeals.applicant"
    assert event.actor_username == world.users["operator"].username
    stored = f"{event.object_label} {event.before} {event.after} {event.object_id}"
    for personal in ("Шевченко", "Тарас", "050", "Миру"):
        assert personal not in stored


def test_anonymous_appeal_card_records_no_personal_data_read(world: World) -> None:
    appeal = world.register(applicant=None)
    events = AuditEvent.objects.count()

    world.client("operator").get(card_url(appeal))

    assert AuditEvent.objects.count() == events


def test_route_panel_reroutes_a_returned_appeal(world: World) -> None:
    # given: the executor returned it as not in its competence
    appeal = world.register()
    from vikno.appeals import services

    services.reply_submit(**letter(), actor=world.users["executor"], assignment=world.main_assignment(appeal),
                          result="not_in_competence", text="Не наше.")
    client = world.client("supervisor")
    dashboard = client.get(reverse("workspace:dashboard")).content.decode()

    # when
    client.post(card_url(appeal, "route"), {"main_authority": world.other_authority.code})

    # then
    assert appeal.number in dashboard
    appeal.refresh_from_db()
    assert appeal.status == "assigned"
    assert world.main_assignment(appeal).authority == world.other_authority


def test_panels_have_distinct_field_ids(world: World) -> None:
    import re

    appeal = world.answered()

    html = world.client("supervisor").get(card_url(appeal)).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_history_lists_the_steps(world: World) -> None:
    appeal = world.answered()

    html = world.client("supervisor").get(card_url(appeal)).content.decode()

    assert "timeline" in html
    assert html.count("<time ") >= 2


def test_history_names_each_step_by_the_domain_label(world: World) -> None:
    # given an appeal routed, taken into work and answered
    appeal = world.answered()
    actions = list(appeal.transitions.values_list("action", flat=True))

    # when
    html = world.client("supervisor").get(card_url(appeal)).content.decode()

    # then every line is a TransitionAction, shown in the centre's words
    assert actions and set(actions) <= set(TransitionAction.values)
    with translation.override("uk"):
        for action in actions:
            assert escape(str(TransitionAction(action).label)) in html


def test_the_card_shows_an_electronic_appeal_as_a_letter_received_electronically(world: World,
                                                                               uk: Any) -> None:
    # given one appeal by the website and one by the hotline
    electronic = world.register(channel="web")
    oral = world.register(channel="hotline")

    # when
    client = world.client("supervisor")
    electronic_card = client.get(card_url(electronic)).content.decode()
    oral_card = client.get(card_url(oral)).content.decode()

    # then axis 6 says "letter" (ADR 9) and the card adds how it came
    assert "<dd>Лист · електронне звернення</dd>" in electronic_card
    assert "<dd>Усне</dd>" in oral_card
