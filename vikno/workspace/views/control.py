"""The supervisor's dashboard and the statistics (aggregates only, no personal data, no links to
appeal cards: analysts read these pages too)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from vikno.accounts.access import role_of
from vikno.accounts.roles import Role
from vikno.appeals import access, selectors, selectors_stats
from vikno.appeals import selectors_control as control_reads
from vikno.appeals.errors import forbidden
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Channel
from vikno.core import clock, db
from vikno.workspace import reads
from vikno.workspace.forms.filters import PeriodForm
from vikno.workspace.permissions import role_required

LIST_LIMIT = 50


@role_required(Role.SUPERVISOR, Role.ANALYST)
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.sees_dashboard(request.user):
        raise forbidden()
    today = clock.today()
    # The figures may be a moment old: the read replica's, when there is one (ADR 28). The lists
    # below are what the supervisor acts on, read from the primary.
    with db.reporting():
        counts = selectors_stats.status_counts()
        figures = selectors_stats.today_figures(today=today)
        intake = selectors_stats.intake_per_week(today=today)
        rows = selectors_stats.authority_table(sort=request.GET.get("sort"), figures=figures)
        overdue = selectors_stats.overdue_series(figures=figures)
        attention = selectors_stats.attention_counts(figures=figures, statuses=counts)
    # The lists and the links name appeals or open the queue: the supervisor's working tools,
    # not the analyst's aggregates (the analyst sees the same figures without links).
    controls = role_of(request.user) == Role.SUPERVISOR
    column, descending = control_reads.parse_sort(request.GET.get("sort"))
    context: dict[str, Any] = {
        "attention": _attention_tiles(attention, links=controls),
        "rows": [{"row": r, "overdue_url": _queue_url(authority=r.code, overdue="1")
                  if controls else ""} for r in rows],
        "columns": _sortable_columns(column, descending),
        "status_counts": [(AppealStatus(s).label, n) for s, n in counts.items()],
        "charts": {"intake": intake.as_json(), "overdue": overdue.as_json()},
        "chart_rows": list(zip(intake.weeks, intake.values, overdue.values, strict=True)),
        "today": today,
        "figures_at": figures.taken_at,
        "controls": controls,
    }
    if controls:
        context |= {
            "extensions": list(selectors.pending_extensions()[:LIST_LIMIT]),
            "returned": list(selectors.returned_awaiting_routing(user=request.user)[:LIST_LIMIT]),
            "overdue": list(selectors.appeals_overdue().select_related("applicant")
                            .order_by("due_date")[:LIST_LIMIT]),
            **_routing_and_priority(missed_count=figures.routing_missed),
            **_awaiting_paper(request.user),
            "here": reverse("workspace:dashboard"),
        }
    return render(request, "workspace/dashboard.html", context)


def _queue_url(**params: str) -> str:
    """The queue filtered by GET parameters (status, overdue, authority, attention): no personal
    data, so they may stand in a URL."""
    return f"{reverse('workspace:queue')}?{urlencode(params)}"


def _attention_tiles(counts: control_reads.AttentionCounts, *, links: bool) -> list[dict[str, Any]]:
    """What needs action first, most pressing first, each with the queue filtered to it."""
    A = control_reads.Attention
    tiles = [
        (A.EXTENSION_REQUESTED.label, counts.extension_requested,
         {"attention": A.EXTENSION_REQUESTED.value}),
        (A.RETURNED.label, counts.returned, {"attention": A.RETURNED.value}),
        (_("Overdue"), counts.overdue, {"overdue": "1"}),
        (A.REVIEW.label, counts.review, {"attention": A.REVIEW.value}),
        (A.ROUTING_LATE.label, counts.routing_late, {"attention": A.ROUTING_LATE.value}),
        (_("Awaiting the applicant's confirmation"), counts.awaiting_confirmation,
         {"status": AppealStatus.AWAITING_CONFIRMATION.value}),
    ]
    return [{"label": label, "n": n, "url": _queue_url(**params) if links else ""}
            for label, n, params in tiles]


COLUMNS = [
    ("name", _("Authority")),
    ("arrived", _("Arrived")),
    ("working", _("In work")),
    ("overdue", _("Overdue")),
    ("replied", _("Answered")),
    ("revision", _("Returned for revision")),
    ("avg_days", _("Average days to answer")),
]


def _sortable_columns(current: str, descending: bool) -> list[dict[str, Any]]:
    """Each header's link: the current column toggles its direction; another column starts
    descending (the largest figures first), the name ascending."""
    columns = []
    for key, label in COLUMNS:
        if key == current:
            aria, next_desc = ("descending" if descending else "ascending"), not descending
        else:
            aria, next_desc = "", key != "name"
        columns.append({"key": key, "label": label, "aria_sort": aria,
                        "url": "?" + urlencode({"sort": f"-{key}" if next_desc else key})
                        + "#h-auth"})
    return columns


def _routing_and_priority(*, missed_count: int) -> dict[str, Any]:
    """ст.7 terms missed (their count from today's figures), and ст.20 priority appeals with
    their control dates: counts and lists."""
    today = clock.today()
    missed = selectors.routing_missed(today=today)
    priority = selectors.priority_under_control()
    return {
        "routing_missed_count": missed_count,
        "routing_missed": list(missed[:LIST_LIMIT]),
        "priority_count": priority.count(),
        "priority_overdue_count": priority.filter(due_date__lt=today).count(),
        "priority": list(priority[:LIST_LIMIT]),
    }


def _share(rows: list[tuple[str, Any, int]], total: int) -> list[tuple[str, Any, int, int]]:
    return [(code, name, n, round(100 * n / total) if total else 0) for code, name, n in rows]


@role_required(Role.SUPERVISOR, Role.ANALYST)
def statistics(request: HttpRequest) -> HttpResponse:
    if not access.sees_statistics(request.user):
        raise forbidden()
    form = PeriodForm(request.GET or None)
    since, until = form.period()
    with db.reporting():
        figures = selectors_stats.today_figures()
        stats = selectors_stats.statistics(since=since, until=until, figures=figures)
    total = stats["total"]
    raions = reads.raion_names(list(stats["by_raion"]))
    context = {
        "form": form,
        "figures_at": figures.taken_at,
        "total": total,
        "overdue": stats["overdue"],
        "priority": stats["priority"],
        "by_status": _share([(s, AppealStatus(s).label, n) for s, n in stats["by_status"].items()],
                            total),
        "by_channel": _share(sorted(((c, Channel(c).label if c in Channel.values else c, n)
                                     for c, n in stats["by_channel"].items()),
                                    key=lambda r: -r[2]), total),
        "by_topic": _share(list(stats["by_topic"]), total),
        "by_raion": _share(sorted(((c, raions.get(c, c), n) for c, n in stats["by_raion"].items()),
                                  key=lambda r: -r[2]), total),
    }
    return render(request, "workspace/statistics.html", context)


def _awaiting_paper(user: Any) -> dict[str, Any]:
    """Owing assignments of bodies without accounts: the centre records their answers."""
    waiting = selectors.assignments_awaiting_paper(user=user)
    return {"awaiting_paper_count": waiting.count(), "awaiting_paper": list(waiting[:LIST_LIMIT])}
