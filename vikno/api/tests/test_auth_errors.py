"""Keys, errors and rate limits: every refusal is JSON with a machine code, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from vikno.accounts.api_keys import api_key_revoke
from vikno.api.tests.conftest import registration
from vikno.appeals.models import Appeal
from vikno.appeals.tests.factories import footprint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("headers", [
    {},
    {"HTTP_AUTHORIZATION": "Bearer vk_00000000_wrong"},
    {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
    {"HTTP_AUTHORIZATION": "Bearer"},
    {"HTTP_X_API_KEY": "nonsense"},
])
def test_a_missing_or_wrong_key_is_401_json_and_writes_nothing(book, headers):
    # given
    before = footprint()

    # when
    response = APIClient().post("/api/v1/appeals/", registration(), format="json", **headers)

    # then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] in {"not_authenticated", "invalid_api_key"}
    assert response.json()["error"]["message"]
    assert footprint() == before


def test_a_revoked_key_is_refused_from_the_next_call(partner, api_for):
    key, raw = partner
    assert api_for(raw).get("/api/v1/appeals/").status_code == 200

    # when
    api_key_revoke(actor=None, key=key)

    # then
    response = api_for(raw).get("/api/v1/appeals/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_the_x_api_key_header_is_accepted(partner):
    _, raw = partner
    assert APIClient().get("/api/v1/appeals/", HTTP_X_API_KEY=raw).status_code == 200


def test_an_open311_key_does_not_open_the_rest_api(book, api_for):
    from vikno.directory.services import partner_create
    _, raw = partner_create(actor=None, name="Open311", scope="open311")
    assert api_for(raw).get("/api/v1/appeals/").status_code == 401


def test_serializer_errors_name_their_field_paths(partner, api_for):
    _, raw = partner
    body = registration(applicant={"first_name": "Тарас", "email": "not-an-address"},
                        questions=[{"summary": "без коду"}])

    response = api_for(raw).post("/api/v1/appeals/", body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"applicant.email", "questions.0.subtopic_code"}
    assert Appeal.objects.count() == 0


def test_domain_errors_carry_code_and_field_in_ukrainian_or_english(partner, api_for):
    _, raw = partner
    body = registration(questions=[{"subtopic_code": "999-NO"}])

    uk = api_for(raw).post("/api/v1/appeals/", body, format="json")
    en = api_for(raw).post("/api/v1/appeals/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert uk.status_code == en.status_code == 400
    assert uk.json()["error"]["code"] == en.json()["error"]["code"]
    assert list(uk.json()["error"]["fields"]) == list(en.json()["error"]["fields"])
    assert uk.json()["error"]["message"] != en.json()["error"]["message"]
    assert any("\u0400" <= ch <= "\u04ff" for ch in uk.json()["error"]["message"])
    assert en.json()["error"]["message"].startswith("Unknown topic")


def test_unknown_addresses_wrong_methods_and_media_types_answer_json(partner, api_for):
    _, raw = partner
    client = api_for(raw)

    missing = client.get("/api/v1/nothing-here/")
    wrong_method = client.delete("/api/v1/appeals/")
    wrong_type = client.post("/api/v1/appeals/", "text=1", content_type="text/plain")
    no_appeal = client.get("/api/v1/appeals/ЗК-2026-999999/")

    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (
        405, "method_not_allowed")
    assert (wrong_type.status_code, wrong_type.json()["error"]["code"]) == (
        415, "unsupported_media_type")
    assert no_appeal.status_code == 404 and no_appeal.json()["error"]["code"] == "not_found"


def test_the_rate_limit_is_per_key_and_answers_429_with_retry_after(partner, council_key,
                                                                    api_for, settings: Any):
    settings.VIKNO = {**settings.VIKNO, "API_RATE": "2/min"}
    _, raw = partner
    client = api_for(raw)

    statuses = [client.get("/api/v1/appeals/").status_code for _ in range(3)]
    other = api_for(council_key[1]).get("/api/v1/appeals/")

    assert statuses == [200, 200, 429]
    limited = client.get("/api/v1/appeals/")
    assert limited.json()["error"]["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert other.status_code == 200
