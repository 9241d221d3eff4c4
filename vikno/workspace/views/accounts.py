"""The security administrator's account screens: the list, a new account, an account's page
(duty, details, activation, the link to set the password) and the import of a staff file.

Every write is a service call (vikno.accounts.services, vikno.directory.services), validated and
audited there. No password is typed or shown here, nor the link to set one: it goes to the
account's own e-mail.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vikno.accounts import services as account_services
from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.core.errors import ApplicationError
from vikno.directory import services as staff_services
from vikno.directory.selectors import account_events, staff_list
from vikno.directory.staff import COLUMNS, parse_staff_csv
from vikno.workspace.forms.accounts import (
    AccountCreateForm,
    AccountDutyForm,
    AccountFilterForm,
    AccountProfileForm,
    StaffImportConfirmForm,
    StaffImportForm,
)
from vikno.workspace.permissions import role_required
from vikno.workspace.views.common import paginate, query_without_page

# The staff file between its preview and the confirmation: kept in the session (server side),
# never in a URL or a hidden field; a new upload replaces it, the confirmation removes it.
IMPORT_SESSION_KEY = "staff_import"


def _form_error(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _base_url(request: HttpRequest) -> str:
    return account_services.password_link_base_url(request.build_absolute_uri("/"))


def _send_link(request: HttpRequest, account: User) -> bool:
    try:
        account_services.account_send_password_link(actor=request.user, account=account,
                                                     base_url=_base_url(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, _("The link to set the password was sent to the e-mail of the "
                                "account %(name)s.") % {"name": account.username})
    return True


@role_required(Role.SECURITY_ADMIN)
def accounts(request: HttpRequest) -> HttpResponse:
    form = AccountFilterForm(request.GET or None)
    page = paginate(request, staff_list(**form.values()))
    return render(request, "workspace/accounts.html", {
        "form": form, "page": page, "query": query_without_page(request),
    })


@role_required(Role.SECURITY_ADMIN)
def account_new(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    send_link = request.method != "POST" or bool(request.POST.get("send_link"))
    if request.method == "POST" and form.is_valid():
        try:
            account = staff_services.staff_create(actor=request.user, data=form.staff_data())
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Account %(name)s is created; it has no password yet.")
                             % {"name": account.username})
            if send_link:
                _send_link(request, account)
            return redirect("workspace:account_detail", pk=account.pk)
    return render(request, "workspace/account_new.html", {"form": form, "send_link": send_link})


def _detail(request: HttpRequest, account: User, **forms_: forms.Form) -> HttpResponse:
    membership = getattr(account, "membership", None)
    duty = forms_.get("duty") or AccountDutyForm(initial={
        "role": account.role, "authority": membership.authority.code if membership else "",
        "is_head": membership.is_head if membership else False})
    profile = forms_.get("profile") or AccountProfileForm(initial={
        name: getattr(account, name) for name in account_services.PROFILE_FIELDS})
    return render(request, "workspace/account_detail.html", {
        "account": account, "membership": membership, "duty": duty, "profile": profile,
        "own": account.pk == request.user.pk, "events": account_events(account=account),
    })


def _account(pk: int) -> User:
    return get_object_or_404(User.objects.select_related("membership__authority"), pk=pk)


@role_required(Role.SECURITY_ADMIN)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _account(pk))


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_duty(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    form = AccountDutyForm(request.POST)
    if form.is_valid():
        try:
            staff_services.staff_set_duty(
                actor=request.user, account=account, role=form.cleaned_data["role"],
                authority_code=form.cleaned_data["authority"],
                is_head=form.cleaned_data["is_head"])
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The role and the authority of %(name)s are saved.")
                             % {"name": account.username})
            return redirect("workspace:account_detail", pk=account.pk)
    return _detail(request, account, duty=form)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_profile(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    form = AccountProfileForm(request.POST)
    if form.is_valid():
        try:
            account_services.account_update(actor=request.user, account=account,
                                            **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("The details of %(name)s are saved.")
                             % {"name": account.username})
            return redirect("workspace:account_detail", pk=account.pk)
    return _detail(request, account, profile=form)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_password_link(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(pk)
    _send_link(request, account)
    return redirect("workspace:account_detail", pk=account.pk)


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    account = _account(pk)
    try:
        account_services.account_set_active(actor=request.user, account=account, active=active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, (_("Account %(name)s is active.") if active
                                   else _("Account %(name)s is deactivated."))
                         % {"name": account.username})
    return redirect("workspace:account_detail", pk=account.pk)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_activate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


def _import_page(request: HttpRequest, **context: Any) -> HttpResponse:
    context.setdefault("form", StaffImportForm())
    return render(request, "workspace/account_import.html",
                  {"columns": COLUMNS, "roles": dict(Role.choices), **context})


@role_required(Role.SECURITY_ADMIN)
def account_import(request: HttpRequest) -> HttpResponse:
    """Upload a staff file and see what it would do (nothing is written: a dry run)."""
    if request.method != "POST":
        return _import_page(request)
    form = StaffImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form)
    content = form.cleaned_data["file"].read()
    try:
        rows = parse_staff_csv(content)
        report = staff_services.staff_import(actor=request.user, rows=rows, dry_run=True)
    except ApplicationError as exc:
        _form_error(form, exc)
        return _import_page(request, form=form)
    confirm = None
    if report.ok:
        token = secrets.token_urlsafe(16)
        request.session[IMPORT_SESSION_KEY] = {"token": token,
                                               "text": content.decode("utf-8-sig")}
        confirm = StaffImportConfirmForm(initial={"token": token, "send_links": True})
    else:
        request.session.pop(IMPORT_SESSION_KEY, None)
    return _import_page(request, rows=rows, report=report, confirm=confirm)


@role_required(Role.SECURITY_ADMIN)
@require_POST
def account_import_confirm(request: HttpRequest) -> HttpResponse:
    """Create the accounts of the previewed file, all or nothing."""
    form = StaffImportConfirmForm(request.POST)
    stored = request.session.get(IMPORT_SESSION_KEY) or {}
    if not form.is_valid() or not stored or not secrets.compare_digest(
            str(stored.get("token", "")), form.cleaned_data["token"]):
        messages.error(request, _("The preview is no longer available: upload the file again."))
        return redirect("workspace:account_import")
    try:
        rows = parse_staff_csv(str(stored["text"]).encode("utf-8"))
        report = staff_services.staff_import(
            actor=request.user, rows=rows, send_links=form.cleaned_data["send_links"],
            base_url=_base_url(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("workspace:account_import")
    if not report.ok:  # the database changed since the preview: show the file's errors again
        return _import_page(request, rows=rows, report=report)
    request.session.pop(IMPORT_SESSION_KEY, None)
    messages.success(request, _("Accounts created: %(count)s.") % {"count": len(report.created)})
    if report.links_sent:
        messages.success(request, _("Links to set the password sent: %(count)s.")
                         % {"count": report.links_sent})
    if report.without_email:
        messages.warning(request, _("Accounts without an e-mail, so without a link: %(count)s.")
                         % {"count": report.without_email})
    return redirect("workspace:accounts")
