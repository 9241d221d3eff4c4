"""Events written while another transaction holds the chain head: unsealed, then chained by the
sealer, each once, in one gap-free chain that `audit_verify` checks (ADR 0027). PostgreSQL only:
SQLite has one writer at a time, so there every event is sealed as it is written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.audit.selectors import TrailFilter, chain_verify, event_page, unsealed
from vikno.audit.services import record, seal
from vikno.core import clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _connect() -> psycopg.Connection[Any]:
    params = connection.settings_dict
    return psycopg.connect(dbname=params["NAME"], user=params["USER"], host=params["HOST"],
                           port=params["PORT"] or 5432, password=params["PASSWORD"] or None)


@contextmanager
def head_held() -> Iterator[None]:
    """Another session holds the chain head's row lock, as a long sealing transaction would."""
    AuditChainHead.objects.get_or_create(id=1)
    other = _connect()
    try:
        other.execute("SELECT 1 FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
        yield
    finally:
        other.rollback()
        other.close()


@pytest.fixture(autouse=True)
def no_long_lock_waits() -> None:
    """A wait for the head fails the test instead of hanging it (the code before the sealer
    waited for the head to record an event)."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '3s'")


@pytest.fixture
def attacker() -> Iterator[Any]:
    """A database administrator's cursor with the append-only trigger off; these tests commit, so
    the trigger is switched back on afterwards."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        try:
            yield cursor
        finally:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def _event(label: str) -> AuditEvent:
    return record(actor=None, action=AuditAction.DEADLINE_CONTROL, object_label=label)


def _labels_in_chain_order() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("object_label", flat=True))


def test_an_event_is_written_without_waiting_while_the_head_is_held():
    # given a head held by another session (a wait for it fails the test: no_long_lock_waits)
    _event("first")
    with head_held():
        # when
        event = _event("while held")

        # then it is written, not chained yet
        stored = AuditEvent.objects.get(pk=event.pk)
        assert (stored.seq, stored.prev_hash, stored.hash) == (None, None, None)
        assert unsealed().count == 1
    # and the sealer chains it after the first
    assert seal() == 1
    assert _labels_in_chain_order() == ["first", "while held"]
    assert chain_verify().ok and chain_verify().checked == 2


def test_a_transaction_written_earlier_and_committed_later_is_chained_once_after_its_commit():
    # given T1 writes its event first (the lower id) and stays open
    written, finish = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with transaction.atomic():
                _event("T1, committed last")
                written.set()
                assert finish.wait(timeout=20)
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    _event("before")
    with head_held():
        t1 = threading.Thread(target=slow)
        t1.start()
        assert written.wait(timeout=20)
        # when T2 writes after it and commits first
        _event("T2, committed first")
    sealed_while_t1_open = seal()
    chain_then = _labels_in_chain_order()
    finish.set()
    t1.join(timeout=20)
    assert not errors, errors
    sealed_after = seal()

    # then the sealer took T2 (the only committed one), then T1 after its commit: each once
    assert (sealed_while_t1_open, sealed_after) == (1, 1)
    assert chain_then == ["before", "T2, committed first"]
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.object_label for e in events] == ["before", "T2, committed first",
                                                "T1, committed last"]
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[2].pk < events[1].pk  # chained in the order of commit, not of writing
    assert chain_verify().ok and chain_verify().checked == 3
    assert AuditChainHead.objects.get(id=1).last_seq == 3
    assert seal() == 0


def test_many_writers_against_a_held_head_and_a_running_sealer_give_one_gapless_chain():
    # given writers in parallel, first while the head is held, then beside a running sealer
    writers, per_writer = 4, 15
    start = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait(timeout=20)
            for i in range(per_writer):
                with transaction.atomic():
                    _event(f"w{number}-{i}")
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    def sealer() -> None:
        try:
            for _ in range(10):
                seal()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    with head_held():
        for thread in threads:
            thread.start()
        start.wait(timeout=20)
        threading.Event().wait(0.3)  # some events are written while the head is held
    sealing = threading.Thread(target=sealer)
    sealing.start()
    for thread in [*threads, sealing]:
        thread.join(timeout=60)

    # when the last seal runs
    seal()

    # then every event is in the chain exactly once, 1..n, and the chain verifies
    assert not errors, errors
    total = writers * per_writer
    labels = _labels_in_chain_order()
    assert sorted(labels) == sorted(f"w{n}-{i}" for n in range(writers) for i in range(per_writer))
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == \
        list(range(1, total + 1))
    assert unsealed().count == 0
    assert chain_verify().ok and chain_verify().checked == total


def test_a_rolled_back_transaction_leaves_no_hole():
    # given an unsealed event whose transaction rolls back, between two that commit
    _event("first")
    with head_held():
        with pytest.raises(RuntimeError), transaction.atomic():
            _event("rolled back")
            raise RuntimeError("the change fails")
        _event("second")

    # when
    seal()

    # then
    assert _labels_in_chain_order() == ["first", "second"]
    assert list(AuditEvent.objects.values_list("seq", flat=True).order_by("seq")) == [1, 2]
    assert chain_verify().ok and chain_verify().checked == 2


def test_verify_detects_a_rewritten_event_that_the_sealer_chained(attacker):
    # given events chained by the sealer
    _event("first")
    with head_held():
        _event("second")
        _event("third")
    seal()
    assert chain_verify().ok

    # when an attacker rewrites the second
    attacker.execute("UPDATE audit_auditevent SET object_label = 'forged' WHERE seq = 2")

    # then
    report = chain_verify()
    assert not report.ok and report.broken is not None and report.broken.seq == 2


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditevent SET object_label = 'forged' WHERE seq IS NULL",
    # a seal that changes the content on the way
    "UPDATE audit_auditevent SET seq = 99, prev_hash = 'x', hash = 'y', object_label = 'forged' "
    "WHERE seq IS NULL",
    # sealing twice
    "UPDATE audit_auditevent SET seq = 99, prev_hash = 'x', hash = 'y' WHERE seq IS NOT NULL",
    "DELETE FROM audit_auditevent WHERE seq IS NULL",
])
def test_the_database_lets_only_the_seal_change_an_unsealed_event(statement):
    # given a sealed event and an unsealed one
    _event("sealed")
    with head_held():
        _event("unsealed")

    # when / then
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement)
    seal()
    assert _labels_in_chain_order() == ["sealed", "unsealed"]
    assert chain_verify().ok


def test_the_trails_newest_page_shows_the_unsealed_events_first():
    # given
    _event("sealed")
    with head_held():
        _event("unsealed")

    # when
    page = event_page(TrailFilter())
    older = event_page(TrailFilter(), before=2)

    # then
    assert [(e.object_label, e.seq) for e in page.events] == [("unsealed", None), ("sealed", 1)]
    assert [e.object_label for e in older.events] == ["sealed"]


def test_audit_verify_seals_and_fails_on_events_left_unsealed_too_long(settings, capsys):
    # given an event unsealed for longer than the alarm's bound
    settings.VIKNO = {**settings.VIKNO, "AUDIT_SEAL_ALARM_SECONDS": 60}
    _event("first")
    with head_held(), clock.as_of(clock.now() - timedelta(minutes=5)):
        _event("waited five minutes")

    # when / then the command seals it, verifies, and fails naming the wait
    with pytest.raises(CommandError, match=r"waited \d+ s to be sealed"):
        call_command("audit_verify")
    assert unsealed().count == 0
    call_command("audit_verify")
    assert "2 events verified" in capsys.readouterr().out
