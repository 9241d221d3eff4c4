"""Idempotent POSTs under truly parallel retries: the same Idempotency-Key sent by several
threads at the same moment (each its own database connection) does the work once and every one
gets the first response. Only PostgreSQL runs writers in parallel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from vikno.api.tests.conftest import registration
from vikno.appeals.models import Appeal, Assignment
from vikno.audit.models import AuditEvent
from vikno.core.models import IdempotentResponse

THREADS = 6


def all_at_once(call: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def client(raw: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_with_one_key_register_once(partner):
    _, raw = partner

    responses = all_at_once(lambda: client(raw).post(
        "/api/v1/appeals/", registration(), format="json", HTTP_IDEMPOTENCY_KEY="crm-42"))

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["number"] for r in responses}) == 1
    assert Appeal.objects.count() == 1
    assert AuditEvent.objects.filter(action="appeal.register").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_answers_with_one_key_answer_once(partner, council_key):
    client(partner[1]).post("/api/v1/appeals/", registration(), format="json")
    pk = Assignment.objects.get().pk
    from vikno.appeals.tests.factories import letter
    body = {"result": "explained", "text": "Воду дали.",
            **letter(outgoing_date=letter()["outgoing_date"].isoformat())}

    responses = all_at_once(lambda: client(council_key[1]).post(
        f"/api/v1/assignments/{pk}/answer/", body, format="json", HTTP_IDEMPOTENCY_KEY="ans-1"))

    assert {r.status_code for r in responses} == {200}
    assert len({str(r.json()) for r in responses}) == 1
    assert AuditEvent.objects.filter(action="reply.submit").count() == 1
    assert IdempotentResponse.objects.count() == 1
