"""Home (each role lands on its own screen) and the staff notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vikno.accounts.access import role_of
from vikno.accounts.roles import CASE_ROLES, Role
from vikno.appeals import access, selectors, services
from vikno.appeals.messages import preload
from vikno.workspace.permissions import role_required
from vikno.workspace.views.common import safe_next

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


@role_required(*CASE_ROLES)
def notifications(request: HttpRequest) -> HttpResponse:
    authority = access.executor_authority(request.user)
    unread = selectors.notifications_for(
        user=request.user, authority_id=authority.pk if authority else None,
        supervisor=role_of(request.user) == Role.SUPERVISOR, limit=200)
    recent = selectors.notifications_read_by(user=request.user)
    return render(request, "workspace/notifications.html",
                  {"unread": preload(unread), "recent": preload(recent)})


@role_required(*CASE_ROLES)
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, pk=pk)
    return redirect(safe_next(request, "workspace:notifications"))


@role_required(*CASE_ROLES)
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_read(user=request.user)
    messages.success(request, ngettext("%(n)d notification marked as read.",
                                       "%(n)d notifications marked as read.", count) % {"n": count})
    return redirect("workspace:notifications")
