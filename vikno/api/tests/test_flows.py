"""The API end to end: a partner registers and reads back; an executor key accepts and answers;
idempotent retries; the change feed; access by key."""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from vikno.api.tests.conftest import registration
from vikno.appeals.models import Appeal, Assignment, Attachment
from vikno.appeals.tests.factories import footprint, letter
from vikno.audit import services as audit
from vikno.audit.models import AuditEvent
from vikno.core.models import IdempotentResponse

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def test_a_partner_registers_an_appeal_and_reads_it_back(partner, api_for):
    key, raw = partner
    client = api_for(raw)
    body = registration(attachments=[{"name": "scan.pdf",
                                      "content_base64": base64.b64encode(PDF).decode()}])

    # when
    created = client.post("/api/v1/appeals/", body, format="json")

    # then it is registered through the whole pipeline, by the key's account
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    appeal = Appeal.objects.get(number=number)
    assert appeal.channel == "api" and appeal.registered_by == key.account
    assert created.json()["status"] == appeal.status == "assigned"
    assert created.json()["due_date"] == appeal.due_date.isoformat()
    assert unquote(created["Location"]).endswith(f"/api/v1/appeals/{number}/")
    assert Attachment.objects.filter(appeal=appeal).count() == 1
    register = AuditEvent.objects.get(action="appeal.register", object_id=str(appeal.pk))
    assert register.actor_username == key.account.username

    # and reads it back: the card and its personal data (a recorded read), its history
    card = client.get(f"/api/v1/appeals/{number}/").json()
    assert card["applicant"]["last_name"] == "Шевченко"
    assert card["questions"][0]["subtopic_code"] == "009-HW"
    assert card["questions"][0]["assignments"][0]["authority_code"] == "ZAK-TG-BEREHOVE"
    assert AuditEvent.objects.filter(action="applicant.view", actor_id=key.account.pk).exists()
    history = client.get(f"/api/v1/appeals/{number}/history/").json()["history"]
    assert [h["to_status"] for h in history][-1] == "assigned"
    assert all("by" not in h for h in history)
    listed = client.get("/api/v1/appeals/", {"status": "assigned"}).json()
    assert [a["number"] for a in listed["results"]] == [number]


def test_a_multipart_registration_carries_files_through_the_attachment_checks(partner, api_for):
    _, raw = partner
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    refused = api_for(raw).post("/api/v1/appeals/", {"data": json.dumps(registration()),
                                                     "attachments": [fake]}, format="multipart")
    good = SimpleUploadedFile("scan.pdf", PDF, "application/pdf")
    accepted = api_for(raw).post("/api/v1/appeals/", {"data": json.dumps(registration()),
                                                      "attachments": [good]}, format="multipart")

    assert refused.status_code == 400 and "attachments" in refused.json()["error"]["fields"]
    assert accepted.status_code == 201
    assert Appeal.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_partner_sees_only_what_it_registered(partner, api_for, book):
    from vikno.directory.services import partner_create
    _, raw = partner
    _, other_raw = partner_create(actor=None, name="Інша CRM", scope="api")
    number = api_for(raw).post("/api/v1/appeals/", registration(), format="json").json()["number"]
    before = footprint()

    assert api_for(other_raw).get(f"/api/v1/appeals/{number}/").status_code == 404
    assert api_for(other_raw).get(f"/api/v1/appeals/{number}/history/").status_code == 404
    assert api_for(other_raw).get("/api/v1/appeals/").json()["results"] == []
    assert api_for(other_raw).get("/api/v1/changes/").json()["changes"] == []
    assert api_for(raw).get("/api/v1/assignments/").status_code == 403
    assert footprint() == before


def test_an_executor_key_accepts_and_answers_its_assignment(partner, council_key, api_for):
    key, raw = council_key
    number = api_for(partner[1]).post("/api/v1/appeals/", registration(),
                                      format="json").json()["number"]
    client = api_for(raw)

    # the authority's assignment is listed, and the appeal readable
    items = client.get("/api/v1/assignments/", {"status": "assigned"}).json()["results"]
    assert [i["appeal_number"] for i in items] == [number]
    pk = items[0]["id"]
    assert client.get(f"/api/v1/appeals/{number}/").status_code == 200

    # when
    accepted = client.post(f"/api/v1/assignments/{pk}/accept/")
    answered = client.post(f"/api/v1/assignments/{pk}/answer/",
                           {"result": "explained", "text": "Воду дали 2 грудня.",
                            **letter(outgoing_date=letter()["outgoing_date"].isoformat())},
                           format="json")

    # then
    assert accepted.status_code == 200 and accepted.json()["status"] == "in_work"
    assert answered.status_code == 200, answered.json()
    assert answered.json() | {} == {"id": pk, "status": "answered", "appeal_number": number,
                                    "appeal_status": "answered"}
    assert AuditEvent.objects.filter(action="reply.submit",
                                     actor_username=key.account.username).exists()
    card = api_for(partner[1]).get(f"/api/v1/appeals/{number}/").json()
    assert card["answers"][0]["result"] == "explained"
    assert card["answers"][0]["outgoing_number"] == "02-14/381"


def test_an_answer_missing_the_letter_is_refused_with_its_field(council_key, partner, api_for):
    api_for(partner[1]).post("/api/v1/appeals/", registration(), format="json")
    pk = Assignment.objects.get().pk
    before = footprint()

    response = api_for(council_key[1]).post(f"/api/v1/assignments/{pk}/answer/",
                                            {"result": "done", "text": "Зроблено"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "outgoing_number": response.json()["error"]["message"]}
    assert footprint() == before


def test_an_executor_key_returns_an_assignment_as_not_in_competence(council_key, partner,
                                                                    api_for):
    api_for(partner[1]).post("/api/v1/appeals/", registration(), format="json")
    pk = Assignment.objects.get().pk

    response = api_for(council_key[1]).post(f"/api/v1/assignments/{pk}/return/",
                                            {"reason": "Це питання водоканалу."}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert response.json()["appeal_status"] == "registered"


@pytest.mark.parametrize("action,body", [
    ("accept", {}),
    ("answer", {"result": "explained", "text": "x", "outgoing_number": "1",
                "signatory_name": "a", "signatory_position": "b"}),
    ("return", {"reason": "не наше"}),
])
def test_another_authority_s_assignment_is_not_found_and_unchanged(utility_key, partner, api_for,
                                                                   action, body):
    api_for(partner[1]).post("/api/v1/appeals/", registration(), format="json")
    pk = Assignment.objects.get().pk
    before = footprint()

    response = api_for(utility_key[1]).post(f"/api/v1/assignments/{pk}/{action}/", body,
                                            format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert footprint() == before
    assert api_for(utility_key[1]).get("/api/v1/assignments/").json()["results"] == []


def test_a_retried_registration_returns_the_first_response_and_registers_once(partner, api_for):
    _, raw = partner
    client = api_for(raw)

    first = client.post("/api/v1/appeals/", registration(), format="json",
                        HTTP_IDEMPOTENCY_KEY="order-17")
    again = client.post("/api/v1/appeals/", registration(), format="json",
                        HTTP_IDEMPOTENCY_KEY="order-17")
    other = client.post("/api/v1/appeals/", registration(), format="json",
                        HTTP_IDEMPOTENCY_KEY="order-18")

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert other.json()["number"] != first.json()["number"]
    assert Appeal.objects.count() == 2


def test_a_retried_accept_returns_the_first_response_and_a_changed_body_is_422(
        council_key, partner, api_for):
    api_for(partner[1]).post("/api/v1/appeals/", registration(), format="json")
    pk = Assignment.objects.get().pk
    client = api_for(council_key[1])

    first = client.post(f"/api/v1/assignments/{pk}/accept/", HTTP_IDEMPOTENCY_KEY="a-1")
    events = AuditEvent.objects.count()
    again = client.post(f"/api/v1/assignments/{pk}/accept/", HTTP_IDEMPOTENCY_KEY="a-1")
    reused = client.post(f"/api/v1/assignments/{pk}/return/", {"reason": "x"}, format="json",
                         HTTP_IDEMPOTENCY_KEY="a-1")
    without_key = client.post(f"/api/v1/assignments/{pk}/accept/")

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json()
    assert AuditEvent.objects.count() == events
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert without_key.status_code == 403  # accepted already: nothing more to accept
    stored = IdempotentResponse.objects.get()
    assert "Шевченко" not in str(stored.body)


def test_the_change_feed_pages_through_the_sealed_trail_without_losing_a_change(
        partner, council_key, api_for):
    client = api_for(partner[1])
    numbers = [client.post("/api/v1/appeals/", registration(), format="json").json()["number"]
               for _ in range(3)]
    audit.seal()

    # when the partner pages with a small limit
    seen, cursor = [], "0"
    for _ in range(20):
        page = client.get("/api/v1/changes/", {"cursor": cursor, "limit": 2}).json()
        seen += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break

    # then every change of its appeals comes once, in order
    assert [c["seq"] for c in seen] == sorted({c["seq"] for c in seen})
    assert {c["number"] for c in seen} == set(numbers)
    assert {"appeal.register", "appeal.assign"} <= {c["action"] for c in seen}

    # and a later change comes after the cursor
    pk = Assignment.objects.filter(question__appeal__number=numbers[0]).get().pk
    api_for(council_key[1]).post(f"/api/v1/assignments/{pk}/accept/")
    audit.seal()
    later = client.get("/api/v1/changes/", {"cursor": cursor}).json()["changes"]
    assert [(c["number"], c["action"]) for c in later] == [(numbers[0], "appeal.accept")]


def test_the_feed_s_small_windows_skip_nothing_and_wait_for_unsealed_events(partner, api_for):
    from vikno.appeals.selectors_partner import appeal_changes_for
    key, raw = partner
    client = api_for(raw)
    client.post("/api/v1/appeals/", registration(), format="json")
    audit.seal()
    expected = list(AuditEvent.objects.filter(object_type="appeals.appeal")
                    .order_by("seq").values_list("seq", flat=True))

    # when the feed is read three events of the trail at a time
    seen, cursor, more = [], 0, True
    while more:
        page = appeal_changes_for(user=key.account, after=cursor, window=3)
        seen += [c.seq for c in page.changes]
        assert page.cursor > cursor or not page.more
        cursor, more = page.cursor, page.more

    # then every change came once, in order, and the cursor stands at the trail's top
    assert seen == expected
    assert cursor == AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()


def test_a_point_on_the_map_is_kept_and_finds_no_hromada_outside_the_region(partner, api_for):
    body = registration(territory_code="", lat="48.208200", lon="16.373800",
                        location="Відень, Штефансплац")

    response = api_for(partner[1]).post("/api/v1/appeals/", body, format="json")
    half = api_for(partner[1]).post("/api/v1/appeals/", registration(lat="48.2"), format="json")

    assert response.status_code == 201, response.json()
    appeal = Appeal.objects.get(number=response.json()["number"])
    assert (str(appeal.lat), str(appeal.lon)) == ("48.208200", "16.373800")
    assert half.status_code == 400 and list(half.json()["error"]["fields"]) == ["lon"]


def test_a_point_in_a_hromada_routes_by_its_code(partner, api_for, monkeypatch):
    from vikno.api import appeals as api_appeals
    from vikno.appeals.tests.factories import HROMADA
    monkeypatch.setattr(api_appeals, "hromada_code_at", lambda lat, lon: HROMADA)
    body = registration(territory_code="", lat="48.207000", lon="22.644000")

    response = api_for(partner[1]).post("/api/v1/appeals/", body, format="json")

    assert response.status_code == 201, response.json()
    assert Appeal.objects.get(number=response.json()["number"]).territory.code == HROMADA
