"""The supervisor's dashboard and the statistics (aggregates only, no personal data, no links to
appeal cards: analysts read these pages too)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from vikno.accounts.access import role_of
from vikno.accounts.roles import Role
from vikno.appeals import access, selectors
from vikno.appeals.errors import forbidden
from vikno.appeals.lifecycle import AppealStatus
from vikno.appeals.models import Channel
from vikno.core import clock
from vikno.workspace import reads
from vikno.workspace.forms.filters import PeriodForm
from vikno.workspace.permissions import role_required

LIST_LIMIT = 50


@role_required(Role.SUPERVISOR, Role.ANALYST)
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.sees_dashboard(request.user):
        raise forbidden()
    counts = selectors.status_counts()
    context = {
        "rows": selectors.authority_dashboard(),
        "status_counts": [(AppealStatus(s).label, n) for s, n in counts.items()],
        "today": clock.today(),
        # The lists name appeals: the supervisor's working tools, not the analyst's aggregates.
        "controls": role_of(request.user) == Role.SUPERVISOR,
    }
    if context["controls"]:
        context |= {
            "extensions": list(selectors.pending_extensions()[:LIST_LIMIT]),
            "returned": list(selectors.returned_awaiting_routing(user=request.user)[:LIST_LIMIT]),
            "overdue": list(selectors.appeals_overdue().select_related("applicant")
                            .order_by("due_date")[:LIST_LIMIT]),
            **_routing_and_priority(),
            **_awaiting_paper(request.user),
            "here": reverse("workspace:dashboard"),
        }
    return render(request, "workspace/dashboard.html", context)


def _routing_and_priority() -> dict[str, Any]:
    """ст.7 terms missed, and ст.20 priority appeals with their control dates: counts and lists."""
    today = clock.today()
    missed = selectors.routing_missed(today=today)
    priority = selectors.priority_under_control()
    return {
        "routing_missed_count": missed.count(),
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
    stats = selectors.statistics(since=since, until=until)
    total = stats["total"]
    raions = reads.raion_names(list(stats["by_raion"]))
    context = {
        "form": form,
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
