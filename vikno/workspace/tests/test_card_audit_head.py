"""A card view records the read of personal data without waiting for the audit chain's head:
page views do not queue behind each other or behind registrations (ADR 0027)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.audit.services import record, seal
from vikno.core import clock
from vikno.workspace.tests.conftest import World
from vikno.workspace.tests.test_ops import metric


def _other_session() -> psycopg.Connection[Any]:
    params = connection.settings_dict
    return psycopg.connect(dbname=params["NAME"], user=params["USER"], host=params["HOST"],
                           port=params["PORT"] or 5432, password=params["PASSWORD"] or None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_card_view_completes_while_another_session_holds_the_audit_head(world: World) -> None:
    # given an appeal, and the chain head held by another session
    appeal = world.register()
    client = world.client("operator")
    other = _other_session()
    try:
        other.execute("SELECT 1 FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
        # a wait for the head fails the request instead of hanging the test
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")

        # when
        response = client.get(reverse("workspace:appeal_card", args=[appeal.number]))

        # then the page is served and its read is recorded, waiting for the sealer
        assert response.status_code == 200
        viewed = AuditEvent.objects.get(action="applicant.view", object_label=appeal.number)
        assert viewed.seq is None
    finally:
        other.rollback()
        other.close()
    # and once the head is free the sealer chains it
    assert seal() >= 1
    viewed.refresh_from_db()
    assert viewed.seq is not None and chain_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_metrics_show_the_events_waiting_to_be_sealed() -> None:
    # given an event written ten minutes ago while the head was held, not sealed since
    AuditChainHead.objects.get_or_create(id=1)
    other = _other_session()
    try:
        other.execute("SELECT 1 FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
        with clock.as_of(clock.now() - timedelta(minutes=10)):
            record(actor=None, action=AuditAction.DEADLINE_CONTROL, object_label="waiting")
    finally:
        other.rollback()
        other.close()

    # when
    waiting = Client().get(reverse("metrics")).content.decode()
    seal()
    sealed = Client().get(reverse("metrics")).content.decode()

    # then
    assert metric(waiting, "vikno_audit_unsealed_events ") == 1
    assert metric(waiting, "vikno_audit_unsealed_oldest_seconds ") >= 600
    assert metric(sealed, "vikno_audit_unsealed_events ") == 0
