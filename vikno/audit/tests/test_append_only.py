"""The application refuses to change or delete events; on PostgreSQL the database refuses too."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify

pytestmark = pytest.mark.django_db


def test_saving_an_existing_event_is_refused(chain):
    # given
    event = chain(1)[0]
    event.action = "forged"

    # when / then
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(seq=1).action == AuditAction.DEADLINE_CONTROL


def test_deleting_an_event_is_refused(chain):
    # given
    event = chain(1)[0]

    # when / then
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_queryset_update_is_refused(chain):
    # given
    chain(2)

    # when / then
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(seq=1).update(action="forged")
    assert chain_verify().ok


def test_queryset_delete_is_refused(chain):
    # given
    chain(2)

    # when / then
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 2


def test_bulk_update_is_refused(chain):
    # given
    events = chain(2)
    for event in events:
        event.object_label = "forged"

    # when / then (bulk_update joins the caller's transaction, so give it its own savepoint)
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        AuditEvent.objects.bulk_update(events, ["object_label"])
    assert chain_verify().ok


@pytest.mark.postgres
@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET object_label = 'forged' WHERE seq = 1",
    "DELETE FROM audit_auditevent WHERE seq = 1",
])
def test_database_refuses_raw_changes_on_postgresql(chain, statement):
    # given
    chain(2)

    # when / then
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert chain_verify().ok
    assert AuditEvent.objects.get(seq=1).object_label == "step 1"
