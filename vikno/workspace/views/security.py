"""The security administrator's audit trail screens (the accounts are in views/accounts.py).
No appeal contents."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from vikno.accounts.roles import Role
from vikno.audit.selectors import chain_verify, event_list
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
