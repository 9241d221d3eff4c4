"""The partner API's authorisation matrix: every operation × every kind of caller. A refusal
(401, 403, 404) changes nothing; every URL name of the API has a case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from vikno.accounts.api_keys import api_key_revoke
from vikno.accounts.roles import Role
from vikno.accounts.tests.factories import UserFactory, session_for
from vikno.api.tests.conftest import registration
from vikno.appeals.models import Assignment
from vikno.appeals.tests.factories import footprint, letter
from vikno.core.models import IdempotentResponse
from vikno.directory.services import partner_create

pytestmark = pytest.mark.django_db

CALLERS = ("no_key", "revoked", "staff_session", "owner", "other_partner", "executor",
           "other_executor")
DENIED_ALL = {"no_key": 401, "revoked": 401, "staff_session": 401}


def expect(**by_caller: int) -> dict[str, int]:
    return DENIED_ALL | by_caller


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[dict[str, Any]], str]
    expected: dict[str, int]
    body: dict[str, Any] | None = None


def answer_body() -> dict[str, Any]:
    return {"result": "explained", "text": "Пояснено.",
            **letter(outgoing_date=letter()["outgoing_date"].isoformat())}


def assignment_url(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda o: reverse(name, args=[o["assignment"]])


CASES = [
    Case("list", "GET", lambda o: reverse("api:appeals"),
         expect(owner=200, other_partner=200, executor=200, other_executor=200)),
    Case("register", "POST", lambda o: reverse("api:appeals"),
         expect(owner=201, other_partner=201, executor=201, other_executor=201),
         body=registration()),
    Case("read", "GET", lambda o: reverse("api:appeal", args=[o["number"]]),
         expect(owner=200, other_partner=404, executor=200, other_executor=404)),
    Case("history", "GET", lambda o: reverse("api:appeal_history", args=[o["number"]]),
         expect(owner=200, other_partner=404, executor=200, other_executor=404)),
    Case("assignments", "GET", lambda o: reverse("api:assignments"),
         expect(owner=403, other_partner=403, executor=200, other_executor=200)),
    Case("accept", "POST", assignment_url("api:assignment_accept"),
         expect(owner=403, other_partner=403, executor=200, other_executor=404)),
    Case("answer", "POST", assignment_url("api:assignment_answer"),
         expect(owner=403, other_partner=403, executor=200, other_executor=404),
         body=answer_body()),
    Case("return", "POST", assignment_url("api:assignment_return"),
         expect(owner=403, other_partner=403, executor=200, other_executor=404),
         body={"reason": "Не належить до повноважень."}),
    Case("changes", "GET", lambda o: reverse("api:changes"),
         expect(owner=200, other_partner=200, executor=200, other_executor=200)),
    Case("schema", "GET", lambda o: reverse("api:schema"),
         {c: 200 for c in CALLERS}),
    Case("docs", "GET", lambda o: reverse("api:docs"), {c: 200 for c in CALLERS}),
]


@pytest.fixture
def world(book: Any) -> dict[str, Any]:
    _, owner_raw = partner_create(actor=None, name="CRM", scope="api")
    revoked, revoked_raw = partner_create(actor=None, name="Стара CRM", scope="api")
    api_key_revoke(actor=None, key=revoked)
    keys = {
        "owner": owner_raw, "revoked": revoked_raw,
        "other_partner": partner_create(actor=None, name="Інша CRM", scope="api")[1],
        "executor": partner_create(actor=None, name="СЕД ради", scope="api",
                                   authority_code=book.council.code)[1],
        "other_executor": partner_create(actor=None, name="Водоканал", scope="api",
                                         authority_code=book.utility.code)[1],
    }
    owner_client = APIClient()
    owner_client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_raw}")
    number = owner_client.post("/api/v1/appeals/", registration(), format="json").json()["number"]
    return {"keys": keys, "number": number, "assignment": Assignment.objects.get().pk}


def client_of(world: dict[str, Any], caller: str) -> Any:
    if caller == "staff_session":
        return session_for(UserFactory(role=Role.SUPERVISOR))
    client = APIClient()
    if caller in world["keys"]:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['keys'][caller]}")
    return client


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_api_access_matrix(world: dict[str, Any], case: Case, caller: str) -> None:
    # given
    client = client_of(world, caller)
    url = case.url(world)
    before = (footprint(), IdempotentResponse.objects.count())

    # when
    if case.method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, case.body or {}, content_type="application/json")

    # then
    assert response.status_code == case.expected[caller], response.content[:500]
    if response.status_code >= 400:
        assert response.json()["error"]["code"]
        assert (footprint(), IdempotentResponse.objects.count()) == before


def test_every_operation_of_the_api_is_in_the_matrix() -> None:
    # given: the names from the API's URLconf, not a list kept by hand
    served = _api_names()

    # when
    covered = {_name_of(case) for case in CASES}

    # then: a new operation without a case fails here
    assert "api:appeals" in served and served - covered == set()


def _api_names() -> set[str]:
    from vikno.api import urls
    return {f"api:{p.name}" for p in urls.urlpatterns if p.name}


def _name_of(case: Case) -> str:
    stand_in = {"number": "ЗК-2026-000001", "assignment": 1}
    return resolve(case.url(stand_in)).view_name
