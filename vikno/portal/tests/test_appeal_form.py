"""The e-appeal form: a citizen registers once, gets the number and the tracking code; every
kind of bad input is refused with a clear message and registers nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from shapely.geometry import shape

from vikno.appeals.models import Appeal, Channel, Notice
from vikno.appeals.tracking import code_hash, normalise
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.directory import geo
from vikno.directory.tests.factories import TerritoryFactory
from vikno.portal.tests.conftest import URL, appeal_post, stamp

pytestmark = pytest.mark.django_db


def test_the_form_needs_no_login(client: Any, book: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="consent"' in html and 'name="token"' in html and 'name="website"' in html
    assert "Електронне звернення" in html  # Ukrainian first


def test_a_citizen_registers_and_reads_the_number_and_code(client: Any, book: Any,
                                                           django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, appeal_post())
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    appeal = Appeal.objects.get()
    assert appeal.channel == Channel.WEB and appeal.applicant.last_name == "Гуцул"
    page = response.content.decode()
    assert appeal.number in page
    code = page.split('id="tracking-code" class="code">')[1].split("<")[0]
    assert len(normalise(code)) == 12 and code.count("-") == 2
    assert appeal.tracking_hash == code_hash(code)
    # shown once: nothing keeps it to be shown again
    assert normalise(code) not in normalise(str(dict(client.session)))
    # e-mailed after commit, and nowhere else
    assert len(callbacks) == 1 and len(mail.outbox) == 1
    assert code in mail.outbox[0].body and appeal.number in mail.outbox[0].subject
    assert mail.outbox[0].to == ["maria@example.com"]
    for event in AuditEvent.objects.all():
        assert normalise(code) not in normalise(str([event.before, event.after, event.object_label]))
    for notice in Notice.objects.all():
        assert normalise(code) not in normalise(str(notice.params))
    # the consent is kept as a fact with the registration's event
    registered = AuditEvent.objects.get(action=AuditAction.APPEAL_REGISTER)
    assert registered.after["personal_data_consent"] is True
    assert registered.actor_username == "applicant" and registered.actor_id is None


def test_no_email_no_mail_but_the_code_is_shown(client: Any, book: Any) -> None:
    response = client.post(URL, appeal_post(email="", phone="050 123 45 67"))
    assert Appeal.objects.count() == 1 and mail.outbox == []
    assert 'id="tracking-code"' in response.content.decode()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("last_name", "", "Це поле обов"),
    ("first_name", "", "Це поле обов"),
    ("address", "", "Це поле обов"),
    ("text", "", "Це поле обов"),
    ("subtopic", "", "Це поле обов"),
    ("subtopic", "999-XX", "Зробить коректний вибір"),
    ("email", "not-an-address", "електронної пошти"),
    ("kind", "pi", "Зробить коректний вибір"),
    ("settlement_code", "UA00000000000000000", "Виберіть населений пункт зі списку"),
])
def test_bad_fields_are_refused_and_nothing_is_registered(client: Any, book: Any, field: str,
                                                          value: str, message: str) -> None:
    response = client.post(URL, appeal_post(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Appeal.objects.count() == 0


def test_no_contact_for_the_answer_is_refused(client: Any, book: Any) -> None:
    response = client.post(URL, appeal_post(email="", phone=""))
    assert response.status_code == 400
    assert "адресу електронної пошти або номер телефону" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_no_consent_is_refused(client: Any, book: Any) -> None:
    data = appeal_post()
    del data["consent"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "згоди на обробку персональних даних" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_the_honeypot_filled_is_refused(client: Any, book: Any) -> None:
    response = client.post(URL, appeal_post(website="http://spam.example"))
    assert response.status_code == 400 and Appeal.objects.count() == 0


@pytest.mark.parametrize(("shown", "message"), [
    (lambda: stamp(seconds_ago=1), "надіслано надто швидко"),
    (lambda: stamp(seconds_ago=25 * 3600), "більше доби"),
    (lambda: "forged:stamp", "не вдалося перевірити"),
])
def test_the_time_check_refuses_too_fast_too_old_and_forged(client: Any, book: Any, shown: Any,
                                                            message: str) -> None:
    response = client.post(URL, appeal_post(shown=shown()))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Appeal.objects.count() == 0
    # the answers come back, with a new moment, so a person can simply send again
    assert "Гуцул" in response.content.decode()


@override_settings(PORTAL_RATES={"submit": "2/h"})
def test_the_rate_limit_per_address_answers_429_in_ukrainian(client: Any, book: Any) -> None:
    for _ in range(3):  # searching for a settlement is no submission
        assert client.post(URL, appeal_post(find="1", settlement_q="Бер")).status_code == 200
    for token in ("00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"):
        assert client.post(URL, appeal_post(token=token)).status_code == 200
    response = client.post(URL, appeal_post(token="00000000-0000-4000-8000-000000000003"))
    assert response.status_code == 429
    assert "Забагато" in response.content.decode()
    assert Appeal.objects.count() == 2
    # another address is not limited
    other = client.post(URL, appeal_post(token="00000000-0000-4000-8000-000000000004"),
                        REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def _file(name: str, data: bytes, content_type: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    return SimpleUploadedFile(name, data, content_type=content_type)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_attachment_is_stored_through_the_service_checks(client: Any, book: Any) -> None:
    response = client.post(URL, appeal_post(attachments=_file("lyst.pdf", PDF, "application/pdf")))
    assert response.status_code == 200
    assert Appeal.objects.get().attachments.count() == 1


@override_settings(VIKNO={"NUMBER_PREFIX": "ZK", "ATTACHMENT_MAX_BYTES": 20})
def test_an_oversized_attachment_is_refused(client: Any, book: Any) -> None:
    response = client.post(URL, appeal_post(attachments=_file("lyst.pdf", PDF, "application/pdf")))
    assert response.status_code == 400
    assert "завеликий" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_a_disguised_attachment_is_refused(client: Any, book: Any) -> None:
    response = client.post(URL, appeal_post(
        attachments=_file("photo.pdf", b"MZ\x90\x00 an executable", "application/pdf")))
    assert response.status_code == 400
    assert "Вміст файлу «photo.pdf»" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_a_replayed_submission_registers_once(client: Any, book: Any) -> None:
    first = client.post(URL, appeal_post())
    again = client.post(URL, appeal_post())
    assert first.status_code == again.status_code == 200
    assert Appeal.objects.count() == 1
    page = again.content.decode()
    assert Appeal.objects.get().number in page and 'id="tracking-code"' not in page


def test_a_complaint_names_the_body_complained_of(client: Any, book: Any) -> None:
    refused = client.post(URL, appeal_post(kind="3.3"))
    assert refused.status_code == 400 and Appeal.objects.count() == 0
    response = client.post(URL, appeal_post(kind="3.3", contested_authority_code="ZAK-WATER"))
    assert response.status_code == 200
    assert Appeal.objects.get().contested_authority == book.utility


def test_a_body_is_ignored_unless_a_complaint(client: Any, book: Any) -> None:
    client.post(URL, appeal_post(contested_authority_code="ZAK-WATER"))
    assert Appeal.objects.get().contested_authority is None


def test_the_settlement_search_works_without_javascript(client: Any, book: Any) -> None:
    response = client.post(URL, appeal_post(find="1", settlement_q="Бать"))
    assert response.status_code == 200
    assert f'value="{book.other_village.code}"' in response.content.decode()
    assert Appeal.objects.count() == 0
    picked = client.post(URL, appeal_post(settlement_code=book.other_village.code))
    assert picked.status_code == 200
    assert Appeal.objects.get().territory == book.other_village


def test_the_settlement_lookup_for_htmx(client: Any, book: Any) -> None:
    response = client.get("/portal/settlements/", {"settlement_q": "Берег"})
    assert response.status_code == 200
    assert book.village.code in response.content.decode()


def test_a_point_on_the_map_finds_its_hromada_when_no_settlement_is_picked(client: Any,
                                                                           book: Any) -> None:
    boundaries = geo._boundaries()
    code, polygon = boundaries.codes[0], boundaries.shapes[0]
    point = polygon.representative_point()
    hromada = TerritoryFactory(code=code, parent=book.raion, name="Громада на мапі")
    response = client.post(URL, appeal_post(lat=f"{point.y:.6f}", lon=f"{point.x:.6f}"))
    assert response.status_code == 200
    appeal = Appeal.objects.get()
    assert appeal.territory == hromada and appeal.lat is not None
    assert shape  # shapely is what geo uses


def test_a_picked_settlement_wins_over_the_point(client: Any, book: Any) -> None:
    client.post(URL, appeal_post(settlement_code=book.village.code, lat="48.2", lon="22.6"))
    assert Appeal.objects.get().territory == book.village


def test_the_language_switch_gives_english(client: Any, book: Any) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert "Electronic appeal" in html and 'lang="en"' in html
