"""Open311 reads: discovery, services, service definitions, requests and tokens, each in JSON
(validated against the GeoReport v2 JSON Schemas) and XML (the spec's element names); the
status mapping; nothing personal in any answer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from vikno.api.open311.statuses import GEOREPORT_STATUS, appeal_statuses
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Appeal, Channel
from vikno.appeals.tests.factories import applicant_data, register
from vikno.core import clock

from .conftest import UZHHOROD_CITY
from .helpers import BASE, validate, xml

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]
PRIVATE_TEXT = "Сусід Петро Іваненко з вул. Ракоці, 12, кв. 5 не пускає слюсаря."


@pytest.fixture
def routed(world: Any, operator: Any) -> Appeal:
    """A named, routed appeal with a point, a typed address and personal data in its text."""
    return register(actor=operator, channel=Channel.HOTLINE, text=PRIVATE_TEXT,
                    applicant=applicant_data(last_name="Іваненко", first_name="Петро",
                                             phone="+380 67 765 43 21",
                                             email="petro.ivanenko@example.com"),
                    territory_code=UZHHOROD_CITY, location="вул. Ракоці, 12, кв. 5",
                    lat=Decimal("48.621456"), lon=Decimal("22.287654"))


def test_the_status_table_covers_every_appeal_status() -> None:
    assert set(GEOREPORT_STATUS) == set(AppealStatus)
    assert set(GEOREPORT_STATUS.values()) == {"open", "closed"}
    assert appeal_statuses("open") | appeal_statuses("closed") == {str(s) for s in AppealStatus}
    assert GEOREPORT_STATUS[AppealStatus.AWAITING_CONFIRMATION] == "open"
    assert GEOREPORT_STATUS[AppealStatus.FORWARDED] == "closed"


def test_discovery_names_the_v2_endpoint_in_both_formats(client: Any) -> None:
    data = client.get("/open311/discovery.json").json()
    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    root = xml(client.get("/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    assert {f.text for f in root.findall("endpoints/endpoint/formats/format")} == {
        "text/xml", "application/json"}


def test_services_are_the_active_subtopics_grouped_by_topic(world: Any, client: Any) -> None:
    data = client.get(f"{BASE}/services.json").json()
    validate("services.json", data)
    by_code = {s["service_code"]: s for s in data}
    assert set(by_code) == {"003.001", "009-HW", "009-RD", "024.001"}  # not the inactive one
    assert by_code["009-HW"] == {
        "service_code": "009-HW", "service_name": "Відсутність ГВП",
        "description": "Відсутність ГВП", "metadata": True, "type": "realtime",
        "keywords": "Комунальне господарство", "group": "Комунальне господарство"}
    assert by_code["024.001"]["metadata"] is False
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == list(by_code)
    assert root.find("service/metadata").text == "true"  # type: ignore[union-attr]


def test_a_service_definition_lists_its_attributes(world: Any, client: Any) -> None:
    data = client.get(f"{BASE}/services/003.001.json").json()
    validate("service-definition.json", data)
    assert data["service_code"] == "003.001"
    defect = data["attributes"][0]
    assert defect["code"] == "defect" and defect["datatype"] == "singlevaluelist"
    assert {"key": "pothole", "name": "Вибоїна або яма"} in defect["values"]
    root = xml(client.get(f"{BASE}/services/003.001.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/code") == "defect"
    assert root.findtext("attributes/attribute/values/value/key") == "pothole"
    none = client.get(f"{BASE}/services/024.001.json").json()
    validate("service-definition.json", none)
    assert none == {"service_code": "024.001", "attributes": []}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_inactive_service_is_not_found(world: Any, client: Any, fmt: str) -> None:
    for code in ("999.999", "009-OLD"):
        response = client.get(f"{BASE}/services/{code}.{fmt}")
        assert response.status_code == 404
        if fmt == "json":
            assert response.json()[0]["code"] == 404
        else:
            assert xml(response).findtext("error/code") == "404"


def test_a_request_reads_without_personal_data(routed: Appeal, client: Any) -> None:
    response = client.get(f"{BASE}/requests/{routed.number}.json")
    data = response.json()
    validate("requests.json", data)
    [item] = data
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == routed.number
    assert item["status"] == "open"
    assert item["service_code"] == "009-HW"
    assert item["description"] == "Відсутність ГВП"
    assert item["agency_responsible"] == "Берегівська міська рада"
    assert item["expected_datetime"].startswith(routed.due_date.isoformat())  # type: ignore[union-attr]
    assert item["address"] == "Ужгородська"
    assert (item["lat"], item["long"]) == (48.621, 22.288)  # about 100 m, not the house
    # every public read, in both formats
    body = "".join(client.get(url).content.decode() for fmt in ("json", "xml") for url in (
        f"{BASE}/requests/{routed.number}.{fmt}", f"{BASE}/requests.{fmt}",
        f"{BASE}/requests.{fmt}?service_request_id={routed.number}",
        f"{BASE}/services.{fmt}", f"{BASE}/services/009-HW.{fmt}", f"/open311/discovery.{fmt}"))
    assert body.count(routed.number) == 6
    for private in ("Іваненко", "Петро", "765", "petro.ivanenko", "Ракоці", "кв. 5", "48.621456",
                    "22.287654", PRIVATE_TEXT[:20]):
        assert private not in body


def test_requests_list_in_xml_has_the_spec_elements(routed: Appeal, client: Any) -> None:
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert request.findtext("service_request_id") == routed.number
    assert request.findtext("lat") == "48.621"
    assert "Іваненко" not in xml_text(root)


def xml_text(root: Any) -> str:
    return " ".join(root.itertext())


def test_requests_filter_by_status_service_dates_and_ids(routed: Appeal, world: Any,
                                                         operator: Any, client: Any) -> None:
    other = register(actor=operator, subtopic="009-RD", channel=Channel.HOTLINE)

    def ids(**params: Any) -> list[str]:
        data = client.get(f"{BASE}/requests.json", params).json()
        validate("requests.json", data) if data else None
        return [r["service_request_id"] for r in data]

    assert ids() == [other.number, routed.number]  # newest first
    assert ids(service_code="009-RD") == [other.number]
    assert ids(service_code="009-HW,009-RD") == [other.number, routed.number]
    assert ids(status="closed") == []
    assert ids(status="open") == [other.number, routed.number]
    assert ids(service_request_id=f"{routed.number}, nope") == [routed.number]
    now = clock.now()
    assert ids(start_date=(now + timedelta(minutes=1)).isoformat()) == []
    assert ids(end_date=(now - timedelta(days=1)).isoformat()) == []
    assert ids(start_date=(now - timedelta(days=2)).isoformat(),
               end_date=(now + timedelta(days=1)).isoformat()) == [other.number, routed.number]


def test_the_default_window_is_the_last_90_days(routed: Appeal, client: Any) -> None:
    Appeal.objects.filter(pk=routed.pk).update(received_at=clock.now() - timedelta(days=91))
    assert client.get(f"{BASE}/requests.json").json() == []
    assert len(client.get(f"{BASE}/requests.json",
                          {"service_request_id": routed.number}).json()) == 1


def test_a_closed_appeal_reads_closed(routed: Appeal, client: Any) -> None:
    Appeal.objects.filter(pk=routed.pk).update(status=AppealStatus.FORWARDED)
    [item] = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert item["status"] == "closed"
    assert item["service_notice"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_or_token_is_not_found(world: Any, client: Any, fmt: str) -> None:
    for url in (f"{BASE}/requests/ЗК-1999-000001.{fmt}",
                f"{BASE}/tokens/1b4e28ba-2fa1-11d2-883f-0016d3cca427.{fmt}",
                f"{BASE}/tokens/not-a-token.{fmt}"):
        response = client.get(url)
        assert response.status_code == 404
        if fmt == "xml":
            assert xml(response).tag == "errors"
        else:
            assert response.json()[0]["code"] == 404
