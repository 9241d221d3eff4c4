"""The logs are JSON, one object a line, and carry no personal data: the configured handler
(settings.LOGGING) is read back after real requests and after records made to leak on purpose."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from vikno.core.logging import REDACTED, PersonalDataFilter, strip_query
from vikno.workspace.tests.conftest import World

PERSONAL = ("Шевченко", "Тарас", "050 123 45 67", "0501234567", "вул. Миру", "taras@example.com",
            "Немає гарячої води")


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the project's own log handler writes, in place of stderr."""
    handler = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, PersonalDataFilter) for f in h.filters))
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    previous = handler.setStream(output)
    try:
        yield output
    finally:
        handler.setStream(previous)


def lines(output: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.getvalue().splitlines() if line.strip()]


def test_requests_are_logged_as_json_without_query_strings_or_bodies(
        world: World, log_output: io.StringIO) -> None:
    # given
    operator = world.client("operator")

    # when: a search by name, a form full of an applicant's data, a page that is not there
    operator.get(reverse("workspace:queue"), {"q": "Шевченко Тарас"})
    operator.post(reverse("workspace:register"), {
        "last_name": "Шевченко", "first_name": "Тарас", "phone": "0501234567",
        "email": "taras@example.com", "address": "вул. Миру, 1", "text": "Немає гарячої води"})
    operator.get("/nowhere/", {"q": "Шевченко"})

    # then: every line is a JSON object, the access log names the views, nothing personal
    records = lines(log_output)
    access = [r for r in records if r["logger"] == "vikno.access"]
    assert [(r["method"], r["route"]) for r in access] == [
        ("GET", "workspace:queue"), ("POST", "workspace:register"), ("GET", "<unresolved>")]
    assert all({"time", "level", "status", "duration_ms"} <= r.keys() for r in access)
    assert any(r["logger"] == "django.request" and r["message"] == "Not Found: /nowhere/"
               for r in records)
    text = log_output.getvalue()
    assert not [word for word in PERSONAL if word in text]
    assert "?q=" not in text and "%D0" not in text


def test_a_record_made_to_leak_is_cleaned(log_output: io.StringIO) -> None:
    # given: a record as Django's request logging makes it, plus extra fields by mistake
    request = RequestFactory().get("/appeals/", {"q": "Шевченко"})
    logger = logging.getLogger("vikno.test")

    # when
    logger.warning("Slow search: %s", "/appeals/?q=%D0%A8%D0%B5",
                   extra={"request": request, "last_name": "Шевченко", "applicant_phone":
                          "050 123 45 67", "text": "Немає гарячої води", "appeal_id": 42})

    # then
    [record] = [r for r in lines(log_output) if r["logger"] == "vikno.test"]
    assert record["message"] == "Slow search: /appeals/"
    assert record["method"] == "GET"
    assert record["last_name"] == record["applicant_phone"] == record["text"] == REDACTED
    assert record["appeal_id"] == 42
    assert "request" not in record
    assert not [word for word in PERSONAL if word in log_output.getvalue()]


def test_strip_query_keeps_the_path() -> None:
    assert strip_query("GET /appeals/?q=x&page=2 done") == "GET /appeals/ done"
    assert strip_query("no query here") == "no query here"
