"""Fixtures of the Open311 tests: the small rulebook, keys, a point in a loaded hromada."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from vikno.accounts.api_keys import api_key_issue, api_key_revoke
from vikno.appeals.tests.factories import Rulebook, rulebook
from vikno.directory.tests.factories import SubTopicFactory, TerritoryFactory, TopicFactory

UZHHOROD_CITY = "UA21100230000083101"  # its hromada's boundary holds the point below
POSHTOVA = (Decimal("48.620812"), Decimal("22.287934"))  # pl. Poshtova, Uzhhorod


@dataclass
class World:
    book: Rulebook
    key: str
    key_account: Any
    revoked: str
    other_scope: str


@pytest.fixture
def world(db: Any) -> World:
    book = rulebook()
    TerritoryFactory(code=UZHHOROD_CITY, parent=book.raion, name="Ужгородська")
    roads = TopicFactory(code="003", name="Транспорт і зв’язок")
    SubTopicFactory(topic=roads, code="003.001", name="Дороги і тротуари")
    SubTopicFactory(topic=TopicFactory(code="024", name="Інше"), code="024.001",
                    name="Інше питання")
    SubTopicFactory(topic=book.topic, code="009-OLD", name="Застаріле", is_active=False)
    key, raw = api_key_issue(actor=None, name="Міський застосунок", scope="open311")
    old, revoked = api_key_issue(actor=None, name="Старий застосунок", scope="open311")
    api_key_revoke(actor=None, key=old)
    _, other = api_key_issue(actor=None, name="Партнер REST", scope="api")
    return World(book=book, key=raw, key_account=key.account, revoked=revoked, other_scope=other)
