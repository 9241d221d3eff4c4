"""A public GeoReport v2 client, used unchanged against the live server: the `georeport` package
(PyPI) reads services, definitions and requests in JSON and XML. It cannot submit (its authors
say so), so the POST is made as any client makes it: a form-encoded `requests` post."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from georeport import GeoReport

from .helpers import form


@pytest.fixture
def served(world: Any, live_server: Any) -> tuple[Any, str]:
    return world, f"{live_server.url}/open311/v2"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_georeport_client_reads_what_a_form_post_registered(served: tuple[Any, str],
                                                                output_format: str) -> None:
    world, root = served
    # given a request posted as a standard client posts it
    posted = requests.post(f"{root}/requests.json", data=form(world.key), timeout=30)
    assert posted.status_code == 200
    number = posted.json()[0]["service_request_id"]
    token = posted.json()[0]["token"]
    assert requests.get(f"{root}/tokens/{token}.xml", timeout=30).status_code == 200
    client = GeoReport(root, jurisdiction="zakarpattia", output_format=output_format)
    # when the client reads the services, a definition and the requests
    services = client.get_service_list()
    definition = client.get_service_definition("009-HW")
    found = client.get_service_requests(service_code="009-HW", status="closed")
    one = client.get_service_request(number)
    # then it understands every answer
    assert "009-HW" in [s["service_code"] for s in services]
    attributes = definition["attributes"]
    codes = ([a["code"] for a in attributes] if output_format == "json"
             else [a["code"] for a in attributes["attribute"]])
    assert codes == ["since", "households"]
    found = found if isinstance(found, list) else [found]  # xmltodict: one child is a dict
    assert [r["service_request_id"] for r in found] == [number]
    assert one["service_request_id"] == number
    assert one["service_name"] == "Відсутність ГВП"
