"""Reads of the supervisor's dashboard: what needs action first, the executors' table and the
series of the charts. Aggregates only (counts, averages): no name, text or number of an appeal,
so the analysts' view of the dashboard is built from the same reads.

Every figure is one GROUP BY or one conditional aggregate over indexed columns; nothing loops over
the appeals in Python. The "attention" conditions are Q objects on Appeal, shared by the counts
here and by the queue's `attention` filter, so a count and the list it links to cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from vikno.appeals.lifecycle import OWING_STATUSES, AppealStatus, AssignmentStatus
from vikno.appeals.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Extension,
    ExtensionStatus,
    Reply,
    RoutingTerm,
)
from vikno.appeals.selectors import overdue_q
from vikno.core import clock
from vikno.core.search import uk_sort_key


class Attention(models.TextChoices):
    """What the centre must act on, as the queue's `attention` filter names it."""

    EXTENSION_REQUESTED = "extension_requested", _("Extension requests to decide")
    # Named after the assignments' status: every executor returned it.
    RETURNED = AssignmentStatus.RETURNED.value, _("Returned as not in competence: to re-route")
    REVIEW = "review", _("Answers to review")
    ROUTING_LATE = "routing_late", _("Without an executor past 5 days (ст.7)")


def attention_q(attention: str, *, today: date | None = None) -> Q:
    """The appeals of one attention category; an unknown name matches nothing."""
    today = today or clock.today()
    if attention == Attention.EXTENSION_REQUESTED:
        return Q(pk__in=Extension.objects.filter(status=ExtensionStatus.REQUESTED)
                 .values("appeal_id"))
    if attention == Attention.RETURNED:
        # Every executor returned it: the appeal is back to registered with a returned assignment.
        return Q(status=AppealStatus.REGISTERED,
                 pk__in=Assignment.objects.filter(status=AssignmentStatus.RETURNED)
                 .values("question__appeal_id"))
    if attention == Attention.REVIEW:
        return Q(status=AppealStatus.ANSWERED)
    if attention == Attention.ROUTING_LATE:
        # ст.7: a routing term still open (no executor, not forwarded) past its 5 days.
        return Q(pk__in=RoutingTerm.objects.filter(done_date__isnull=True, due_date__lt=today)
                 .values("appeal_id"))
    return Q(pk__in=[])


@dataclass(frozen=True)
class AttentionCounts:
    extension_requested: int
    returned: int
    overdue: int
    review: int
    routing_late: int
    awaiting_confirmation: int


def attention_counts(*, today: date | None = None) -> AttentionCounts:
    """The counts at the top of the dashboard, in one query."""
    today = today or clock.today()
    counts = Appeal.objects.aggregate(
        extension_requested=Count("pk", filter=attention_q(Attention.EXTENSION_REQUESTED,
                                                           today=today)),
        returned=Count("pk", filter=attention_q(Attention.RETURNED, today=today)),
        overdue=Count("pk", filter=overdue_q(today)),
        review=Count("pk", filter=attention_q(Attention.REVIEW, today=today)),
        routing_late=Count("pk", filter=attention_q(Attention.ROUTING_LATE, today=today)),
        awaiting_confirmation=Count("pk", filter=Q(status=AppealStatus.AWAITING_CONFIRMATION)),
    )
    return AttentionCounts(**counts)


# The executors' table -------------------------------------------------------------------------

@dataclass(frozen=True)
class AuthorityRow:
    authority_id: int
    code: str
    name: str
    arrived: int
    working: int
    overdue: int
    replied: int
    revision: int
    avg_days: float | None  # from the assignment to its first answer, in days


SORT_COLUMNS = ("name", "arrived", "working", "overdue", "replied", "revision", "avg_days")
DEFAULT_SORT = "-overdue"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """`sort=overdue` / `sort=-overdue` → (column, descending); anything else the default."""
    value = value or DEFAULT_SORT
    column, descending = value.removeprefix("-"), value.startswith("-")
    if column not in SORT_COLUMNS:
        return parse_sort(DEFAULT_SORT)
    return column, descending


def _first_replies() -> Any:
    """Each main assignment's first answer (a later one is an answer after a revision)."""
    earlier = Reply.objects.filter(assignment=OuterRef("assignment"),
                                   created_at__lt=OuterRef("created_at"))
    return Reply.objects.filter(assignment__role=AssignmentRole.MAIN).filter(~Exists(earlier))


def authority_table(*, sort: str | None = None, today: date | None = None) -> list[AuthorityRow]:
    """Per authority (main assignments, re-routed ones left out): arrived, in work, overdue,
    answered, returned for revision and the average days to the first answer; two GROUP BY
    queries. Sorted by `sort` (see parse_sort), ties by name in Ukrainian order, then by code."""
    today = today or clock.today()
    qs = Assignment.objects.filter(role=AssignmentRole.MAIN).exclude(
        status=AssignmentStatus.CANCELLED)
    rows = (qs.values("authority_id", "authority__code", "authority__name")
            .annotate(
                arrived=Count("id"),
                working=Count("id", filter=Q(status__in=[AssignmentStatus.ASSIGNED,
                                                          AssignmentStatus.IN_WORK])),
                overdue=Count("id", filter=Q(status__in=OWING_STATUSES, due_date__lt=today)),
                replied=Count("id", filter=Q(status__in=[AssignmentStatus.ANSWERED,
                                                           AssignmentStatus.CLOSED])),
                revision=Count("id", filter=Q(status=AssignmentStatus.FOR_REVISION)),
            ).order_by())
    took = ExpressionWrapper(F("created_at") - F("assignment__created_at"),
                             output_field=DurationField())
    averages = {r["assignment__authority_id"]: r["avg"] for r in
                _first_replies().values("assignment__authority_id")
                .annotate(avg=Avg(took)).order_by()}
    table = [AuthorityRow(r["authority_id"], r["authority__code"], r["authority__name"],
                          r["arrived"], r["working"], r["overdue"], r["replied"],
                          r["revision"], _days(averages.get(r["authority_id"])))
             for r in rows]
    return sort_authority_rows(table, sort)


def _days(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86_400_000_000, 1)  # microseconds, on a backend without intervals


def sort_authority_rows(rows: list[AuthorityRow], sort: str | None) -> list[AuthorityRow]:
    """A stable order: by the column, then by name (Ukrainian alphabet), then by code. An
    authority without answers (no average) goes last either way."""
    column, descending = parse_sort(sort)
    rows = sorted(rows, key=lambda r: (uk_sort_key(r.name), r.code))
    if column == "name":
        return list(reversed(rows)) if descending else rows
    known = [r for r in rows if getattr(r, column) is not None]
    unknown = [r for r in rows if getattr(r, column) is None]
    # sorted() is stable: equal values keep the name order in both directions.
    known = sorted(known, key=lambda r: getattr(r, column), reverse=descending)
    return known + unknown


# The charts -----------------------------------------------------------------------------------

WEEKS = 26


@dataclass(frozen=True)
class Series:
    """One point per week (its Monday), oldest first; weeks without data are zeros."""

    weeks: list[date]
    values: list[int]

    def as_json(self) -> dict[str, Any]:
        return {"labels": [w.isoformat() for w in self.weeks], "values": self.values}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_range(today: date, weeks: int) -> list[date]:
    last = _monday(today)
    return [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def _as_date(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _series(weeks: list[date], rows: Any) -> Series:
    found = {_as_date(r["week"]): r["n"] for r in rows}
    return Series(weeks=weeks, values=[found.get(w, 0) for w in weeks])


def intake_per_week(*, today: date | None = None, weeks: int = WEEKS) -> Series:
    """Appeals received per week (Monday to Sunday in Kyiv), the last `weeks` weeks."""
    today = today or clock.today()
    span = _week_range(today, weeks)
    kyiv = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(span[0], datetime.min.time(), tzinfo=kyiv)
    rows = (Appeal.objects.filter(received_at__gte=since)
            .annotate(week=TruncWeek("received_at", tzinfo=kyiv))
            .values("week").annotate(n=Count("id")).order_by())
    return _series(span, rows)


def overdue_per_week(*, today: date | None = None, weeks: int = WEEKS) -> Series:
    """Main assignments that missed their control date, by the week the date fell in: not
    answered on or before it (answered late, or still owed). Re-routed and returned assignments
    are left out; the current week counts the days already past."""
    today = today or clock.today()
    span = _week_range(today, weeks)
    on_time = Reply.objects.filter(assignment=OuterRef("pk"),
                                   created_at__date__lte=OuterRef("due_date"))
    rows = (Assignment.objects.filter(role=AssignmentRole.MAIN, due_date__gte=span[0],
                                      due_date__lt=today)
            .exclude(status__in=[AssignmentStatus.CANCELLED, AssignmentStatus.RETURNED])
            .filter(~Exists(on_time))
            .annotate(week=TruncWeek("due_date")).values("week").annotate(n=Count("id"))
            .order_by())
    return _series(span, rows)

