"""Running the bulk generator fast (vikno.appeals.management.bulk_run, ADR 0022): the next batch
built while PostgreSQL takes the last, the foreign keys checked once at the end, the events'
hash without the general JSON path."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import random
import signal
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection, transaction

from vikno.accounts.models import User
from vikno.appeals.lifecycle import AppealStatus, TransitionAction
from vikno.appeals.management import bulk, bulk_plan, bulk_run
from vikno.appeals.management.bulk_store import Interleaved, fast_event_hash, new_row
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Question,
    RegistrationCounter,
    Transition,
)
from vikno.audit.chain import event_hash
from vikno.audit.models import AuditChainHead
from vikno.audit.selectors import chain_verify
from vikno.core import clock
from vikno.directory.models import Territory, TerritoryLevel

BASE = Path(settings.BASE_DIR)


def _reference() -> None:
    if not (BASE / "data" / "reference").is_dir() or "load_reference" not in get_commands():
        pytest.skip("needs the reference files in data/reference and `manage.py load_reference`")
    call_command("load_reference", stdout=io.StringIO())
    call_command("create_demo_accounts", allow_without_debug=True, stdout=io.StringIO())


@pytest.fixture
def world(db):
    _reference()


def test_the_fast_event_hash_is_the_chain_hash_byte_for_byte():
    # given events of every shape the generator appends: text with quotes, apostrophes and
    # Cyrillic, no actor, nested values, numbers, flags, lists
    rng = random.Random(3)
    values: list[Any] = [None, "", 'лапки "так" і \\ та \n', "п'ять ’", 0, 17, -3, 2.5, True,
                         False, [], ["001.001", "002.003"], {"b": 1, "a": [1, "x"]},
                         {"status": "closed", "note": None, "nested": {"z": [], "y": "ї"}}]
    at = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    for n in range(300):
        fields = {
            "seq": n + 1, "occurred_at": at + dt.timedelta(seconds=n * 37.25),
            "actor_id": rng.choice([None, 5, 12345]),
            "actor_username": rng.choice(["", "system", "operator", "ім'я"]),
            "actor_role": rng.choice(["", "operator", "supervisor"]),
            "action": rng.choice(["appeal.register", "reply.submit"]),
            "object_type": "appeals.appeal", "object_id": str(n),
            "object_label": rng.choice(["ЗК-2025-000001 → 01", "applicant #3", 'a "b" c']),
            "before": rng.choice(values), "after": rng.choice(values),
            "prev_hash": rng.choice(["", "ab" * 32]),
        }

        # then the same hash as the audit trail's own
        assert fast_event_hash(fields) == event_hash(fields), fields


def _dump() -> dict[str, list[tuple[Any, ...]]]:
    """Every row the generator writes, and the counters and the chain head."""
    tables = {model._meta.db_table: model for model in bulk_run.WRITTEN}
    out = {name: list(model._default_manager.order_by("pk").values_list())
           for name, model in tables.items()}
    out["counters"] = list(RegistrationCounter.objects.order_by("year").values_list())
    out["head"] = list(AuditChainHead.objects.values_list())
    return out


def _next_ids() -> dict[str, int]:
    """The id each written table gives next (the sequence left where it was)."""
    found = {}
    with connection.cursor() as cursor:
        for model in bulk_run.WRITTEN:
            table = model._meta.db_table
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            found[table] = cursor.fetchone()[0]
    _restart_sequences(found)
    return found


def _restart_sequences(ids: dict[str, int]) -> None:
    """The ids as they were before a rolled-back run (sequences do not roll back)."""
    with connection.cursor() as cursor:
        for table, next_id in ids.items():
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                           [table, next_id])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", [0, 2], ids=["thread", "processes"])
def test_building_ahead_writes_what_the_serial_path_writes(postgres_only, workers):
    # given the reference data committed (the builder thread or processes have their own
    # connections)
    _reference()
    ids = _next_ids()
    options = {"count": 180, "seed": 11, "years": 1, "batch": 40}
    with clock.as_of(clock.now() - dt.timedelta(hours=1)):
        # when written serially (then rolled back, the ids restarted) and built ahead, in a
        # thread or in worker processes
        with transaction.atomic():
            bulk_run.generate(**options, pipeline=False)
            serial = _dump()
            transaction.set_rollback(True)
        _restart_sequences(ids)
        report = bulk_run.generate(**options, pipeline=True, workers=workers)

    # then the same rows, numbers, events and hashes; the chain intact
    assert report.created == 180
    assert Appeal.objects.count() == 180
    assert _dump() == serial
    assert chain_verify().broken is None
    # and the new pages vacuumed (all-visible: the lists' index-only scans skip the table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'appeals_appeal'")
        assert cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_a_worker_process_killed_fails_the_run_instead_of_hanging(postgres_only):
    # given the generator building its batches in two worker processes
    _reference()
    killed: list[int] = []

    def meanwhile(done: int) -> None:
        # when one of them is killed after the first batch is written
        if not killed:
            worker = multiprocessing.active_children()[0]
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(done)

    # then the run fails (it does not wait for the lost batch) and what was written stays whole
    with pytest.raises(BrokenProcessPool):
        bulk_run.generate(count=400, seed=3, years=1, batch=40, pipeline=True, workers=2,
                          progress=meanwhile)
    assert killed
    assert Appeal.objects.count() % 40 == 0
    assert chain_verify().broken is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_building_ahead_refuses_a_registration_in_between(postgres_only):
    # given batches built from the counters as the last batch left them
    _reference()
    seen: list[int] = []

    def meanwhile(done: int) -> None:
        # when someone else registers an appeal while the generator runs
        if not seen:
            seen.append(done)
            RegistrationCounter.objects.update(last=10**5)
            AuditChainHead.objects.filter(id=1).update(last_seq=10**6)

    # then the next batch is not written over it
    with pytest.raises(Interleaved):
        bulk_run.generate(count=200, seed=2, years=1, batch=50, pipeline=True,
                          progress=meanwhile)
    assert Appeal.objects.count() == seen[0]


@pytest.mark.postgres
def test_unchecked_keys_are_checked_at_the_end(postgres_only, world):
    # when generated with the foreign-key triggers off
    marks = bulk_run._high_water()
    report = bulk_run.generate(count=60, seed=4, years=1, batch=25, unchecked_keys=True)

    # then every key of the new rows found its row, and the chain is intact
    assert report.created == 60
    assert bulk_run.dangling_keys(marks) == []
    assert chain_verify().broken is None

    # and a row referring to nothing is found
    appeal = Appeal.objects.first()
    Transition.objects.create(appeal_id=appeal.pk + 10**6, action=TransitionAction.ASSIGN,
                              from_status=AppealStatus.REGISTERED,
                              to_status=AppealStatus.ASSIGNED, at=clock.now())
    assert bulk_run.dangling_keys(marks) == ["appeals_transition.appeal_id: 1"]


def test_unchecked_keys_are_refused_without_postgresql_superuser(world):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE vikno_gen_plain NOSUPERUSER")
            cursor.execute("GRANT ALL ON SCHEMA public TO vikno_gen_plain")
            cursor.execute("SET LOCAL ROLE vikno_gen_plain")

    # then no foreign-key trigger is switched off
    with pytest.raises(ValueError, match="superuser"):
        bulk_run.generate(count=5, seed=1, unchecked_keys=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert not Appeal.objects.exists()


def _values(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def test_rows_made_without_the_model_constructor_are_the_constructors_rows(world):
    # given rows of every kind the generator writes, related to each other, some unsaved
    appeal = Appeal(pk=None, number="X-1", text="t")
    territory = Territory.objects.filter(level=TerritoryLevel.SETTLEMENT).first()
    user = User.objects.first()
    cases: list[tuple[type[Any], dict[str, Any]]] = [
        (Applicant, {"last_name": "Ім'я", "territory": territory, "created_at": clock.now(),
                     "updated_at": clock.now()}),
        (Applicant, {"territory": None}),
        (Appeal, {"number": "ЗК-1", "applicant": None, "territory": territory,
                  "registered_by": user, "status": AppealStatus.REGISTERED}),
        (Question, {"appeal": appeal, "summary": "", "due_date": clock.today()}),
        (Transition, {"appeal": appeal, "by": user, "action": TransitionAction.ASSIGN,
                      "from_status": AppealStatus.REGISTERED,
                      "to_status": AppealStatus.ASSIGNED, "at": clock.now()}),
        (Transition, {"appeal": appeal, "by": None, "message": "m", "params": {"a": 1}}),
    ]
    with clock.as_of(clock.now() - dt.timedelta(hours=2)):
        for model, values in cases:
            # when made both ways
            fast, slow = new_row(model, **values), model(**values)

            # then the same fields, the related rows cached alike
            assert _values(fast) == _values(slow), model
            for name in values:
                field = model._meta.get_field(name)
                if field.is_relation:
                    assert getattr(fast, name) is getattr(slow, name)
            assert fast._state.adding and fast._state.db is None


def test_generated_rows_are_those_the_model_constructor_gives(world, monkeypatch):
    # given a run of the generator (serially, in this transaction)
    options = {"count": 120, "seed": 9, "years": 1, "batch": 50, "pipeline": False}
    moment = clock.now() - dt.timedelta(hours=1)
    ids = _next_ids() if connection.vendor == "postgresql" else None
    with clock.as_of(moment), transaction.atomic():
        bulk_run.generate(**options)
        fast = _dump()
        transaction.set_rollback(True)
    if ids is not None:
        _restart_sequences(ids)

    # when the same run makes its rows with Model.__init__
    monkeypatch.setattr(bulk, "new_row", lambda model, **values: model(**values))
    with clock.as_of(moment), transaction.atomic():
        bulk_run.generate(**options)
        slow = _dump()

    # then the same rows (on SQLite the ids start alike after the rollback)
    assert fast == slow


def test_the_cumulative_draw_is_rng_choices():
    # given weights of every shape the plans draw from
    tables: list[dict[Any, float]] = [bulk_plan.CHANNELS, bulk_plan.KINDS, bulk_plan.RATINGS,
                                      bulk_plan.RESULTS, *[w for _, w in bulk_plan.TARGETS_BY_AGE],
                                      {n: (n % 7) + 0.5 for n in range(600)}]
    for table in tables:
        ours, theirs = random.Random(5), random.Random(5)

        # then the same draws, and the generator left in the same state
        for _ in range(2000):
            assert bulk_plan._choose(ours, table) == \
                theirs.choices(list(table), weights=list(table.values()))[0]
        assert ours.random() == theirs.random()


def _shapes(indexes: list[tuple[str, str, str]]) -> list[tuple[str, str, str, bool]]:
    """Each index's name, table, method and columns, and whether it is partial."""
    return [(name, table, definition.split(" WHERE ")[0], " WHERE " in definition)
            for name, table, definition in indexes]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_dropped_indexes_are_built_again_also_after_a_failure(postgres_only):
    # given the written tables' secondary indexes, the search's GIN indexes among them
    _reference()
    before = bulk_run.secondary_indexes()
    names = {name for name, _, _ in before}
    assert {"appeal_search_lemmas_fts", "appeal_number_lower_trgm"} <= names
    said: list[str] = []

    # when generated with the indexes dropped
    bulk_run.generate(count=60, seed=3, years=1, batch=30, drop_indexes=True, say=said.append)

    # then they are all there again, as they were (PostgreSQL may spell a partial index's
    # condition anew); and the output said so
    assert _shapes(bulk_run.secondary_indexes()) == _shapes(before)
    assert f"{len(before)} secondary indexes" in said[0]

    # and when a run fails half-way, the indexes are built again all the same
    def fail(done: int) -> None:
        assert bulk_run.secondary_indexes() == []  # dropped while writing
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        bulk_run.generate(count=60, seed=4, years=1, batch=30, drop_indexes=True, progress=fail)
    assert _shapes(bulk_run.secondary_indexes()) == _shapes(before)


def test_indexes_are_dropped_only_for_a_load_that_dwarfs_the_table(world, monkeypatch):
    # a large load into an empty or small table drops them; a small load or a large table not
    assert bulk_run.dwarfs(bulk_run.DROP_INDEXES_FROM, 0)
    assert bulk_run.dwarfs(1_000_000, 250_000)
    assert not bulk_run.dwarfs(bulk_run.DROP_INDEXES_FROM - 1, 0)
    assert not bulk_run.dwarfs(1_000_000, 250_001)

    # given a threshold lower than the run
    monkeypatch.setattr(bulk_run, "DROP_INDEXES_FROM", 10)
    dropped: list[bool] = []
    monkeypatch.setattr(bulk_run, "drop_secondary_indexes",
                        lambda say=None: dropped.append(True) or [])

    # when a run writes 12 appeals in the caller's transaction
    report = bulk_run.generate(count=12, seed=1, years=1)

    # then nothing is dropped inside a transaction (nor on SQLite), and asking for it is refused
    assert report.created == 12
    assert dropped == []
    with pytest.raises(ValueError, match="outside a transaction"):
        bulk_run.generate(count=12, seed=1, years=1, drop_indexes=True)
