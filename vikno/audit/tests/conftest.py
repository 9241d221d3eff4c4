from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.audit.services import record


@pytest.fixture
def chain(db: Any) -> Callable[[int], list[AuditEvent]]:
    """`chain(n)` appends n system events and returns them in order."""

    def make(count: int) -> list[AuditEvent]:
        return [
            record(actor=None, action=AuditAction.DEADLINE_CONTROL, object_label=f"step {i}", after={"i": i})
            for i in range(1, count + 1)
        ]

    return make


@pytest.fixture
def attacker(db: Any) -> Iterator[Any]:
    """A raw cursor with a database administrator's rights.

    On PostgreSQL the append-only trigger is switched off first, as a superuser could; the
    ALTER TABLE is rolled back with the test's transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        yield cursor
