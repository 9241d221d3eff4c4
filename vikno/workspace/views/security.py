"""The security administrator's screens: the audit trail and the accounts. No appeal contents."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vikno.accounts import services as account_services
from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.audit.selectors import chain_verify, event_list
from vikno.core.errors import ApplicationError
from vikno.workspace.forms.filters import AuditFilterForm
from vikno.workspace.permissions import role_required
from vikno.workspace.views.common import is_fragment_request, paginate, query_without_page


def _audit_page(request: HttpRequest, *, report: object = None) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = paginate(request, event_list(**form.values()))
    context = {"form": form, "page": page, "report": report, "query": query_without_page(request)}
    template = ("workspace/partials/audit_results.html" if is_fragment_request(request)
                else "workspace/audit.html")
    return render(request, template, context)


@role_required(Role.SECURITY_ADMIN)
def audit_trail(request: HttpRequest) -> HttpResponse:
    return _audit_page(request)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    report = chain_verify()
    if is_fragment_request(request):
        return render(request, "workspace/partials/audit_verify.html", {"report": report})
    return _audit_page(request, report=report)


@role_required(Role.SECURITY_ADMIN)
def accounts(request: HttpRequest) -> HttpResponse:
    qs = User.objects.select_related("membership__authority").order_by("username")
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(role=role)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(last_name__icontains=q))
    page = paginate(request, qs)
    return render(request, "workspace/accounts.html", {
        "page": page, "roles": Role.choices, "role": role, "q": q,
        "query": query_without_page(request),
    })


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    try:
        account_services.account_set_active(actor=request.user, account=account, active=active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (_("Account %(name)s is active.") if active
                                   else _("Account %(name)s is deactivated."))
                         % {"name": account.username})
    return redirect("workspace:accounts")


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)
