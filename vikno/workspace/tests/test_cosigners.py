"""Co-signers of a collective appeal (Classifier 5.2): typed in on the registration screen, listed
on the card, masked like the applicant for a viewer without the right to personal data (ст.10)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from vikno.appeals.models import Appeal, Applicant, Subject
from vikno.appeals.services import ApplicantData
from vikno.audit.models import AuditEvent
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_register import phone_call

PETRENKO = {"cosigner_1_last_name": "Петренко", "cosigner_1_first_name": "Олена",
            "cosigner_1_patronymic": "Іванівна", "cosigner_1_address": "вул. Садова, 5",
            "cosigner_1_phone": "067 111 22 33"}
# The third row: rows left empty in between are skipped.
BILAK = {"cosigner_3_last_name": "Білак", "cosigner_3_first_name": "Юрій"}


def test_the_screen_offers_five_cosigner_rows_in_a_closed_section(world: World) -> None:
    html = world.client("operator").get(reverse("workspace:register")).content.decode()

    assert '<details class="panel cosigners">' in html
    for row in range(1, 6):
        assert f'name="cosigner_{row}_last_name"' in html
        assert f'name="cosigner_{row}_phone"' in html
    assert 'name="cosigner_6_last_name"' not in html


def test_cosigners_make_the_appeal_collective(world: World) -> None:
    # when
    response = world.client("operator").post(reverse("workspace:register"),
                                             phone_call(**PETRENKO, **BILAK))

    # then
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.subject == Subject.COLLECTIVE
    assert appeal.applicant.last_name == "Коваль"
    cosigners = list(appeal.cosigners.order_by("pk").values_list(
        "last_name", "first_name", "patronymic", "address", "phone_digits"))
    assert cosigners == [("Петренко", "Олена", "Іванівна", "вул. Садова, 5", "380671112233"),
                         ("Білак", "Юрій", "", "", "")]


def test_without_cosigners_the_appeal_stays_individual(world: World) -> None:
    world.client("operator").post(reverse("workspace:register"), phone_call())

    assert Appeal.objects.get().subject == Subject.INDIVIDUAL


def test_a_cosigner_without_a_name_is_refused_at_its_row(world: World, message_in: Any) -> None:
    # given: the third row has only a phone
    data = phone_call(**PETRENKO, cosigner_3_phone="050 000 00 00")

    # when
    response = world.client("operator").post(reverse("workspace:register"), data)

    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors["cosigner_3_last_name"]
    assert 'id="id_cosigner_3_last_name_error"' in html
    assert message_in(html, "Enter the applicant's surname and name.")
    assert '<details class="panel cosigners" open>' in html
    assert 'value="Петренко"' in html
    assert Appeal.objects.count() == Applicant.objects.count() == 0


def test_an_anonymous_appeal_drops_the_cosigners(world: World) -> None:
    world.client("operator").post(reverse("workspace:register"),
                                  phone_call(anonymous="on", **PETRENKO))

    appeal = Appeal.objects.get()
    assert appeal.subject == Subject.ANONYMOUS
    assert appeal.cosigners.count() == 0
    assert Applicant.objects.count() == 0


def _collective(world: World, **kwargs: Any) -> Appeal:
    return world.register(cosigners=[
        ApplicantData(last_name="Петренко", first_name="Олена", patronymic="Іванівна",
                      phone="067 111 22 33", address="вул. Садова, 5"),
        ApplicantData(last_name="Білак", first_name="Юрій")], **kwargs)


def test_the_card_lists_the_cosigners_and_records_the_reads(world: World) -> None:
    # given
    appeal = _collective(world)
    events = AuditEvent.objects.count()

    # when
    html = world.client("operator").get(reverse("workspace:appeal_card",
                                                args=[appeal.number])).content.decode()

    # then
    assert "Петренко Олена Іванівна" in html and "067 111 22 33" in html
    assert "Білак Юрій" in html
    viewed = set(AuditEvent.objects.filter(seq__gt=events, action="applicant.view")
                 .values_list("object_id", flat=True))
    assert viewed == {str(a.pk) for a in [appeal.applicant, *appeal.cosigners.all()]}


def test_a_co_executor_sees_the_cosigners_masked_like_the_applicant(world: World) -> None:
    # given: the applicant asked for confidentiality; the other authority is a co-executor
    appeal = _collective(world, confidential=True, co=(world.other_authority.code,))
    events = AuditEvent.objects.count()

    # when
    html = world.client("other_executor").get(reverse("workspace:appeal_card",
                                                      args=[appeal.number])).content.decode()

    # then
    assert "Ш. Т. Г." in html  # the applicant
    assert "П. О. І." in html and "Б. Ю." in html
    for personal in ("Петренко", "Олена", "Білак", "067 111 22 33", "Садова"):
        assert personal not in html
    assert not AuditEvent.objects.filter(seq__gt=events, action="applicant.view").exists()
