"""Running the bulk generator (ADR 0022): batch after batch, each in its transaction; on
PostgreSQL the next batches are built in worker processes (bulk_workers; or a second thread)
while the database takes the last one, a large load drops the written tables' secondary indexes
and builds them once at the end, and on a load-test instance the foreign keys may be checked
once at the end instead of per row."""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import datetime as dt
import itertools
import queue
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
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
from vikno.appeals.management.bulk_workers import WORKERS, in_workers, worker_pool
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
# PostgreSQL: from this many appeals on, when they are at least DWARF times the appeals already
# there, the written tables' secondary indexes are dropped and built once at the end.
DROP_INDEXES_FROM = 50_000
DWARF = 4
# The access methods of the indexes dropped (None: every secondary index of the written tables).
DROP_METHODS: tuple[str, ...] | None = None


class DanglingKeys(ValueError):
    """Rows written with the foreign-key checks off refer to rows that do not exist."""


def generate(*, count: int, seed: int, years: int = 3, base: Path | None = None,
             until: dt.datetime | None = None, batch: int = BATCH,
             progress: Callable[[int], None] | None = None, pipeline: bool | None = None,
             unchecked_keys: bool = False, drop_indexes: bool | None = None,
             say: Callable[[str], None] | None = None, workers: int | None = None) -> Report:
    """Generate `count` appeals (see vikno.appeals.management.bulk). Works on SQLite and
    PostgreSQL; the same seed (and moment) gives the same rows in every mode.

    `pipeline`: build the next batch in a second thread while the database takes the last one
    (PostgreSQL only; by default when not inside a transaction, which the second thread could
    not see). The batches are then built from the counters and the chain head as the previous
    batch leaves them, and each write checks they still hold (`Interleaved` otherwise: nothing
    else may register appeals meanwhile).
    `workers`: with `pipeline`, build the batches in this many worker processes instead of a
    thread (bulk_workers; `WORKERS` by default, 0 for the thread).
    `unchecked_keys`: a load-test instance's superuser only: the foreign-key triggers off while
    writing (`session_replication_role = replica`), every new row's keys checked at the end with
    one query per key (`DanglingKeys` if any refers to nothing).
    `drop_indexes`: drop the written tables' secondary indexes (neither unique nor a
    constraint's) before writing and build each once at the end (PostgreSQL, outside a
    transaction; queries are slow meanwhile). None: when the appeals written dwarf the table
    (`DROP_INDEXES_FROM` and more, `DWARF` times those there). `say`: progress in words."""
    started = time.monotonic()
    postgres = connection.vendor == "postgresql"
    if pipeline is None:
        pipeline = postgres and not connection.in_atomic_block
    if pipeline and not postgres:
        raise ValueError("Building ahead needs PostgreSQL.")
    if unchecked_keys and not (postgres and _superuser()):
        raise ValueError("--unchecked-keys needs PostgreSQL and a superuser connection.")
    if drop_indexes is None:
        drop_indexes = (postgres and not connection.in_atomic_block
                        and dwarfs(count, Appeal.objects.count()))
    if drop_indexes and not (postgres and not connection.in_atomic_block):
        raise ValueError("Dropping the indexes needs PostgreSQL, outside a transaction.")
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

    dropped = drop_secondary_indexes(say) if drop_indexes else []
    try:
        if pipeline and (n := WORKERS if workers is None else workers) > 0:
            # The workers forked first, then a thread plans, hands out and chains the batches
            # while this one writes them.
            with worker_pool(context, n) as pool:
                ledger = Ledger()
                ledger.read()
                with contextlib.closing(_ahead(in_workers(chunks, pool=pool, ledger=ledger,
                                                          workers=n))) as ahead:
                    for made in ahead:
                        with transaction.atomic():
                            _unchecked(unchecked_keys)
                            commit_batch(made)
                        written(made)
        elif pipeline:
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
    except BaseException:
        if dropped:
            build_indexes(dropped, say)
        raise

    def check() -> None:
        if unchecked_keys and (found := dangling_keys(marks)):
            raise DanglingKeys("Rows refer to rows that do not exist: " + "; ".join(found))

    closing: list[tuple[str, Callable[[], object]]] = [
        ("keys checked", check),
        ("counts", counts_rebuild),  # the dashboard's and the statistics' counts
        ("search vocabulary", vocabulary_fill),  # the search's vocabulary (typos)
    ]
    steps = _Steps(say)
    if dropped:
        # None of these reads the dropped indexes: they go side by side with building them.
        build_indexes(dropped, say, also=closing)
        steps.done("indexes built, keys checked, counts and search vocabulary")
    else:
        for what, step in closing:
            step()
            steps.done(what)
    if postgres:
        # Fresh statistics for the planner: a database just grown by a million rows is otherwise
        # planned as the empty one it was (autovacuum catches up only later). Outside a
        # transaction, VACUUM too: until it marks the new pages all-visible, every index-only
        # scan of the lists still reads the table (a year's filter at a million: 310 → 45 ms).
        vacuum = not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
        steps.done("vacuum and planner statistics" if vacuum else "planner statistics")
    steps.report()
    report.seconds = time.monotonic() - started
    return report


class _Steps:
    """The seconds of each closing step, said at the end."""

    def __init__(self, say: Callable[[str], None] | None) -> None:
        self.say, self.last = say, time.monotonic()
        self.spent: list[str] = []

    def done(self, what: str) -> None:
        now = time.monotonic()
        self.spent.append(f"{what} {now - self.last:.1f} s")
        self.last = now

    def report(self) -> None:
        if self.say is not None:
            self.say("Then: " + ", ".join(self.spent) + ".")


def dwarfs(count: int, existing: int) -> bool:
    """Whether writing `count` appeals into a table of `existing` ones is better done without
    its secondary indexes, built once at the end."""
    return count >= DROP_INDEXES_FROM and count >= DWARF * existing


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


def secondary_indexes(methods: tuple[str, ...] | None = None) -> list[tuple[str, str, str]]:
    """(name, table, definition) of the written tables' indexes that are neither unique nor
    used by a constraint (of the access `methods` only, if given), by table and name
    (PostgreSQL)."""
    tables = [model._meta.db_table for model in WRITTEN]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_am am ON am.oid = c.relam "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique "
            "AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "AND (%s::text[] IS NULL OR am.amname = ANY(%s::text[])) "
            "ORDER BY t.relname, c.relname",
            [tables, None if methods is None else list(methods),
             None if methods is None else list(methods)])
        return [(name, table, definition) for name, table, definition in cursor.fetchall()]


def drop_secondary_indexes(say: Callable[[str], None] | None = None
                           ) -> list[tuple[str, str, str]]:
    """Drop the written tables' secondary indexes (autocommit); returns their definitions for
    `build_indexes`."""
    found = secondary_indexes(DROP_METHODS)
    if say is not None:
        say(f"The appeals written dwarf the table: {len(found)} secondary indexes of the written "
            "tables are dropped now and built once at the end (queries are slow meanwhile).")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, _, _ in found:
            cursor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    return found


MAINTENANCE_MEMORY = "1GB"  # per index being built
BUILDERS = 2  # indexes built at once, each on its own connection (a core each)


def build_indexes(indexes: list[tuple[str, str, str]], say: Callable[[str], None] | None = None,
                  builders: int = BUILDERS,
                  also: Sequence[tuple[str, Callable[[], object]]] = ()) -> None:
    """Build the dropped indexes again from their definitions, `builders` at once (each in its
    transaction on a connection of its own; indexes of one table may be built side by side),
    the dearest first: GIN indexes and those of the largest tables. Then the steps `also`
    (what, step) on the same builders, each on its connection, as one becomes free."""
    started = time.monotonic()
    if say is not None:
        say(f"Building {len(indexes)} indexes again…")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, pg_relation_size(oid) FROM pg_class "
                       "WHERE oid = ANY(%s::regclass[])",
                       [sorted({table for _, table, _ in indexes})])
        sizes = dict(cursor.fetchall())

    def cost(index: tuple[str, str, str]) -> int:
        _, table, definition = index
        return sizes.get(table, 0) * (4 if " USING gin " in definition else 1)

    def one(definition: str) -> None:
        # The definition as PostgreSQL wrote it; made idempotent (a rerun after a failure).
        sql = definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_MEMORY}'")
                cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
                cursor.execute(sql)
        finally:
            connection.close()  # this thread's own connection

    def step(what: str, run: Callable[[], object]) -> None:
        began = time.monotonic()
        try:
            run()
        finally:
            connection.close()  # this thread's own connection
        if say is not None:
            say(f"  {what}: {time.monotonic() - began:.1f} s")

    ordered = [definition for _, _, definition in sorted(indexes, key=cost, reverse=True)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, builders)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, d) for d in ordered]
        futures += [pool.submit(contextvars.copy_context().run, step, what, run)
                    for what, run in also]
        for done in futures:
            done.result()
    if say is not None:
        say(f"Indexes built in {time.monotonic() - started:.0f} s.")


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
