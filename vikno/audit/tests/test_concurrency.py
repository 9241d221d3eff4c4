"""Parallel writers still produce one linear chain: whoever finds the chain head free chains the
events, the others' wait unsealed for the sealer (ADR 0027)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.audit.services import record, seal

THREADS = 6
EVENTS_PER_THREAD = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_records_form_a_gapless_valid_chain():
    # given writers that all start at the same moment
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(EVENTS_PER_THREAD):
                record(actor=None, action=AuditAction.DEADLINE_CONTROL, object_label=f"writer {number} #{i}")
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then, once the sealer has chained what was left unsealed
    seal()
    assert not errors, errors
    total = THREADS * EVENTS_PER_THREAD
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    report = chain_verify()
    assert report.ok, report.broken
    assert report.checked == total
    assert AuditChainHead.objects.get(id=1).last_seq == total
