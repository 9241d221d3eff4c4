"""The maintained counts (models.counts): kept by the services in the transaction of the change
they count, and rebuilt from the registry.

Every change is a delta (+1 / -1) added to a row by one UPSERT (`INSERT … ON CONFLICT DO UPDATE
SET n = n + excluded.n`, the same statement on PostgreSQL and SQLite), for its day and for its
month. The row is chosen by the day, the figure and a shard (the appeal's or assignment's id
modulo SHARDS), so concurrent registrations of the same day, channel and status add to
different rows. Inside `batched()` (the registration) the deltas are summed in memory and
written at the end, one statement per table, in a fixed order: the rows are locked for the
last moment of the transaction only, and a move that cancels out (registered → assigned in
the same registration) writes nothing for the status it left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, StrIndex, Substr, TruncDate, TruncMonth
from django.utils import timezone

from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    AuthorityCount,
    AuthorityMeasure,
    CountSnapshot,
    DailyCount,
    Dimension,
    Kind,
    MonthlyCount,
    Question,
    Reply,
)
from vikno.core import clock

SHARDS = 8

DailyKey = tuple[date, str, str, bool, int]
AuthorityKey = tuple[int, str, int]


@dataclass
class Pending:
    daily: dict[DailyKey, int] = field(default_factory=lambda: defaultdict(int))
    authority: dict[AuthorityKey, int] = field(default_factory=lambda: defaultdict(int))

    def __bool__(self) -> bool:
        return any(self.daily.values()) or any(self.authority.values())


_batch: ContextVar[Pending | None] = ContextVar("counts_batch", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Sum the deltas recorded inside and write them when the block ends (inside the caller's
    transaction). Nested: the outer block writes them."""
    if _batch.get() is not None:
        yield
        return
    pending = Pending()
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    _write(pending)


def batch_mark() -> Pending:
    """A copy of what the current batch holds: pass it to batch_discard when a savepoint taken
    now rolls back, so its deltas are dropped with its rows."""
    pending = _batch.get() or Pending()
    return Pending(daily=defaultdict(int, pending.daily),
                   authority=defaultdict(int, pending.authority))


def batch_discard(mark: Pending) -> None:
    pending = _batch.get()
    if pending is not None:
        pending.daily = defaultdict(int, mark.daily)
        pending.authority = defaultdict(int, mark.authority)


def _add(pending: Pending) -> None:
    current = _batch.get()
    if current is None:
        _write(pending)
        return
    for daily_key, n in pending.daily.items():
        current.daily[daily_key] += n
    for authority_key, n in pending.authority.items():
        current.authority[authority_key] += n


def _upsert(table: str, columns: list[str], unique: list[str], rows: list[tuple[Any, ...]],
            after: str = "") -> tuple[str, list[Any]]:
    """One `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` of `rows` (the last value of
    each is n) and its parameters. `after`: the name of a data-modifying WITH query of the same
    statement that must run first (its rows locked before these; none of these written when it
    returns no row)."""
    width = len(columns)
    values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    source = (f"VALUES {values}" if not after  # names and placeholders only
              else f"SELECT * FROM (VALUES {values}) AS v WHERE EXISTS (SELECT FROM {after})")  # noqa: S608
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) {source}"
           f" ON CONFLICT ({', '.join(unique)}) DO UPDATE SET n = {table}.n + excluded.n")
    return sql, [value for row in rows for value in row]


def _statements(pending: Pending, after: str = "") -> list[tuple[str, list[Any]]]:
    """The upserts of the deltas, one per table, rows in a fixed order (no deadlock between two
    writers of the same rows)."""
    daily = sorted((k, n) for k, n in pending.daily.items() if n)
    monthly: dict[DailyKey, int] = defaultdict(int)
    for (day, dimension, key, pi, shard), n in daily:
        monthly[(day.replace(day=1), dimension, key, pi, shard)] += n
    authority = sorted((k, n) for k, n in pending.authority.items() if n)
    facts = ["dimension", "key", "public_information", "shard"]
    statements = []
    if daily:
        statements.append(_upsert(DailyCount._meta.db_table, ["day", *facts, "n"],
                                  ["day", *facts], [(*k, n) for k, n in daily], after))
        statements.append(_upsert(MonthlyCount._meta.db_table, ["month", *facts, "n"],
                                  ["month", *facts],
                                  [(*k, n) for k, n in sorted(monthly.items()) if n], after))
    if authority:
        statements.append(_upsert(AuthorityCount._meta.db_table,
                                  ["authority_id", "measure", "shard", "n"],
                                  ["authority_id", "measure", "shard"],
                                  [(*k, n) for k, n in authority], after))
    return statements


def batch_take(*, after: str) -> list[tuple[str, list[Any]]]:
    """PostgreSQL: the current batch's upserts as statements to run inside another statement,
    after its data-modifying WITH query `after` (registration: the one taking the number, so
    the counts cost no round trip of their own while the year's counter is held); the batch is
    emptied, its end writes nothing more. [] outside a batch."""
    pending = _batch.get()
    if pending is None:
        return []
    statements = _statements(pending, after)
    pending.daily.clear()
    pending.authority.clear()
    return statements


def _write(pending: Pending) -> None:
    """The deltas in one round trip on PostgreSQL (the statements joined as data-modifying
    WITH clauses), one statement per table elsewhere."""
    statements = _statements(pending)
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            *first, (last_sql, last_params) = statements
            with_clause = ", ".join(f"c{i} AS ({sql} RETURNING 1)" for i, (sql, _) in
                                    enumerate(first))
            cursor.execute((f"WITH {with_clause} " if first else "") + last_sql,
                           [p for _, params in first for p in params] + last_params)
            return
        for sql, params in statements:
            cursor.execute(sql, params)


# The facts of one appeal ------------------------------------------------------------------------

def raion_of(path: str) -> str:
    """The raion of a territory: the second code of its path ("" for the oblast itself)."""
    parts = path.split("/")
    return parts[1] if len(parts) >= 2 else ""


def _daily(appeal: Appeal, dimension: str, key: str) -> DailyKey:
    return (clock.local_date(appeal.received_at), dimension, key,
            appeal.kind == Kind.PUBLIC_INFORMATION, appeal.pk % SHARDS)


def appeal_registered(*, appeal: Appeal, topic_ids: set[int]) -> None:
    """A new appeal counted as registered; its moves since (routing) are counted by the moves."""
    pending = Pending()
    facts = [(Dimension.RECEIVED, ""), (Dimension.STATUS, AppealStatus.REGISTERED.value),
             (Dimension.CHANNEL, appeal.channel),
             *[(Dimension.TOPIC, str(pk)) for pk in sorted(topic_ids)]]
    if appeal.priority:
        facts.append((Dimension.PRIORITY, "1"))
    raion = raion_of(appeal.territory.path) if appeal.territory_id else ""  # type: ignore[union-attr]
    if raion:
        facts.append((Dimension.RAION, raion))
    for dimension, key in facts:
        pending.daily[_daily(appeal, dimension, key)] += 1
    _add(pending)


def appeal_status_moved(*, appeal: Appeal, before: str, after: str) -> None:
    pending = Pending()
    pending.daily[_daily(appeal, Dimension.STATUS, before)] -= 1
    pending.daily[_daily(appeal, Dimension.STATUS, after)] += 1
    _add(pending)


def appeal_priority_changed(*, appeal: Appeal) -> None:
    pending = Pending()
    pending.daily[_daily(appeal, Dimension.PRIORITY, "1")] += 1 if appeal.priority else -1
    _add(pending)


def assignment_created(*, assignment: Assignment) -> None:
    if assignment.role != AssignmentRole.MAIN:
        return
    pending = Pending()
    pending.authority[(assignment.authority_id, assignment.status, assignment.pk % SHARDS)] += 1
    _add(pending)


def assignment_moved(*, assignment: Assignment, before: str, after: str) -> None:
    if assignment.role != AssignmentRole.MAIN:
        return
    pending = Pending()
    shard = assignment.pk % SHARDS
    pending.authority[(assignment.authority_id, before, shard)] -= 1
    pending.authority[(assignment.authority_id, after, shard)] += 1
    _add(pending)


def first_reply(*, assignment: Assignment, reply: Reply) -> None:
    """A main assignment's first answer: the executors' table averages the time to it."""
    if assignment.role != AssignmentRole.MAIN:
        return
    took = reply.created_at - assignment.created_at
    microseconds = (took.days * 86_400 + took.seconds) * 1_000_000 + took.microseconds
    pending = Pending()
    shard = assignment.pk % SHARDS
    pending.authority[(assignment.authority_id, AuthorityMeasure.FIRST_REPLIES, shard)] += 1
    pending.authority[(assignment.authority_id, AuthorityMeasure.FIRST_REPLY_MICROSECONDS,
                       shard)] += microseconds
    _add(pending)


# Rebuilding from the registry -------------------------------------------------------------------

@dataclass(frozen=True)
class RebuildReport:
    daily_rows: int
    monthly_rows: int
    authority_rows: int


def _day_of(path: str) -> TruncDate:
    return TruncDate(path, tzinfo=timezone.get_default_timezone())


def _daily_sources() -> list[QuerySet[Any]]:
    """One GROUP BY per dimension, each selecting (day, dimension, key, public_information,
    shard, n) in this order."""
    def appeals(dimension: str, key: Any, qs: QuerySet[Any] | None = None) -> QuerySet[Any]:
        qs = Appeal.objects.all() if qs is None else qs
        return (qs.order_by()
                .annotate(c_day=_day_of("received_at"), c_dimension=Value(dimension),
                          c_key=key, c_pi=ExpressionWrapper(Q(kind=Kind.PUBLIC_INFORMATION),
                                                            output_field=BooleanField()),
                          c_shard=Value(0))
                .values("c_day", "c_dimension", "c_key", "c_pi", "c_shard")
                .annotate(c_n=Count("id")))

    path = F("territory__path")
    rest = Substr(path, StrIndex(path, Value("/")) + 1)
    raion = Case(When(Q(c_slash__gt=0), then=Substr(rest, 1, StrIndex(rest, Value("/")) - 1)),
                 default=rest, output_field=CharField())
    raion_qs = (Appeal.objects.filter(territory__isnull=False)
                .annotate(c_first=StrIndex(path, Value("/")))
                .filter(c_first__gt=0)
                .annotate(c_slash=StrIndex(rest, Value("/"))))
    topics = (Question.objects.order_by()
              .annotate(c_day=_day_of("appeal__received_at"), c_dimension=Value(Dimension.TOPIC),
                        c_key=Cast("subtopic__topic_id", CharField()),
                        c_pi=ExpressionWrapper(Q(appeal__kind=Kind.PUBLIC_INFORMATION),
                                               output_field=BooleanField()),
                        c_shard=Value(0))
              .values("c_day", "c_dimension", "c_key", "c_pi", "c_shard")
              .annotate(c_n=Count("appeal_id", distinct=True)))
    return [
        appeals(Dimension.RECEIVED, Value("")),
        appeals(Dimension.STATUS, F("status")),
        appeals(Dimension.CHANNEL, F("channel")),
        appeals(Dimension.PRIORITY, Value("1"), Appeal.objects.filter(priority=True)),
        appeals(Dimension.RAION, raion, raion_qs),
        topics,
    ]


def _authority_rows() -> list[AuthorityCount]:
    rows = [AuthorityCount(authority_id=r["authority_id"], measure=r["status"], n=r["n"])
            for r in Assignment.objects.filter(role=AssignmentRole.MAIN).order_by()
            .values("authority_id", "status").annotate(n=Count("id"))]
    earlier = Reply.objects.filter(assignment=OuterRef("assignment"),
                                   created_at__lt=OuterRef("created_at"))
    took = ExpressionWrapper(F("created_at") - F("assignment__created_at"),
                             output_field=DurationField())
    for r in (Reply.objects.filter(assignment__role=AssignmentRole.MAIN).filter(~Exists(earlier))
              .order_by().values("assignment__authority_id")
              .annotate(n=Count("id"), total=Sum(took))):
        authority = r["assignment__authority_id"]
        total = r["total"]
        microseconds = (round(total.total_seconds() * 1_000_000) if hasattr(total, "total_seconds")
                        else int(total or 0))
        rows += [AuthorityCount(authority_id=authority, measure=AuthorityMeasure.FIRST_REPLIES,
                                n=r["n"]),
                 AuthorityCount(authority_id=authority,
                                measure=AuthorityMeasure.FIRST_REPLY_MICROSECONDS, n=microseconds)]
    return rows


@transaction.atomic
def counts_rebuild() -> RebuildReport:
    """Recompute every maintained count from the registry: one INSERT … SELECT … GROUP BY per
    dimension (the rows never pass through Python), and the executors' few rows. On PostgreSQL
    the tables are locked first: a change committed meanwhile adds its delta after the rebuild,
    never into the rows being replaced."""
    daily_table, authority_table = DailyCount._meta.db_table, AuthorityCount._meta.db_table
    monthly_table = MonthlyCount._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {daily_table}, {monthly_table}, {authority_table} "
                           "IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {daily_table}")  # noqa: S608
        cursor.execute(f"DELETE FROM {monthly_table}")  # noqa: S608
        cursor.execute(f"DELETE FROM {authority_table}")  # noqa: S608
        for qs in _daily_sources():
            sql, params = qs.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {daily_table} (day, dimension, key, public_information, shard, n) "  # noqa: S608
                f"SELECT * FROM ({sql}) AS source WHERE source.c_key IS NOT NULL", params)
        months = (DailyCount.objects.order_by()
                  .annotate(c_month=TruncMonth("day"), c_dimension=F("dimension"),
                            c_key=F("key"), c_pi=F("public_information"), c_shard=Value(0))
                  .values("c_month", "c_dimension", "c_key", "c_pi", "c_shard")
                  .annotate(c_n=Sum("n")))
        sql, params = months.query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {monthly_table} (month, dimension, key, public_information, shard, n) "  # noqa: S608
            f"SELECT * FROM ({sql}) AS source", params)
    AuthorityCount.objects.bulk_create(_authority_rows(), batch_size=1000)
    return RebuildReport(daily_rows=DailyCount.objects.count(),
                         monthly_rows=MonthlyCount.objects.count(),
                         authority_rows=AuthorityCount.objects.count())


def stats_snapshot_refresh(*, today: date | None = None) -> CountSnapshot:
    """Take the snapshot of today's figures (selectors_stats.today_figures) the dashboard and the
    statistics read: the periodic task `stats-snapshot` runs it every few minutes."""
    from vikno.appeals.selectors_stats import SNAPSHOT, compute_today_figures

    figures = compute_today_figures(today=today)
    snapshot, _ = CountSnapshot.objects.update_or_create(
        name=SNAPSHOT, defaults={"today": figures.today, "taken_at": figures.taken_at,
                                 "data": figures.as_data()})
    return snapshot


__all__ = ["SHARDS", "batch_take", "batched", "counts_rebuild", "stats_snapshot_refresh"]
