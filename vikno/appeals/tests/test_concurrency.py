"""Registration numbers under concurrent operators: gap-free, unique, and the audit chain intact.

Only PostgreSQL runs writers truly in parallel (SQLite queues whole transactions), so these tests
are skipped elsewhere.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from django.db import connection, transaction

from vikno.appeals.errors import AppealsError
from vikno.appeals.models import Appeal, Channel, RegistrationCounter, Subject
from vikno.appeals.tests.factories import applicant_data, register
from vikno.audit.models import AuditChainHead, AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.core import clock

THREADS = 8
PER_THREAD = 5


@pytest.fixture
def postgresql_only() -> None:
    # Evaluated when the test runs, against the connection the test really uses.
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL: set DATABASE_URL")


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_get_gap_free_unique_numbers(postgresql_only, book, operator):
    # given eight operators starting at the same moment; every other registration is anonymous,
    # so the two kinds of registration (with and without an applicant card) interleave
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def operator_at_work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(PER_THREAD):
                if (index + n) % 2:
                    register(actor=operator, subject=Subject.ANONYMOUS, text=f"Анонімне {index}/{n}")
                else:
                    register(actor=operator, text=f"Звернення {index}/{n}",
                             applicant=applicant_data(last_name=f"Заявник{index}x{n}"))
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=operator_at_work, args=(i,)) for i in range(THREADS)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then
    assert errors == []
    year = clock.today().year
    seqs = sorted(Appeal.objects.filter(year=year).values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * PER_THREAD + 1))
    numbers = set(Appeal.objects.values_list("number", flat=True))
    assert numbers == {f"ЗК-{year}-{n:06d}" for n in seqs}
    assert RegistrationCounter.objects.get(year=year).last == THREADS * PER_THREAD
    report = chain_verify()
    assert report.ok, report.broken
    assert report.checked >= THREADS * PER_THREAD * 3


@pytest.mark.django_db(transaction=True)
def test_a_registration_failing_half_way_leaves_no_gap(postgresql_only, book,
                                                                   operator):
    # given
    first = register(actor=operator)

    # when a registration fails half-way (a cosigner from an unknown place)
    with pytest.raises(AppealsError) as caught:
        register(actor=operator, cosigners=[applicant_data(territory_code="UA0000")])
    following = register(actor=operator)

    # then
    assert caught.value.code == "unknown_territory"
    assert following.seq == first.seq + 1
    assert Appeal.objects.count() == 2
    assert chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_double_submission_registers_once(postgresql_only, book, operator):
    # given two submissions of one form (a double click) arriving at the same moment
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(register(actor=operator, idempotency_key=key).number)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then one appeal, and both submissions answer with it
    assert errors == []
    appeal = Appeal.objects.get()
    assert results == [appeal.number, appeal.number]
    assert appeal.intake_token == key
    assert chain_verify().ok


class _RolledBack(Exception):
    """Raised to roll back the transaction a registration ran in."""


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_some_rolled_back_after_numbering_leave_no_gap(postgresql_only, book,
                                                                           operator):
    # given eight operators registering at once; every third registration runs inside a larger
    # transaction that rolls back after the number was taken (an import that fails half-way)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    committed: list[str] = []

    def operator_at_work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(PER_THREAD):
                if (index + n) % 3 == 0:
                    with pytest.raises(_RolledBack), transaction.atomic():
                        register(actor=operator, text=f"Відкочене {index}/{n}")
                        raise _RolledBack
                else:
                    committed.append(register(actor=operator, text=f"Звернення {index}/{n}").number)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=operator_at_work, args=(i,)) for i in range(THREADS)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then the committed appeals are numbered 1..N: no gap, no duplicate, no provisional number
    assert errors == []
    year = clock.today().year
    total = len(committed)
    assert 0 < total < THREADS * PER_THREAD
    seqs = sorted(Appeal.objects.filter(year=year).values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    assert sorted(Appeal.objects.values_list("number", flat=True)) == sorted(committed) == [
        f"ЗК-{year}-{n:06d}" for n in seqs]
    assert RegistrationCounter.objects.get(year=year).last == total
    assert chain_verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_registration_waiting_half_way_does_not_hold_the_year_counter(postgresql_only, book,
                                                                       operator):
    # given another transaction holding an uncommitted appeal row with the intake token a
    # registration will use: that registration waits at its appeal's row
    key = uuid.uuid4()
    held, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    results: dict[str, Appeal] = {}

    def holder() -> None:
        try:
            with transaction.atomic():
                now = clock.now()
                Appeal.objects.create(number="held", year=now.year, intake_token=key,
                                      channel=Channel.HOTLINE, text="-", received_at=now,
                                      registered_at=now, status_changed_at=now)
                held.set()
                release.wait(timeout=60)
                transaction.set_rollback(True)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    def registering(name: str, **kwargs: object) -> None:
        try:
            results[name] = register(actor=operator, **kwargs)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    holding = threading.Thread(target=holder)
    holding.start()
    assert held.wait(timeout=30)
    waiting = threading.Thread(target=registering, args=("waiting",),
                               kwargs={"idempotency_key": key})
    waiting.start()
    _wait_for_a_lock_wait()

    # when another operator registers meanwhile
    other = threading.Thread(target=registering, args=("other",), kwargs={"text": "Інше"})
    other.start()
    other.join(timeout=20)
    finished_meanwhile = not other.is_alive()
    release.set()
    for thread in (other, waiting, holding):
        thread.join(timeout=60)

    # then it was not queued behind the waiting one, and the numbers stay gap-free
    assert errors == []
    assert finished_meanwhile
    assert (results["other"].seq, results["waiting"].seq) == (1, 2)
    assert results["waiting"].intake_token == key
    assert chain_verify().ok


def _wait_for_a_lock_wait() -> None:
    """Until a session of this database waits on a lock (the registration at its appeal row)."""
    for _ in range(300):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.1)
    raise AssertionError("the registration never waited")


@pytest.mark.django_db(transaction=True)
def test_a_registration_meeting_a_held_audit_head_does_not_wait_and_its_events_are_chained_later(
        postgresql_only, book, operator):
    # given the trail's head held by another session (the number's statement takes it only
    # when free: a wait fails the test)
    register(actor=operator, applicant=applicant_data(phone="0501113300"))
    AuditChainHead.objects.get_or_create(id=1)
    params = connection.settings_dict
    other = psycopg.connect(dbname=params["NAME"], user=params["USER"], host=params["HOST"],
                            port=params["PORT"] or 5432, password=params["PASSWORD"] or None)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '3s'")
    try:
        other.execute("SELECT 1 FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")

        # when an operator registers
        held = register(actor=operator, applicant=applicant_data(phone="0501113311"))

        # then it is registered and numbered, its events written unsealed
        assert held.seq == 2
        waiting = AuditEvent.objects.filter(hash__isnull=True)
        assert waiting.count() == 4
        assert set(waiting.values_list("object_label", flat=True)) >= {held.number}
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    # and the next registration on this connection, finding the head free, chains them first
    after = register(actor=operator, applicant=applicant_data(phone="0501113322"))
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    chained = list(AuditEvent.objects.order_by("seq").values_list("object_label", flat=True))
    assert chained.index(held.number) < chained.index(after.number)
    assert chain_verify().ok
