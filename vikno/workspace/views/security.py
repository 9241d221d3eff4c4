"""The security administrator's audit trail screens (the accounts are in views/accounts.py).
No appeal contents."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vikno.accounts.roles import Role
from vikno.audit.presentation import (
    describe_changes,
    describe_object,
    export_csv,
    export_xlsx,
    role_label,
)
from vikno.audit.selectors import event_page, trail_export, trail_verify
from vikno.core import clock
from vikno.core.errors import ApplicationError
from vikno.workspace.forms.filters import AuditFilterForm
from vikno.workspace.permissions import role_required
from vikno.workspace.views.common import is_fragment_request

PAGE_CURSORS = ("before", "after")


def _cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _audit_query(request: HttpRequest) -> str:
    """The filter's part of the address, without the page's cursor."""
    params = request.GET.copy()
    for name in PAGE_CURSORS:
        params.pop(name, None)
    return params.urlencode()


def _audit_page(request: HttpRequest, *, report: object = None) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = event_page(form.filters(), before=_cursor(request, "before"),
                      after=_cursor(request, "after"))
    rows = [(event, role_label(event.actor_role), describe_object(event), describe_changes(event))
            for event in page.events]
    context = {"form": form, "page": page, "rows": rows, "report": report,
               "query": _audit_query(request)}
    template = ("workspace/partials/audit_results.html" if is_fragment_request(request)
                else "workspace/audit.html")
    return render(request, template, context)


@role_required(Role.SECURITY_ADMIN)
def audit_trail(request: HttpRequest) -> HttpResponse:
    return _audit_page(request)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    report = trail_verify()
    if is_fragment_request(request):
        return render(request, "workspace/partials/audit_verify.html", {"report": report})
    return _audit_page(request, report=report)


EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", export_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export_xlsx),
}


@role_required(Role.SECURITY_ADMIN)
def audit_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The filtered trail as a file; the export is itself recorded by the selector."""
    if file_format not in EXPORT_FORMATS:
        raise Http404
    content_type, write = EXPORT_FORMATS[file_format]
    form = AuditFilterForm(request.GET or None)
    query = _audit_query(request)
    back = reverse("workspace:audit") + (f"?{query}" if query else "")
    if form.is_bound and not form.is_valid():
        # A wrong field would be left out of the filter: the file would hold more than asked.
        messages.error(request, _("Correct the filter, then export."))
        return redirect(back)
    try:
        events = trail_export(user=request.user, filters=form.filters(), file_format=file_format)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    response = HttpResponse(write(events), content_type=content_type)
    name = f"audit-{timezone.localtime(clock.now()):%Y%m%d-%H%M%S}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

