"""The dashboard's and the statistics' figures from the maintained counts (models.counts), not
from a scan of the registry: each figure is a sum over a few rows per day (or per authority),
whatever the number of appeals.

What depends on today (overdue now, ст.7 terms running past their 5 days, requested extensions,
appeals returned by every executor) is no fact of a day: those are counted by the queue's own
conditions over the few open rows, through partial indexes on the open statuses.
`tests/test_stats_counts.py` holds every figure equal to the scanning reads of `selectors` and
`selectors_control` on generated data.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum

from vikno.appeals.lifecycle import OWING_STATUSES, AppealStatus, AssignmentStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    AuthorityCount,
    AuthorityMeasure,
    Channel,
    DailyCount,
    Dimension,
    Kind,
)
from vikno.appeals.selectors import overdue_q
from vikno.appeals.selectors_control import (
    Attention,
    AttentionCounts,
    AuthorityRow,
    Series,
    _week_range,
    attention_q,
    sort_authority_rows,
)
from vikno.core import clock
from vikno.directory.models import Authority, Topic

A = AssignmentStatus


def _period(since: date | None, until: date | None) -> Q:
    q = Q()
    if since:
        q &= Q(day__gte=since)
    if until:
        q &= Q(day__lte=until)
    return q


def _sums(dimensions: list[str], *, since: date | None = None, until: date | None = None
          ) -> dict[tuple[str, str, bool], int]:
    """(dimension, key, public information) → the sum over the period's days and the shards."""
    rows = (DailyCount.objects.filter(_period(since, until), dimension__in=dimensions)
            .values_list("dimension", "key", "public_information").annotate(total=Sum("n"))
            .order_by())
    return {(d, k, bool(pi)): int(n) for d, k, pi, n in rows}


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
               today: date | None = None) -> dict[str, Any]:
    """The analysts' aggregates (the shape of `selectors.statistics`): counts only. Requests for
    public information are counted apart, never in the appeals' figures (ADR 13)."""
    today = today or clock.today()
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
    overdue = Appeal.objects.filter(overdue_q(today)).exclude(kind=Kind.PUBLIC_INFORMATION)
    if since:
        overdue = overdue.filter(received_at__date__gte=since)
    if until:
        overdue = overdue.filter(received_at__date__lte=until)
    return {
        "total": sum(statuses.values()),
        "by_status": {s.value: statuses.get(s.value, 0) for s in AppealStatus},
        "by_channel": of(Dimension.CHANNEL),
        "by_topic": by_topic,
        "by_raion": of(Dimension.RAION),
        "overdue": overdue.count(),
        "priority": of(Dimension.PRIORITY).get("1", 0),
        "public_information": sum(n for (d, _k, pi), n in sums.items()
                                  if d == Dimension.STATUS and pi),
    }


def attention_counts(*, today: date | None = None,
                     statuses: dict[str, int] | None = None) -> AttentionCounts:
    """The counts at the top of the dashboard: the statuses' from the counts, the rest by the
    queue's own conditions (the few open rows, through the partial indexes)."""
    today = today or clock.today()
    statuses = status_counts() if statuses is None else statuses

    def count(q: Q) -> int:
        return Appeal.objects.filter(q).count()

    return AttentionCounts(
        extension_requested=count(attention_q(Attention.EXTENSION_REQUESTED, today=today)),
        returned=count(attention_q(Attention.RETURNED, today=today)),
        overdue=count(overdue_q(today)),
        review=statuses[AppealStatus.ANSWERED],
        routing_late=count(attention_q(Attention.ROUTING_LATE, today=today)),
        awaiting_confirmation=statuses[AppealStatus.AWAITING_CONFIRMATION],
    )


def authority_table(*, sort: str | None = None, today: date | None = None) -> list[AuthorityRow]:
    """The executors' table of `selectors_control.authority_table` from the counts per authority;
    only "overdue" (owing past its control date today) is counted over the owing assignments."""
    today = today or clock.today()
    measures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for authority_id, measure, n in (AuthorityCount.objects.values_list("authority_id", "measure")
                                     .annotate(total=Sum("n")).order_by()):
        measures[authority_id][measure] += int(n)
    overdue = dict(Assignment.objects.filter(role=AssignmentRole.MAIN, status__in=OWING_STATUSES,
                                             due_date__lt=today)
                   .values_list("authority_id").annotate(n=Count("id")).order_by())
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
    for day, n in (DailyCount.objects.filter(dimension=Dimension.STATUS, day__gte=span[0])
                   .values_list("day").annotate(total=Sum("n")).order_by()):
        day = day.date() if isinstance(day, datetime) else day
        found[day - timedelta(days=day.weekday())] += int(n)
    return Series(weeks=span, values=[found.get(w, 0) for w in span])
