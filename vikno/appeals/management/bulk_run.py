"""Running the bulk generator (ADR 0022): batch after batch, each in its transaction; on
PostgreSQL the next batch is built in a second thread while the database takes the last one, and
on a load-test instance the foreign keys may be checked once at the end instead of per row."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import itertools
import queue
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction

from vikno.appeals.management.bulk import build_batch
from vikno.appeals.management.bulk_plan import (
    BATCH,
    REPEAT_WINDOW,
    PlannedAppeal,
    Report,
    iter_plans,
    load_context,
)
from vikno.appeals.management.bulk_store import Batch, Ledger, commit_batch, sink
from vikno.appeals.management.demo_sources import People
from vikno.appeals.models import (
    Appeal,
    Applicant,
    Assignment,
    Extension,
    Feedback,
    Question,
    Reply,
    RoutingTerm,
    Transition,
)
from vikno.appeals.services import counts_rebuild, vocabulary_fill
from vikno.audit.models import AuditEvent
from vikno.core import clock

# The tables the generator writes (their foreign keys are what --unchecked-keys checks).
WRITTEN: tuple[type[models.Model], ...] = (Applicant, Appeal, Question, Assignment, Reply,
                                           Extension, Feedback, RoutingTerm, Transition,
                                           AuditEvent)
AHEAD = 2  # batches built ahead of the one being written


class DanglingKeys(ValueError):
    """Rows written with the foreign-key checks off refer to rows that do not exist."""


def generate(*, count: int, seed: int, years: int = 3, base: Path | None = None,
             until: dt.datetime | None = None, batch: int = BATCH,
             progress: Callable[[int], None] | None = None, pipeline: bool | None = None,
             unchecked_keys: bool = False) -> Report:
    """Generate `count` appeals (see vikno.appeals.management.bulk). Works on SQLite and
    PostgreSQL; the same seed (and moment) gives the same rows in every mode.

    `pipeline`: build the next batch in a second thread while the database takes the last one
    (PostgreSQL only; by default when not inside a transaction, which the second thread could
    not see). The batches are then built from the counters and the chain head as the previous
    batch leaves them, and each write checks they still hold (`Interleaved` otherwise: nothing
    else may register appeals meanwhile).
    `unchecked_keys`: a load-test instance's superuser only: the foreign-key triggers off while
    writing (`session_replication_role = replica`), every new row's keys checked at the end with
    one query per key (`DanglingKeys` if any refers to nothing)."""
    started = time.monotonic()
    postgres = connection.vendor == "postgresql"
    if pipeline is None:
        pipeline = postgres and not connection.in_atomic_block
    if pipeline and not postgres:
        raise ValueError("Building ahead needs PostgreSQL.")
    if unchecked_keys and not (postgres and _superuser()):
        raise ValueError("--unchecked-keys needs PostgreSQL and a superuser connection.")
    marks = _high_water() if unchecked_keys else {}
    context = load_context(base or Path(settings.BASE_DIR))
    rng = random.Random(seed)
    people = People(base or Path(settings.BASE_DIR), rng, context.settlements)
    plans = iter_plans(count=count, context=context, people=people, rng=rng, now=clock.now(),
                       years=years, until=until)
    chunks = iter(lambda: list(itertools.islice(plans, batch)), [])
    applicants: dict[int, Applicant | None] = {}
    built = 0

    def build(chunk: list[PlannedAppeal], ledger: Ledger) -> Batch:
        nonlocal built
        made = build_batch(chunk, context=context, applicants=applicants, offset=built,
                           ledger=ledger, out=sink())
        built += len(chunk)
        # Only recent applicants write again: forget the older ones (memory for millions).
        for index in [i for i in applicants if i < built - 2 * REPEAT_WINDOW]:
            del applicants[index]
        return made

    report = Report()

    def written(made: Batch) -> None:
        report.created += made.size
        report.events += made.events
        if progress is not None:
            progress(report.created)

    if pipeline:
        ledger = Ledger()
        ledger.read()
        # Closed on the way out, also on an error: the builder thread stops and is joined.
        with contextlib.closing(_ahead(build(chunk, ledger) for chunk in chunks)) as ahead:
            for made in ahead:
                with transaction.atomic():
                    _unchecked(unchecked_keys)
                    commit_batch(made)
                written(made)
    else:
        for chunk in chunks:
            with transaction.atomic():
                _unchecked(unchecked_keys)
                ledger = Ledger()  # under the row locks, as registration takes them
                ledger.read({clock.local_date(p.received_at).year for p in chunk})
                made = build(chunk, ledger)
                commit_batch(made)
            written(made)
    if unchecked_keys and (found := dangling_keys(marks)):
        raise DanglingKeys("Rows refer to rows that do not exist: " + "; ".join(found))
    counts_rebuild()  # the dashboard's and the statistics' counts, from the rows written
    vocabulary_fill()  # the search's vocabulary (typos), from the keys written
    if postgres:
        # Fresh statistics for the planner: a database just grown by a million rows is otherwise
        # planned as the empty one it was (autovacuum catches up only later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report.seconds = time.monotonic() - started
    return report


_DONE = object()


def _ahead(batches: Iterator[Batch], depth: int = AHEAD) -> Generator[Batch, None, None]:
    """The batches, built in a second thread (its own database connection, for the sequences)
    up to `depth` ahead of the caller, who writes them."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for made in batches:
                if not put(made):
                    return
            put(_DONE)
        except BaseException as exc:
            put(exc)
        finally:
            connection.close()  # this thread's own connection

    # The caller's context (clock.as_of) holds in the builder too.
    thread = threading.Thread(target=contextvars.copy_context().run, args=(work,),
                              name="generate-appeals-builder", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _unchecked(on: bool) -> None:
    """The foreign-key triggers off for this transaction (a superuser's setting)."""
    if on:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _high_water() -> dict[type[models.Model], int]:
    """The last id of each written table: the rows after it are this run's to check."""
    return {model: model._default_manager.aggregate(last=models.Max("pk"))["last"] or 0
            for model in WRITTEN}


def dangling_keys(since: dict[type[models.Model], int]) -> list[str]:
    """Each foreign key of the rows after `since` that refers to no row, with how many."""
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for model, last in since.items():
            for fk in model._meta.concrete_fields:
                if not (isinstance(fk, models.ForeignKey) and getattr(fk, "db_constraint", True)):
                    continue
                target = fk.related_model._meta  # type: ignore[union-attr]
                # Names from the models, quoted; the id bound as a parameter.
                sql = (f"SELECT count(*) FROM {quote(model._meta.db_table)} t "  # noqa: S608
                       f"WHERE t.{quote(model._meta.pk.column)} > %s "
                       f"AND t.{quote(fk.column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                       f"{quote(target.db_table)} r WHERE r.{quote(fk.target_field.column)} = "
                       f"t.{quote(fk.column)})")
                cursor.execute(sql, [last])
                if (missing := cursor.fetchone()[0]):
                    found.append(f"{model._meta.db_table}.{fk.column}: {missing}")
    return found
