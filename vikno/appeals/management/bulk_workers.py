"""Building the bulk generator's batches in worker processes (ADR 0022), so that the building
gets more than the one core a Python process's threads share.

The writing process keeps everything whose order matters: it draws the plans (one random
generator), numbers them, takes the rows' ids from the tables' sequences and the applicant of
each repeat, hands the batch to a worker (forked after the context is read), and once the batch
comes back it chains the audit events in order from the head and sends the rows. A worker builds
the rows and formats them as COPY text, the events as far as their place in the chain. So the
same seed gives the same rows, ids, numbers and hashes as the serial path.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import multiprocessing
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, models

from vikno.appeals.management import bulk
from vikno.appeals.management.bulk import build_batch
from vikno.appeals.management.bulk_plan import (
    ANSWERED,
    ASSIGNED,
    AWAITING,
    CLOSED,
    EXTENDED,
    IN_WORK,
    REPEAT_WINDOW,
    Context,
    PlannedAppeal,
)
from vikno.appeals.management.bulk_store import (
    Batch,
    CopySink,
    Ledger,
    OpenChain,
    close_events,
    new_row,
)
from vikno.appeals.models import Appeal, Applicant, Assignment, Question, Reply

WORKERS = 2
# The lives that get an assignment per question, and those that get a reply per assignment
# (bulk._script).
ROUTED = frozenset({ASSIGNED, IN_WORK, EXTENDED, ANSWERED, AWAITING, CLOSED})
REPLIED = frozenset({ANSWERED, AWAITING, CLOSED})


@dataclass
class Job:
    """One batch for a worker: its plans and what the writing process decided for them."""

    plans: list[PlannedAppeal]
    offset: int  # the index of its first plan
    counters: dict[int, int]  # the registration counters before the batch
    ids: dict[type[models.Model], list[int]]  # the ids its rows take, by table
    earlier: dict[int, int]  # the applicant id of each earlier plan a repeat applicant names
    keys: dict[str, str]  # the search key of each of its texts


# What a worker reads once: inherited from the writing process at the fork.
_CONTEXT: list[Context] = []


# The writing process's connections as a worker inherits them: kept, never used nor closed.
_INHERITED: list[Any] = []


def _own_connections() -> None:
    """In a new worker: leave the writing process's connections alone (closing one here would
    end its session for both), so that this process opens its own when it needs one (the
    adapters of COPY's text). The process ends by os._exit: nothing is closed then either."""
    for alias in connections:
        wrapper = connections[alias]
        if wrapper.connection is not None:
            _INHERITED.append(wrapper.connection)
            wrapper.connection = None


def _build(job: Job) -> Batch:
    """In a worker: the batch's rows as COPY text, its events without their place in the
    chain."""
    applicants: dict[int, Applicant | None] = {
        index: new_row(Applicant, id=pk) for index, pk in job.earlier.items()}
    bulk.GIVEN_KEYS.clear()
    bulk.GIVEN_KEYS.update(job.keys)
    made = build_batch(job.plans, context=_CONTEXT[0], applicants=applicants, offset=job.offset,
                       ledger=Ledger(counters=dict(job.counters)),
                       out=CopySink(ids=job.ids), chain=OpenChain())
    made.sink.ids = None  # type: ignore[attr-defined]  # not sent back
    return made


def _take_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` ids from the table's own sequence, in order (as the serial path takes them)."""
    if not n:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [model._meta.db_table, n])
        return [pk for (pk,) in cursor.fetchall()]


class Planner:
    """The writing process's side: the jobs in order, and the batches back in order with their
    events chained."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.built = 0
        self.people: dict[int, int | None] = {}  # the applicant id of each recent plan

    def job(self, plans: list[PlannedAppeal]) -> Job:
        offset = self.built
        counters = dict(self.ledger.counters)
        self.ledger.numbers(plans)  # the worker numbers them alike from `counters`
        applicants = _take_ids(Applicant, sum(p.applicant is not None for p in plans))
        fresh = iter(applicants)
        earlier: dict[int, int] = {}
        for index, plan in enumerate(plans, start=offset):
            person: int | None = None
            if plan.applicant is not None:
                person = next(fresh)
            elif plan.repeat_of is not None:
                person = self.people.get(plan.repeat_of)
                if plan.repeat_of < offset and person is not None:
                    earlier[plan.repeat_of] = person
            self.people[index] = person
        self.built += len(plans)
        # As the serial path forgets its applicants.
        for index in [i for i in self.people if i < self.built - 2 * REPEAT_WINDOW]:
            del self.people[index]
        questions = sum(len(p.subtopic_codes) for p in plans)
        routed = sum(len(p.subtopic_codes) for p in plans if p.target in ROUTED)
        replied = sum(len(p.subtopic_codes) for p in plans if p.target in REPLIED)
        ids: dict[type[models.Model], list[int]] = {
            Applicant: applicants, Appeal: _take_ids(Appeal, len(plans)),
            Question: _take_ids(Question, questions), Assignment: _take_ids(Assignment, routed),
            Reply: _take_ids(Reply, replied)}
        keys = {p.text: bulk.search_key(p.text) for p in plans}
        return Job(plans=plans, offset=offset, counters=counters, ids=ids, earlier=earlier,
                   keys=keys)

    def chained(self, made: Batch) -> Batch:
        close_events(made, self.ledger)
        return made


@contextlib.contextmanager
def worker_pool(context: Context, workers: int = WORKERS) -> Iterator[Any]:
    """`workers` processes forked now (call it before starting any thread), the context
    inherited; ended on the way out. A worker that dies (killed, out of memory) breaks the pool:
    the batch waiting for it raises `BrokenProcessPool` instead of waiting for ever."""
    _CONTEXT[:] = [context]
    pool = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_own_connections)
    try:
        # With fork, the first task starts every worker: here, before the planning thread.
        pool.submit(_ready).result()
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _CONTEXT.clear()


def _ready() -> bool:
    return True


def in_workers(chunks: Iterable[list[PlannedAppeal]], *, pool: Any, ledger: Ledger,
               workers: int = WORKERS) -> Generator[Batch, None, None]:
    """The batches, each built by one of the pool's `workers` processes, up to `workers` + 1
    ahead of the caller, chained and in order. Plans, ids and the chain are this thread's:
    run it in a thread of its own (bulk_run._ahead) and the writer's COPY overlaps them."""
    planner = Planner(ledger)
    pending: collections.deque[Any] = collections.deque()
    for chunk in chunks:
        pending.append(pool.submit(_build, planner.job(chunk)))
        if len(pending) > workers:
            yield planner.chained(pending.popleft().result())
    while pending:
        yield planner.chained(pending.popleft().result())
