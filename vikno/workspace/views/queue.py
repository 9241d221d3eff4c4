"""Work queues: the appeals queue (centre and executors) and the executor's assignments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vikno.accounts.access import role_of
from vikno.accounts.roles import CASE_ROLES, Role
from vikno.appeals import access, selectors
from vikno.appeals.lifecycle import AssignmentStatus
from vikno.core import clock
from vikno.directory.selectors import working_calendar
from vikno.workspace.forms.filters import QueueFilterForm
from vikno.workspace.permissions import role_required
from vikno.workspace.views.common import PAGE_SIZE, is_fragment_request


def _row(appeal: Any, visible: bool) -> dict[str, Any]:
    questions = list(appeal.questions.all())
    executors: list[str] = []
    for question in questions:
        for assignment in question.assignments.all():
            if assignment.authority.name not in executors:
                executors.append(assignment.authority.name)
    return {
        "appeal": appeal,
        "visible": visible,
        "topics": [q.subtopic for q in questions],
        "executors": executors,
    }


def _queue_data(request: HttpRequest) -> Any:
    """Filters come by POST from the queue's own form (the search may be a phone number or a
    surname, which must stay out of URLs, history and access logs), or by GET from links such as
    the dashboard's; a search term in a URL is ignored."""
    if request.method == "POST":
        return request.POST
    data = request.GET.copy()
    data.pop("q", None)
    return data


@role_required(*CASE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    executor = role_of(request.user) == Role.EXECUTOR
    data = _queue_data(request)
    form = QueueFilterForm(data or None, with_authority=not executor)
    # The selector records the page's applicants as an `applicant.list_view`.
    shown = selectors.appeal_queue_page(user=request.user, filters=form.filters(),
                                        page=data.get("page"), per_page=PAGE_SIZE)
    context: dict[str, Any] = {
        "form": form,
        "page": shown.page,
        "rows": [_row(a, shown.visible[a.pk]) for a in shown.page.object_list],
        "today": clock.today(),
        "calendar": working_calendar(),
        "can_register": access.can_register(request.user),
    }
    template = ("workspace/partials/queue_results.html" if is_fragment_request(request)
                else "workspace/queue.html")
    return render(request, template, context)


TABS: dict[str, dict[str, Any]] = {
    "new": {"status": AssignmentStatus.ASSIGNED},
    "work": {"status": AssignmentStatus.IN_WORK},
    "revision": {"status": AssignmentStatus.FOR_REVISION},
    "overdue": {"overdue": True},
    "answered": {"status": AssignmentStatus.ANSWERED},
}


@role_required(Role.EXECUTOR)
def my_assignments(request: HttpRequest) -> HttpResponse:
    authority = access.executor_authority(request.user)
    tab = request.GET.get("tab", "new")
    if tab not in TABS:
        tab = "new"
    context: dict[str, Any] = {"authority": authority, "tab": tab, "today": clock.today()}
    if authority is not None:
        counts = {name: selectors.assignments_for_executor(
            user=request.user, authority_id=authority.pk, **params).count()
            for name, params in TABS.items()}
        # The selector records the page's applicants as an `applicant.list_view`.
        shown = selectors.assignment_page_for(
            user=request.user, authority_id=authority.pk, page=request.GET.get("page"),
            per_page=PAGE_SIZE, where=f"my_assignments:{tab}", **TABS[tab])
        context |= {
            "counts": counts,
            "page": shown.page,
            "rows": [{"assignment": a, "appeal": a.question.appeal,
                      "visible": shown.visible[a.question.appeal_id],
                      "actions": access.assignment_actions(user=request.user, assignment=a)}
                     for a in shown.page.object_list],
            "query": f"tab={tab}",
        }
    return render(request, "workspace/my_assignments.html", context)
