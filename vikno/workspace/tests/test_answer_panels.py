"""The card's panels for the answer and the extension: the reply letter and refusal grounds, the
answer's index, date and file number, who extended the term, repeated appeals past the cap."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse

from vikno.appeals import services
from vikno.appeals.models import Appeal, Extension, Notice, Reply
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.directory.models import Membership
from vikno.workspace.tests.conftest import World, decider_post, letter_post

REFUSAL = {"refusal_reasons": "Ділянка не належить громаді.",
           "legal_basis": "ст.12 Земельного кодексу України",
           "appeal_procedure": "До Берегівської РДА або до суду."}


def card_url(appeal: Any, action: str = "") -> str:
    return reverse(f"workspace:appeal_{action}" if action else "workspace:appeal_card",
                   args=[appeal.number])


def reply_url(world: World, appeal: Appeal) -> str:
    return reverse("workspace:assignment_reply", args=[world.main_assignment(appeal).pk])


def test_the_reply_panel_offers_the_letter_and_the_refusal_grounds(world: World) -> None:
    # given
    appeal = world.register()

    # when
    html = world.client("executor").get(card_url(appeal)).content.decode()

    # then
    for name in ("outgoing_number", "outgoing_date", "signatory_name", "signatory_position"):
        assert f'name="{name}"' in html
    # the grounds are marked so that they appear once "Refused" is chosen
    for name in ("refusal_reasons", "legal_basis", "appeal_procedure"):
        assert re.search(rf'<textarea name="{name}"[^>]*data-refusal="1"', html), name
    assert 'class="panel-form-reply"' in html
    assert '<option value="refused">' in html


def test_the_executor_posts_a_refusal_with_its_grounds_and_letter(world: World) -> None:
    # given
    appeal = world.register()

    # when
    response = world.client("executor").post(reply_url(world, appeal), {
        "result": "refused", "text": "У задоволенні відмовлено.", **REFUSAL, **letter_post()})

    # then
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.result, reply.legal_basis, reply.outgoing_number, reply.signatory_name) == (
        "refused", REFUSAL["legal_basis"], "02-14/381", "Олена Ковач")
    card = world.client("supervisor").get(card_url(appeal)).content.decode()
    for part in (*REFUSAL.values(), "02-14/381", "Олена Ковач", "Селищна голова"):
        assert part in card, part


def test_a_refusal_without_its_grounds_is_shown_and_changes_nothing(world: World,
                                                                    message_in: Any) -> None:
    # given
    appeal = world.register()
    # (showing the card again records the read of the applicant's data, nothing else)
    written = AuditEvent.objects.exclude(action="applicant.view")
    before = (Reply.objects.count(), written.count())

    # when
    response = world.client("executor").post(reply_url(world, appeal), {
        "result": "refused", "text": "Відмовлено.", **REFUSAL, "legal_basis": "",
        **letter_post()})

    # then
    assert response.status_code == 400
    assert message_in(response.content.decode(),
                      "A refusal must refer to the law it rests on (ст.15 of the Law).")
    assert (Reply.objects.count(), written.count()) == before
    appeal.refresh_from_db()
    assert appeal.status == "assigned"


def test_an_answer_without_its_letter_is_shown_and_changes_nothing(world: World,
                                                                   message_in: Any) -> None:
    # given
    appeal = world.register()

    # when
    response = world.client("executor").post(reply_url(world, appeal), {
        "result": "done", "text": "Виконано.", **letter_post(signatory_name="")})

    # then
    assert response.status_code == 400
    assert message_in(response.content.decode(), "Enter who signed the answer.")
    assert Reply.objects.count() == 0


def test_accepting_the_answer_files_it_and_the_card_shows_index_date_and_file(world: World) -> None:
    # given
    appeal = world.answered()
    client = world.client("supervisor")

    # when
    response = client.post(card_url(appeal, "review"), {"decision": "accept",
                                                         "file_number": "04-12"})

    # then
    assert response.status_code == 302
    html = client.get(card_url(appeal)).content.decode()
    today = clock.today().strftime("%d.%m.%Y")
    assert f'<dd id="card-answer">{today}, № 02-14/381</dd>' in html
    assert '<dd id="card-file">04-12</dd>' in html
    notice = Notice.objects.get(appeal=appeal, kind="answered").text
    assert "Воду подано." in notice and "02-14/381" in notice


def test_the_supervisor_records_the_answer_index_date_and_file(world: World) -> None:
    # given
    appeal = world.answered()
    client = world.client("supervisor")
    card = client.get(card_url(appeal)).content.decode()

    # when
    response = client.post(card_url(appeal, "answer_record"), {
        "answer_number": "02-14/390", "answer_date": "2026-01-05", "file_number": "04-12"})

    # then
    assert card_url(appeal, "answer_record") in card
    assert response.status_code == 302
    html = client.get(card_url(appeal)).content.decode()
    assert '<dd id="card-answer">05.01.2026, № 02-14/390</dd>' in html
    assert '<dd id="card-file">04-12</dd>' in html


def test_recording_the_answer_without_its_index_is_shown_and_changes_nothing(
        world: World, message_in: Any) -> None:
    # given
    appeal = world.answered()

    # when
    response = world.client("supervisor").post(card_url(appeal, "answer_record"), {
        "answer_number": "", "answer_date": "2026-01-05", "file_number": "04-12"})

    # then
    assert response.status_code == 400
    assert message_in(response.content.decode(), "Enter the index of the answer.")
    appeal.refresh_from_db()
    assert (appeal.answer_number, appeal.file_number) == ("", "")


def test_the_extend_panel_records_who_decided_and_the_card_shows_it(world: World) -> None:
    # given
    appeal = world.register()
    client = world.client("supervisor")
    card = client.get(card_url(appeal)).content.decode()

    # when
    response = client.post(card_url(appeal, "extend"), {
        "new_due_date": appeal.max_due_date.isoformat(), "reason": "Обстеження.",
        **decider_post()})

    # then
    for name in ("decider_name", "decider_position", "decider_body", "document_number",
                 "document_date"):
        assert f'name="{name}"' in card
    assert response.status_code == 302
    html = client.get(card_url(appeal)).content.decode()
    assert "Олена Ковач, Селищна голова" in html
    assert "№ 15-р" in html


def test_an_extension_without_who_decided_is_shown_and_changes_nothing(world: World,
                                                                       message_in: Any) -> None:
    # given
    appeal = world.register()
    due = appeal.due_date

    # when
    response = world.client("supervisor").post(card_url(appeal, "extend"), {
        "new_due_date": appeal.max_due_date.isoformat(), "reason": "Обстеження.",
        **decider_post(decider_body="")})

    # then
    assert response.status_code == 400
    assert message_in(response.content.decode(), "Enter the body whose head extended the term.")
    appeal.refresh_from_db()
    assert appeal.due_date == due
    assert Extension.objects.count() == 0


def _make_head(world: World) -> Any:
    membership = Membership.objects.get(user=world.users["executor"])
    membership.is_head, membership.position = True, "Селищна голова"
    membership.save()
    return world.users["executor"]


def test_the_body_head_decides_its_bodys_request_on_the_card(world: World) -> None:
    # given the executor's account is its body's head
    appeal, extension = world.with_extension_request()
    head = _make_head(world)
    client = world.client("executor")
    card = client.get(card_url(appeal)).content.decode()

    # when
    response = client.post(reverse("workspace:extension_decide", args=[extension.pk]), {
        "decision": "approve", "document_number": "7-р",
        "document_date": clock.today().isoformat()})

    # then the panel asked only for the document; who decided came from the account
    assert reverse("workspace:extension_decide", args=[extension.pk]) in card
    assert f'id="decide-{extension.pk}-document_number"' in card
    assert f'id="decide-{extension.pk}-decider_name"' not in card
    assert response.status_code == 302
    extension.refresh_from_db()
    assert (extension.status, extension.decider_name, extension.decider_position,
            extension.decider_body, extension.document_number) == (
        "approved", head.get_full_name() or head.username, "Селищна голова",
        world.authority.name, "7-р")


def test_a_plain_executor_is_not_offered_the_decision_and_is_refused(world: World) -> None:
    # given
    appeal, extension = world.with_extension_request()
    client = world.client("executor")
    card = client.get(card_url(appeal)).content.decode()

    # when
    response = client.post(reverse("workspace:extension_decide", args=[extension.pk]), {
        "decision": "approve", "document_number": "7-р",
        "document_date": clock.today().isoformat()})

    # then
    assert reverse("workspace:extension_decide", args=[extension.pk]) not in card
    assert response.status_code == 403
    extension.refresh_from_db()
    assert extension.status == "requested"


def test_reopening_past_the_cap_registers_a_repeated_appeal(world: World, message_in: Any) -> None:
    # given an appeal received 60 days ago, answered and closed
    received = dt.datetime.combine(clock.today() - dt.timedelta(days=60), dt.time(12),
                                   tzinfo=ZoneInfo("Europe/Kyiv"))
    appeal = world.register(received_at=received)
    services.reply_submit(actor=world.users["executor"], assignment=world.main_assignment(appeal),
                          result="done", text="Виконано.",
                          **{**letter_post(), "outgoing_date": clock.today()})
    services.appeal_close(actor=world.users["supervisor"], appeal=appeal, note="Виконано.")
    client = world.client("supervisor")

    # when
    response = client.post(card_url(appeal, "reopen"), {"note": "Проблема повернулася."},
                           follow=True)

    # then
    appeal.refresh_from_db()
    repeat = appeal.repeats.get()
    assert appeal.status == "closed"
    assert message_in(response.content.decode(),
                      "The 45-day term has passed: the repeated appeal %(number)s was registered.",
                      number=repeat.number)
    repeat_card = client.get(card_url(repeat)).content.decode()
    assert card_url(appeal) in repeat_card  # the sign of receipt links to the first appeal


def test_an_unconfirmed_answer_past_the_cap_tells_of_the_repeated_appeal(world: World,
                                                                        message_in: Any) -> None:
    # given an answer received 50 days ago, passed on to the applicant
    received = dt.datetime.combine(clock.today() - dt.timedelta(days=50), dt.time(12),
                                   tzinfo=ZoneInfo("Europe/Kyiv"))
    appeal = world.register(received_at=received)
    services.reply_submit(actor=world.users["executor"], assignment=world.main_assignment(appeal),
                          result="done", text="Виконано.",
                          **{**letter_post(), "outgoing_date": clock.today()})
    services.answer_review(actor=world.users["supervisor"], appeal=appeal, accept=True)

    # when the operator records that the applicant does not confirm it
    response = world.client("operator").post(card_url(appeal, "feedback"),
                                             {"confirmed": "no", "rating": ""}, follow=True)

    # then
    appeal.refresh_from_db()
    repeat = appeal.repeats.get()
    assert appeal.status == "closed"
    assert message_in(response.content.decode(),
                      "The 45-day term has passed: the repeated appeal %(number)s was registered.",
                      number=repeat.number)


def test_the_dashboard_sends_the_supervisor_to_the_cards_decision_panel(world: World) -> None:
    # given a pending request for a longer term
    appeal, extension = world.with_extension_request()
    client = world.client("supervisor")

    # when the supervisor opens the dashboard and follows its link for the request
    dashboard = client.get(reverse("workspace:dashboard")).content.decode()
    link = f'{card_url(appeal)}#ext-decide-{extension.pk}'
    card = client.get(link.split("#")[0]).content.decode()

    # then the dashboard has no form without who decided (ст.20); the card's panel asks for it
    assert f'href="{link}"' in dashboard
    assert reverse("workspace:extension_decide", args=[extension.pk]) not in dashboard
    assert f'id="ext-decide-{extension.pk}"' in card
    assert f'id="decide-{extension.pk}-decider_name"' in card
    assert reverse("workspace:extension_decide", args=[extension.pk]) in card
