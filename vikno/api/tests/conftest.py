"""Fixtures of the partner API's tests: the small rulebook, keys and a client that sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from vikno.appeals.tests.factories import Rulebook, rulebook
from vikno.directory.services import partner_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def book(db: Any) -> Rulebook:
    return rulebook()


@pytest.fixture
def api_for() -> Callable[[str], APIClient]:
    """`api_for(raw_key)`: a client that sends `Authorization: Bearer <raw_key>`."""

    def make(raw: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


@pytest.fixture
def partner(book: Rulebook) -> tuple[Any, str]:
    """An unbound key (a city's CRM): it registers appeals and reads those it registered."""
    return partner_create(actor=None, name="CRM міськради", scope="api")


@pytest.fixture
def council_key(book: Rulebook) -> tuple[Any, str]:
    """A key bound to the hromada council: routing sends communal questions there."""
    return partner_create(actor=None, name="СЕД міськради", scope="api",
                          authority_code=book.council.code)


@pytest.fixture
def utility_key(book: Rulebook) -> tuple[Any, str]:
    return partner_create(actor=None, name="Водоканал", scope="api",
                          authority_code=book.utility.code)


def registration(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "text": "У будинку третій день немає гарячої води.",
        "applicant": {"last_name": "Шевченко", "first_name": "Тарас",
                      "address": "вул. Мукачівська, 7", "email": "taras@example.com",
                      "phone": "+380501234567"},
        "questions": [{"subtopic_code": "009-HW"}],
        "territory_code": "UA21020010010072316",
    }
    body.update(overrides)
    return body
