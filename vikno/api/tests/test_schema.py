"""The OpenAPI schema is valid, and the app honours it: a property-based run over every
operation (schemathesis, in-process WSGI) finds no server error."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


def test_the_schema_is_valid_and_generates_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
                 stdout=out)
    assert '"/api/v1/appeals/"' in out.getvalue()
    assert '"/api/v1/changes/"' in out.getvalue()


@pytest.fixture
def test_connection_kept(key_headers: dict[str, str]) -> Iterator[None]:
    """Django closes a connection inside a transaction at each request's start and end; the test
    client stops that around its own requests (and connects it again after), and so must the
    bare WSGI app here, or on PostgreSQL the test's own transaction would go with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def key_headers(council_key: tuple[Any, str], partner: tuple[Any, str]) -> dict[str, str]:
    """An executor key, with one appeal of its authority to act on."""
    from rest_framework.test import APIClient

    from vikno.api.tests.conftest import registration
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {partner[1]}")
    client.post("/api/v1/appeals/", registration(), format="json")
    return {"Authorization": f"Bearer {council_key[1]}"}


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case: Any, key_headers: dict[str, str],
                                             test_connection_kept: None) -> None:
    response = case.call(headers=key_headers)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"]
    assert str(content_type[0] if isinstance(content_type, list) else content_type).startswith(
        "application/json")
