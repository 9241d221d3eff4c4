"""Attachments on the staff pages: files sent with the registration form (multipart, one
transaction with the appeal), the upload form on the card for the centre and for the executor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from vikno.appeals import services
from vikno.appeals.models import Appeal, Applicant, Attachment, RegistrationCounter
from vikno.audit.models import AuditEvent
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_register import phone_call

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def pdf(name: str = "лист.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "фото.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def card_url(appeal: Appeal, action: str = "") -> str:
    return reverse(f"workspace:appeal_{action}" if action else "workspace:appeal_card",
                   args=[appeal.number])


def test_the_registration_form_sends_files(world: World) -> None:
    html = world.client("operator").get(reverse("workspace:register")).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="attachments"' in html
    assert " multiple" in html
    assert 'hx-params="not attachments"' in html  # the live panel never uploads them


def test_operator_registers_an_appeal_with_its_scans(world: World, media: Path) -> None:
    # when
    response = world.client("operator").post(
        reverse("workspace:register"),
        phone_call(attachments=[pdf("скан листа.pdf"), png("фото ями.png")]), follow=True)

    # then
    appeal = Appeal.objects.get()
    assert response.redirect_chain[-1][0] == card_url(appeal)
    assert sorted(appeal.attachments.values_list("original_name", "content_type")) == [
        ("скан листа.pdf", "application/pdf"), ("фото ями.png", "image/png")]
    assert len(stored_files(media)) == 2
    html = response.content.decode()
    assert "скан листа.pdf" in html and "PDF" in html and "PNG" in html
    download = reverse("workspace:attachment_download",
                       args=[appeal.number, appeal.attachments.get(content_type="image/png").pk])
    assert download in html


def test_a_refused_file_refuses_the_whole_registration(world: World, media: Path,
                                                       message_in: Any) -> None:
    # given: the second file is a PNG named as a PDF
    events = AuditEvent.objects.count()

    # when
    response = world.client("operator").post(
        reverse("workspace:register"),
        phone_call(attachments=[png(), png("скан.pdf", PNG + b"!")]))

    # then: the message stands at the field, the form is kept, nothing is saved
    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors["attachments"]
    assert 'id="id_attachments_error"' in html
    assert message_in(html, "The content of the file “%(name)s” is not %(type)s, as its name says. "
                            "Save it again in that format, or as PDF.", name="скан.pdf", type="PDF")
    assert message_in(html, "The files chosen before were not kept: choose them again.")
    assert "Третій день немає гарячої води" in html
    assert Appeal.objects.count() == Applicant.objects.count() == Attachment.objects.count() == 0
    assert RegistrationCounter.objects.filter(last__gt=0).count() == 0
    assert AuditEvent.objects.count() == events
    assert stored_files(media) == []


def test_a_registration_without_files_still_works(world: World) -> None:
    response = world.client("operator").post(reverse("workspace:register"), phone_call())

    assert response.status_code == 302
    assert Appeal.objects.get().attachments.count() == 0


def test_operator_attaches_a_file_on_the_card(world: World, media: Path) -> None:
    # given
    appeal = world.register()
    client = world.client("operator")
    card = client.get(card_url(appeal)).content.decode()

    # when
    response = client.post(card_url(appeal, "attach"), {"attachments": [pdf()]}, follow=True)

    # then
    assert f'action="{card_url(appeal, "attach")}" enctype="multipart/form-data"' in card
    attachment = appeal.attachments.get()
    assert attachment.uploaded_by == world.users["operator"]
    assert "лист.pdf" in response.content.decode()
    with translation.override("uk"):
        expected = ngettext("%(n)d file is attached.", "%(n)d files are attached.", 1) % {"n": 1}
    assert [str(m) for m in response.context["messages"]] == [expected]
    assert len(stored_files(media)) == 1


def test_a_duplicate_upload_is_refused_on_the_card(world: World, media: Path,
                                                   message_in: Any) -> None:
    # given
    appeal = world.register()
    client = world.client("supervisor")
    client.post(card_url(appeal, "attach"), {"attachments": [pdf()]})
    events = AuditEvent.objects.count()

    # when
    response = client.post(card_url(appeal, "attach"), {"attachments": [pdf("копія.pdf")]})

    # then
    html = response.content.decode()
    assert response.status_code == 409
    assert message_in(html, "The file “%(name)s” is already attached to this appeal.",
                      name="копія.pdf")
    assert '<details class="action" open id="action-attach">' in html
    assert appeal.attachments.count() == 1
    assert len(stored_files(media)) == 1
    # the refused upload wrote nothing; re-showing the card records only the applicant's view
    assert set(AuditEvent.objects.filter(seq__gt=events).values_list("action", flat=True)) <= {
        "applicant.view"}


def test_an_upload_without_files_asks_for_them(world: World, message_in: Any) -> None:
    appeal = world.register()

    response = world.client("operator").post(card_url(appeal, "attach"), {})

    assert response.status_code == 400
    assert message_in(response.content.decode(), "Choose the files to attach.")
    assert Attachment.objects.count() == 0


def test_a_closed_appeal_shows_no_upload_form(world: World) -> None:
    appeal = world.closed()

    html = world.client("supervisor").get(card_url(appeal)).content.decode()

    assert card_url(appeal, "attach") not in html


def test_the_executor_attaches_reply_documents_to_its_assignment(world: World,
                                                                media: Path) -> None:
    # given
    appeal = world.register()
    assignment = world.main_assignment(appeal)
    client = world.client("executor")
    url = reverse("workspace:assignment_attach", args=[assignment.pk])
    card = client.get(card_url(appeal)).content.decode()

    # when
    response = client.post(url, {"attachments": [pdf("відповідь.pdf")]})

    # then
    assert f'action="{url}" enctype="multipart/form-data"' in card
    assert card_url(appeal, "attach") not in card  # the centre's form is not the executor's
    assert response["Location"] == card_url(appeal)
    assert appeal.attachments.get().uploaded_by == world.users["executor"]
    assert len(stored_files(media)) == 1


def test_the_executor_may_not_attach_once_it_answered(world: World, media: Path) -> None:
    appeal = world.answered()
    assignment = world.main_assignment(appeal)

    response = world.client("executor").post(
        reverse("workspace:assignment_attach", args=[assignment.pk]), {"attachments": [pdf()]})

    assert response.status_code == 403
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_a_viewer_without_personal_data_sees_no_file_names(world: World) -> None:
    # given: a confidential applicant whose name is the file's name; B is a co-executor
    appeal = world.register(confidential=True, co=(world.other_authority.code,))
    services.attachment_add(actor=world.users["operator"], appeal=appeal,
                            name="Шевченко_заява.pdf", content=PDF)

    # when
    co_html = world.client("other_executor").get(card_url(appeal)).content.decode()
    main_html = world.client("executor").get(card_url(appeal)).content.decode()

    # then
    assert "Шевченко_заява.pdf" not in co_html
    assert "attachments/" not in co_html  # no download link either
    assert "PDF" in co_html
    assert "Шевченко_заява.pdf" in main_html
