"""POST requests: a GeoReport form registers one appeal through appeal_register as the key's
account; a retry registers nothing; every kind of bad input gets the spec's error and leaves
the database as it was."""

from __future__ import annotations

from typing import Any

import pytest

from vikno.appeals.models import Appeal, Applicant, Channel, NotConsideredReason
from vikno.appeals.tests.factories import footprint
from vikno.audit.models import AuditEvent

from .conftest import UZHHOROD_CITY
from .helpers import BASE, form, post, validate, xml


def test_a_post_registers_an_open311_appeal_and_its_token_resolves(world: Any,
                                                                   client: Any) -> None:
    # given a form with a point in Uzhhorod, a name, contacts and an attribute answer
    fields = form(world.key, **{"attribute[households]": "12",
                                "media_url": "https://example.com/p/1.jpg"})
    # when it is posted
    response = post(client, **fields)
    # then one appeal is registered by the key's account, on the point's hromada
    assert response.status_code == 200
    data = response.json()
    validate("swagger.json#RequestResponse", data)
    [answer] = data
    appeal = Appeal.objects.get(number=answer["service_request_id"])
    assert appeal.channel == Channel.OPEN311
    assert appeal.registered_by == world.key_account
    assert appeal.territory_id == UZHHOROD_CITY
    assert appeal.questions.get().subtopic.code == "009-HW"
    assert "Третій день немає гарячої води" in appeal.text
    assert "Скільки будинків або квартир зачеплено: 12" in appeal.text
    assert "https://example.com/p/1.jpg" in appeal.text
    applicant = Applicant.objects.get(pk=appeal.applicant_id)
    assert (applicant.last_name, applicant.first_name) == ("Шевченко", "Тарас")
    assert applicant.email == "taras@example.com"
    assert AuditEvent.objects.filter(action="appeal.register", actor_id=world.key_account.pk,
                                     actor_username=world.key_account.username).exists()
    # ст.8: an electronic appeal without the place of residence is anonymous, not considered
    assert appeal.not_considered_reason == NotConsideredReason.ANONYMOUS
    assert answer["account_id"] == "acc-7"
    # and its token resolves to its number, in both formats
    token = client.get(f"{BASE}/tokens/{answer['token']}.json").json()
    validate("swagger.json#TokenResponse", token)
    assert token == [{"service_request_id": appeal.number, "token": answer["token"]}]
    root = xml(client.get(f"{BASE}/tokens/{answer['token']}.xml"))
    assert root.findtext("request/service_request_id") == appeal.number
    # and the request reads back
    [item] = client.get(f"{BASE}/requests/{appeal.number}.json").json()
    assert item["service_code"] == "009-HW" and item["status"] == "closed"


def test_a_post_in_xml_answers_in_xml(world: Any, client: Any) -> None:
    root = xml(post(client, "xml", **form(world.key, first_name=None, last_name=None,
                                           email=None, phone=None)))
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert Appeal.objects.get(number=number).applicant_id is None  # anonymous
    assert root.findtext("request/token")


def test_a_replayed_post_registers_nothing_and_answers_the_same(world: Any,
                                                                client: Any) -> None:
    first = post(client, **form(world.key)).json()
    before = footprint()
    again = post(client, **form(world.key)).json()
    assert again == first
    assert footprint() == before
    # another device's submission of the same content is another appeal
    other = post(client, **form(world.key, device_id="dev-2")).json()
    assert other[0]["service_request_id"] != first[0]["service_request_id"]


def test_an_address_id_routes_like_a_picked_territory(world: Any, client: Any) -> None:
    response = post(client, **form(world.key, lat=None, long=None,
                                   address_id=world.book.village.code,
                                   address_string="вул. Мукачівська, 7"))
    appeal = Appeal.objects.get(number=response.json()[0]["service_request_id"])
    assert appeal.territory_id == world.book.village.code
    assert appeal.location == "вул. Мукачівська, 7"


def test_a_point_outside_the_region_routes_by_its_topic(world: Any, client: Any) -> None:
    response = post(client, **form(world.key, lat="50.4501", long="30.5234"))
    assert response.status_code == 200
    assert Appeal.objects.get(number=response.json()[0]["service_request_id"]).territory_id is None


BAD = [
    ({"api_key": None}, 403),
    ({"api_key": "vk_deadbeef_wrong"}, 403),
    ({"service_code": None}, 400),
    ({"service_code": "999.999"}, 404),
    ({"service_code": "009-OLD"}, 404),
    ({"lat": None, "long": None}, 400),
    ({"long": None}, 400),
    ({"lat": "NaN"}, 400),
    ({"lat": "Infinity"}, 400),
    ({"lat": "91"}, 400),
    ({"long": "-180.5"}, 400),
    ({"lat": "сорок вісім"}, 400),
    ({"lat": "1e999999"}, 400),
    ({"jurisdiction_id": "kyiv"}, 404),
    ({"description": "я" * 4001}, 400),
    ({"first_name": "Т" * 101}, 400),
    ({"address_string": "в" * 301}, 400),
    ({"email": "not-an-address"}, 400),
    ({"media_url": "javascript:alert(1)"}, 400),
    ({"address_id": "UA99999999999999999", "lat": None, "long": None}, 400),
    ({"attribute[households]": "багато"}, 400),
    ({"attribute[since]": "0001-13-45T99:00"}, 400),
    ({"service_code": "003.001", "attribute[defect]": "volcano"}, 400),
    ({"first_name": None, "email": None, "phone": None}, 400),  # a surname alone: the domain refuses
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("overrides, status", BAD)
def test_bad_input_gets_the_spec_error_and_changes_nothing(world: Any, client: Any, fmt: str,
                                                           overrides: dict[str, Any],
                                                           status: int) -> None:
    before = footprint()
    response = post(client, fmt, **form(world.key, **overrides))
    assert response.status_code == status
    if fmt == "json":
        [error] = response.json()
        assert error["code"] == status and error["description"]
    else:
        root = xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == str(status)
        assert root.findtext("error/description")
    assert footprint() == before


@pytest.mark.parametrize("which", ["revoked", "other_scope"])
def test_a_revoked_key_or_another_scope_is_refused(world: Any, client: Any, which: str) -> None:
    before = footprint()
    response = post(client, **form(getattr(world, which)))
    assert response.status_code == 403
    assert footprint() == before


@pytest.mark.parametrize("params", [
    {"start_date": "0001-01-01T00:00:00Z"},
    {"end_date": "0001-01-01T00:00:00+02:00"},
    {"start_date": "9999-12-31T23:59:59Z"},
    {"start_date": "yesterday"},
    {"start_date": "2026-02-30T00:00:00Z"},
    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
    {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
    {"status": "pending"},
    {"service_request_id": ",".join(["x"] * 1001)},
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_get_400(world: Any, client: Any, params: dict[str, str], fmt: str) -> None:
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    if fmt == "xml":
        assert xml(response).findtext("error/code") == "400"
    else:
        assert response.json()[0]["code"] == 400


@pytest.mark.parametrize("url", ["/open311/discovery.json", f"{BASE}/services.xml",
                                 f"{BASE}/services/009-HW.json", f"{BASE}/requests.json",
                                 f"{BASE}/tokens/x.xml", f"{BASE}/requests/x.json"])
def test_unknown_formats_methods_and_jurisdictions(world: Any, client: Any, url: str) -> None:
    assert client.get(url.rsplit(".", 1)[0] + ".html").status_code == 404
    assert client.get(url, {"jurisdiction_id": "kyiv"}).status_code == 404
    if not url.endswith("requests.json"):
        before = footprint()
        assert client.post(url, form(world.key)).status_code == 405
        assert footprint() == before
    assert client.get(url, {"jurisdiction_id": "zakarpattia"}).status_code in (200, 404)


def test_an_echoed_field_is_escaped_in_xml(world: Any, client: Any) -> None:
    root = xml(post(client, "xml", **form(world.key, account_id="a&b<c>\x01\"'")))
    assert root.findtext("request/account_id") == "a&b<c>\"'"
