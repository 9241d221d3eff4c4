"""Home (each role lands on its own screen) and the staff notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vikno.accounts.access import role_of
from vikno.accounts.roles import CASE_ROLES, Role
from vikno.appeals import selectors_notifications, services
from vikno.appeals.messages import preload
from vikno.appeals.models.work import NotificationKind
from vikno.workspace.permissions import role_required
from vikno.workspace.views.common import PAGE_SIZE, safe_next

LANDING = {
    Role.OPERATOR: "workspace:register",
    Role.SUPERVISOR: "workspace:dashboard",
    Role.EXECUTOR: "workspace:my_assignments",
    Role.ANALYST: "workspace:statistics",
    Role.SECURITY_ADMIN: "workspace:audit",
    Role.SYSTEM_ADMIN: "admin:index",
}


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    role = role_of(request.user)
    if role in LANDING:
        return redirect(LANDING[Role(role)])
    raise PermissionDenied


GROUP_LATEST = 3


@role_required(*CASE_ROLES)
def notifications(request: HttpRequest) -> HttpResponse:
    """The reader's unread notifications grouped by kind, each group's count and latest few; with
    `?kind=` one group in full, page by page."""
    kind = request.GET.get("kind", "")
    recent = selectors_notifications.notifications_read_by(user=request.user)
    context: dict[str, Any] = {"recent": preload(recent), "kind": "", "here": request.get_full_path()}
    if kind in NotificationKind.values:
        context |= {
            "kind": kind,
            "kind_label": NotificationKind(kind).label,
            "page": selectors_notifications.notification_group_page(user=request.user, kind=kind,
                                                      page=request.GET.get("page"),
                                                      per_page=PAGE_SIZE),
            "query": urlencode({"kind": kind}),
        }
    else:
        groups = selectors_notifications.notification_groups(user=request.user, latest=GROUP_LATEST)
        context |= {"groups": groups, "unread_total": sum(g.unread for g in groups)}
    return render(request, "workspace/notifications.html", context)


@role_required(*CASE_ROLES)
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, pk=pk)
    return redirect(safe_next(request, "workspace:notifications"))


@role_required(*CASE_ROLES)
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    # With `kind`, one group ("mark the group read"); without, every notification.
    kind = request.POST.get("kind", "")
    count = services.notification_mark_read(
        user=request.user, kind=kind if kind in NotificationKind.values else "")
    messages.success(request, ngettext("%(n)d notification marked as read.",
                                       "%(n)d notifications marked as read.", count) % {"n": count})
    return redirect(safe_next(request, "workspace:notifications"))
