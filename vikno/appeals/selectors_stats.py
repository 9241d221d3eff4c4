"""The dashboard's and the statistics' figures from the maintained counts (models.counts), not
from a scan of the registry: each figure is a sum over a few rows per day (or per authority),
whatever the number of appeals.

What depends on today is no fact of a day. Overdue appeals (by day of receipt, per authority),
ст.7 terms past their 5 days and missed control dates per week come from a snapshot a periodic
task takes every few minutes (`today_figures`, computed here, stored by
`services.stats_snapshot_refresh`), shown with its time; without a fresh one they are computed
on the spot. Requested extensions and appeals every executor returned are counted by the
queue's own conditions over the few rows concerned.
`tests/test_stats_counts.py` holds every figure equal to the scanning reads of `selectors` and
`selectors_control` on generated data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from vikno.appeals.lifecycle import OWING_STATUSES, AppealStatus, AssignmentStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    AuthorityCount,
    AuthorityMeasure,
    Channel,
    CountSnapshot,
    DailyCount,
    Dimension,
    Kind,
    MonthlyCount,
    RoutingTerm,
)
from vikno.appeals.selectors import overdue_q, routing_missed_q
from vikno.appeals.selectors_control import (
    Attention,
    AttentionCounts,
    AuthorityRow,
    Series,
    _week_range,
    attention_q,
    overdue_per_week,
    sort_authority_rows,
)
from vikno.core import clock
from vikno.directory.models import Authority, Topic

A = AssignmentStatus


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _split(since: date | None, until: date | None
           ) -> tuple[tuple[date | None, date | None] | None, list[tuple[date | None, date | None]]]:
    """A period as whole months (read from MonthlyCount; None: no such month) and the days
    outside them (read from DailyCount). Open ends stay open."""
    first = None if since is None else (since if since.day == 1 else _first_of_next_month(since))
    last = None
    if until is not None:
        this_month = until.replace(day=1)
        ends_month = _first_of_next_month(until) - timedelta(days=1) == until
        last = this_month if ends_month else (this_month - timedelta(days=1)).replace(day=1)
    if first is not None and last is not None and first > last:
        return None, [(since, until)]
    days: list[tuple[date | None, date | None]] = []
    if since is not None and first is not None and since < first:
        days.append((since, first - timedelta(days=1)))
    if until is not None and last is not None:
        after = _first_of_next_month(last)
        if after <= until:
            days.append((after, until))
    return (first, last), days


def _sums(dimensions: list[str], *, since: date | None = None, until: date | None = None
          ) -> dict[tuple[str, str, bool], int]:
    """(dimension, key, public information) → the sum over the period and the shards: whole
    months from their monthly rows, the ragged ends from the daily ones."""
    found: dict[tuple[str, str, bool], int] = defaultdict(int)
    months, days = _split(since, until)
    queries: list[QuerySet[Any]] = []
    if months is not None:
        q = Q(dimension__in=dimensions)
        if months[0] is not None:
            q &= Q(month__gte=months[0])
        if months[1] is not None:
            q &= Q(month__lte=months[1])
        queries.append(MonthlyCount.objects.filter(q))
    for low, high in days:
        q = Q(dimension__in=dimensions)
        if low is not None:
            q &= Q(day__gte=low)
        if high is not None:
            q &= Q(day__lte=high)
        queries.append(DailyCount.objects.filter(q))
    for qs in queries:
        for d, k, pi, n in (qs.values_list("dimension", "key", "public_information")
                            .annotate(total=Sum("n")).order_by()):
            found[(d, k, bool(pi))] += int(n)
    return dict(found)


# What depends on today ---------------------------------------------------------------------------

SNAPSHOT = "today"
# A snapshot older than this (the task stopped) is not shown: the figures are computed instead.
SNAPSHOT_MAX_AGE = timedelta(minutes=15)


@dataclass(frozen=True)
class TodayFigures:
    today: date
    taken_at: datetime
    overdue: list[tuple[date, bool, int]]  # overdue appeals by (day of receipt, public info)
    authority_overdue: dict[int, int]  # main assignments owed past their date, per authority
    overdue_weeks: list[int]  # selectors_control.overdue_per_week's values
    routing_missed: int  # ст.7 terms missed (the dashboard's list)
    routing_late: int  # appeals with a routing term still open past its 5 days

    def as_data(self) -> dict[str, Any]:
        return {"overdue": [[d.isoformat(), pi, n] for d, pi, n in self.overdue],
                "authority_overdue": {str(k): n for k, n in self.authority_overdue.items()},
                "overdue_weeks": self.overdue_weeks, "routing_missed": self.routing_missed,
                "routing_late": self.routing_late}

    @classmethod
    def of(cls, snapshot: CountSnapshot) -> TodayFigures:
        data = snapshot.data
        return cls(today=snapshot.today, taken_at=snapshot.taken_at,
                   overdue=[(date.fromisoformat(d), bool(pi), int(n))
                            for d, pi, n in data["overdue"]],
                   authority_overdue={int(k): int(n)
                                      for k, n in data["authority_overdue"].items()},
                   overdue_weeks=[int(n) for n in data["overdue_weeks"]],
                   routing_missed=int(data["routing_missed"]),
                   routing_late=int(data["routing_late"]))


def compute_today_figures(*, today: date | None = None) -> TodayFigures:
    """The figures of `today` over the registry (what the snapshot task stores)."""
    today = today or clock.today()
    taken_at = clock.now()
    by_day: dict[tuple[date, bool], int] = defaultdict(int)
    for received, kind, n in (Appeal.objects.filter(overdue_q(today))
                              .values_list("received_at__date", "kind")
                              .annotate(n=Count("id")).order_by()):
        by_day[(received, kind == Kind.PUBLIC_INFORMATION)] += n
    authority = dict(Assignment.objects.filter(role=AssignmentRole.MAIN,
                                               status__in=OWING_STATUSES, due_date__lt=today)
                     .values_list("authority_id").annotate(n=Count("id")).order_by())
    return TodayFigures(
        today=today, taken_at=taken_at,
        overdue=sorted((d, pi, n) for (d, pi), n in by_day.items()),
        authority_overdue=authority,
        overdue_weeks=overdue_per_week(today=today).values,
        routing_missed=RoutingTerm.objects.filter(routing_missed_q(today)).count(),
        routing_late=Appeal.objects.filter(attention_q(Attention.ROUTING_LATE,
                                                       today=today)).count())


def today_figures(*, today: date | None = None) -> TodayFigures:
    """The snapshot of today's figures when a fresh one was taken for today, else computed now."""
    today = today or clock.today()
    snapshot = CountSnapshot.objects.filter(
        name=SNAPSHOT, today=today, taken_at__gte=clock.now() - SNAPSHOT_MAX_AGE).first()
    return TodayFigures.of(snapshot) if snapshot else compute_today_figures(today=today)


def overdue_series(*, figures: TodayFigures, weeks: int = 26) -> Series:
    return Series(weeks=_week_range(figures.today, weeks), values=figures.overdue_weeks)


def status_counts() -> dict[str, int]:
    """Every appeal (requests for public information too) by status."""
    found: dict[str, int] = defaultdict(int)
    for (_, key, _pi), n in _sums([Dimension.STATUS]).items():
        found[key] += n
    return {s.value: found.get(s.value, 0) for s in AppealStatus}


def intake_by_channel() -> dict[str, int]:
    """How many appeals each channel has brought in so far (the metrics' intake counter)."""
    found: dict[str, int] = defaultdict(int)
    for (_, key, _pi), n in _sums([Dimension.CHANNEL]).items():
        found[key] += n
    return {str(channel): found.get(channel, 0) for channel in Channel.values}


def statistics(*, since: date | None = None, until: date | None = None,
               figures: TodayFigures | None = None) -> dict[str, Any]:
    """The analysts' aggregates (the shape of `selectors.statistics`): counts only. Requests for
    public information are counted apart, never in the appeals' figures (ADR 13)."""
    figures = figures or today_figures()
    sums = _sums([Dimension.STATUS, Dimension.CHANNEL, Dimension.TOPIC, Dimension.RAION,
                  Dimension.PRIORITY], since=since, until=until)

    def of(dimension: str) -> dict[str, int]:
        return {k: n for (d, k, pi), n in sums.items() if d == dimension and not pi and n}

    statuses = of(Dimension.STATUS)
    topic_counts = {int(k): n for k, n in of(Dimension.TOPIC).items()}
    topics = {t["pk"]: t for t in Topic.objects.filter(pk__in=list(topic_counts))
              .values("pk", "code", "name")}
    by_topic = sorted(((topics[pk]["code"], topics[pk]["name"], n)
                       for pk, n in topic_counts.items() if pk in topics),
                      key=lambda r: (-r[2], r[0]))
    overdue = sum(n for day, pi, n in figures.overdue
                  if not pi and (since is None or day >= since) and (until is None or day <= until))
    return {
        "total": sum(statuses.values()),
        "by_status": {s.value: statuses.get(s.value, 0) for s in AppealStatus},
        "by_channel": of(Dimension.CHANNEL),
        "by_topic": by_topic,
        "by_raion": of(Dimension.RAION),
        "overdue": overdue,
        "priority": of(Dimension.PRIORITY).get("1", 0),
        "public_information": sum(n for (d, _k, pi), n in sums.items()
                                  if d == Dimension.STATUS and pi),
    }


def attention_counts(*, figures: TodayFigures | None = None,
                     statuses: dict[str, int] | None = None) -> AttentionCounts:
    """The counts at the top of the dashboard: the statuses' from the counts, overdue and ст.7
    from today's figures, the rest by the queue's own conditions over the few rows concerned."""
    figures = figures or today_figures()
    today = figures.today
    statuses = status_counts() if statuses is None else statuses

    def count(q: Q) -> int:
        return Appeal.objects.filter(q).count()

    return AttentionCounts(
        extension_requested=count(attention_q(Attention.EXTENSION_REQUESTED, today=today)),
        returned=count(attention_q(Attention.RETURNED, today=today)),
        overdue=sum(n for _day, _pi, n in figures.overdue),
        review=statuses[AppealStatus.ANSWERED],
        routing_late=figures.routing_late,
        awaiting_confirmation=statuses[AppealStatus.AWAITING_CONFIRMATION],
    )


def authority_table(*, sort: str | None = None,
                    figures: TodayFigures | None = None) -> list[AuthorityRow]:
    """The executors' table of `selectors_control.authority_table` from the counts per authority;
    "overdue" (owing past its control date today) from today's figures."""
    figures = figures or today_figures()
    measures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for authority_id, measure, n in (AuthorityCount.objects.values_list("authority_id", "measure")
                                     .annotate(total=Sum("n")).order_by()):
        measures[authority_id][measure] += int(n)
    overdue = figures.authority_overdue
    arrived = {pk: sum(n for m, n in found.items() if m in A.values and m != A.CANCELLED)
               for pk, found in measures.items()}
    names = {a["pk"]: a for a in Authority.objects.filter(
        pk__in=[pk for pk, n in arrived.items() if n]).values("pk", "code", "name")}
    rows = []
    for pk, found in measures.items():
        if not arrived[pk] or pk not in names:
            continue
        replies = found.get(AuthorityMeasure.FIRST_REPLIES, 0)
        average = (round(found[AuthorityMeasure.FIRST_REPLY_MICROSECONDS] / replies
                         / 86_400_000_000, 1) if replies else None)
        rows.append(AuthorityRow(
            pk, names[pk]["code"], names[pk]["name"], arrived[pk],
            found.get(A.ASSIGNED, 0) + found.get(A.IN_WORK, 0), overdue.get(pk, 0),
            found.get(A.ANSWERED, 0) + found.get(A.CLOSED, 0), found.get(A.FOR_REVISION, 0),
            average))
    return sort_authority_rows(rows, sort)


def intake_per_week(*, today: date | None = None, weeks: int = 26) -> Series:
    """Appeals received per week (Monday to Sunday in Kyiv), the last `weeks` weeks."""
    today = today or clock.today()
    span = _week_range(today, weeks)
    found: dict[date, int] = defaultdict(int)
    for day, n in (DailyCount.objects.filter(dimension=Dimension.RECEIVED, day__gte=span[0])
                   .values_list("day").annotate(total=Sum("n")).order_by()):
        day = day.date() if isinstance(day, datetime) else day
        found[day - timedelta(days=day.weekday())] += int(n)
    return Series(weeks=span, values=[found.get(w, 0) for w in span])
