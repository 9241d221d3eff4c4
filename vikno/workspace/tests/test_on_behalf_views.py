"""The card's panel for an answer that arrived outside Vikno: who sees it, what it posts, how the
recorded answer and the bodies without accounts are shown."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vikno.appeals.models import Appeal, Reply, Transition
from vikno.appeals.services import Routing
from vikno.audit.models import AuditEvent
from vikno.core import clock
from vikno.workspace.tests.conftest import World, letter_post

PDF = b"%PDF-1.7\n%letter of the council\n"
PANEL = "Внести відповідь, що надійшла поза системою"
NO_ACCOUNTS = "Виконавець не має облікових записів у Вікні: відповідь вноситься центром."


def card(appeal: Appeal) -> str:
    return reverse("workspace:appeal_card", args=[appeal.number])


def on_behalf_url(world: World, appeal: Appeal) -> str:
    return reverse("workspace:assignment_on_behalf", args=[world.main_assignment(appeal).pk])


def writes() -> int:
    """Audit events other than the card's recorded read of the applicant."""
    return AuditEvent.objects.exclude(action="applicant.view").count()


def paper(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "received_via": "letter", "received_on": clock.today().isoformat(), "result": "done",
        "text": "Воду подано 12 березня.", **letter_post(),
        "scan": SimpleUploadedFile("лист ради.pdf", PDF, content_type="application/pdf")}
    return values | overrides


def test_the_centre_sees_the_panel_on_owing_assignments_executors_do_not(world: World, uk) -> None:
    appeal = world.register()
    for role in ("operator", "supervisor"):
        html = world.client(role).get(card(appeal)).content.decode()
        assert PANEL in html
        assert f'action="{on_behalf_url(world, appeal)}"' in html
        assert 'enctype="multipart/form-data"' in html
        for name in ("received_via", "received_on", "outgoing_number", "signatory_name", "scan"):
            assert f'name="{name}"' in html, name
    assert PANEL not in world.client("executor").get(card(appeal)).content.decode()
    # an answered assignment owes nothing: no panel
    answered = world.answered()
    assert PANEL not in world.client("operator").get(card(answered)).content.decode()


def test_a_body_without_accounts_is_marked_on_the_card(world: World, uk) -> None:
    # given one appeal for the council (it has an executor) and one for the oblast administration
    # (no account in Vikno)
    with_accounts = world.register()
    without = world.register(routing=Routing(main_authority_code=world.default_authority.code))

    # then only the second says its answer is recorded by the centre
    client = world.client("operator")
    assert NO_ACCOUNTS not in client.get(card(with_accounts)).content.decode()
    assert NO_ACCOUNTS in client.get(card(without)).content.decode()


def test_the_operator_records_a_paper_answer_and_the_card_shows_it(world: World, uk) -> None:
    # given
    appeal = world.register(routing=Routing(main_authority_code=world.default_authority.code))
    client = world.client("operator")

    # when
    response = client.post(on_behalf_url(world, appeal), paper(), follow=True)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Відповідь, що надійшла поза системою, внесено від імені виконавця." in html
    appeal.refresh_from_db()
    assert appeal.status == "answered"
    reply = Reply.objects.get(assignment__question__appeal=appeal)
    assert reply.recorded_by == world.users["operator"] and reply.scan is not None
    assert f"Внесено центром: {clock.today():%d.%m.%Y}, поштою" in html
    scan_url = reverse("workspace:attachment_download", args=[appeal.number, reply.scan_id])
    assert f'href="{scan_url}"' in html
    assert "Відповідь виконавця «Закарпатська ОДА» внесено центром з листа" in html
    # and the scan downloads for the centre
    download = client.get(scan_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_a_missing_letter_shows_the_services_message_and_writes_nothing(world: World, uk) -> None:
    # given
    appeal = world.register()
    before = (Reply.objects.count(), Transition.objects.count(), writes())

    # when
    response = world.client("supervisor").post(on_behalf_url(world, appeal),
                                               paper(signatory_name=""))

    # then
    assert response.status_code == 400
    assert "Зазначте, хто підписав відповідь." in response.content.decode()
    assert (Reply.objects.count(), Transition.objects.count(), writes()) == before
    # and the panel stays open with what was typed
    assert 'id="on-behalf-' in response.content.decode()
    assert "Воду подано 12 березня." in response.content.decode()


def test_a_scan_that_is_not_a_pdf_or_picture_is_refused_on_its_field(world: World, uk) -> None:
    appeal = world.register()
    response = world.client("operator").post(on_behalf_url(world, appeal), paper(
        scan=SimpleUploadedFile("лист.txt", "Відповідь".encode(), content_type="text/plain")))
    assert response.status_code == 400
    assert "Додайте скан листа у форматі PDF, JPEG або PNG." in response.content.decode()
    assert not Reply.objects.exists()


def test_a_return_by_letter_sends_the_appeal_back_to_the_centre(world: World, uk) -> None:
    appeal = world.register()
    response = world.client("supervisor").post(on_behalf_url(world, appeal), paper(
        result="not_in_competence", text="Мережі належать Водоканалу.", outgoing_number="",
        signatory_name="", signatory_position="", outgoing_date=""), follow=True)
    html = response.content.decode()
    assert "Повернення, що надійшло поза системою, внесено: перемаршрутизуйте питання." in html
    appeal.refresh_from_db()
    assert appeal.status == "registered"
    assert "Мережі належать Водоканалу." in html


def test_the_dashboard_lists_what_waits_for_a_paper_answer(world: World, uk) -> None:
    # given an appeal for the oblast administration (no accounts) and one for the council
    waiting = world.register(routing=Routing(main_authority_code=world.default_authority.code))
    in_vikno = world.register()
    url = reverse("workspace:dashboard")

    # then the supervisor's dashboard lists the first, linked to its panel on the card
    html = world.client("supervisor").get(url).content.decode()
    assert "Очікують відповіді поза системою (виконавець не має облікових записів)" in html
    assert f"#on-behalf-{world.main_assignment(waiting).pk}" in html
    assert in_vikno.number not in html
    # the analyst reads aggregates only
    assert waiting.number not in world.client("analyst").get(url).content.decode()
    # once recorded, it leaves the list
    world.client("operator").post(on_behalf_url(world, waiting), paper())
    assert waiting.number not in world.client("supervisor").get(url).content.decode()
