"""The system administrator's page of partner systems' keys: the list and the revocation.

Keys are issued on the server's command line only (`manage.py create_api_key`: the key is shown
once there). Here the administrator sees every key by its name and public prefix and revokes one
(accounts.api_keys.api_key_revoke: audited, the key refused from its next call)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from vikno.accounts import api_keys as keys
from vikno.accounts.models import ApiKey
from vikno.accounts.roles import Role
from vikno.workspace.permissions import role_required


@role_required(Role.SYSTEM_ADMIN)
def api_keys(request: HttpRequest) -> HttpResponse:
    rows = [(key, getattr(getattr(key.account, "membership", None), "authority", None))
            for key in keys.api_keys_list()]
    return render(request, "workspace/api_keys.html", {"rows": rows})


@role_required(Role.SYSTEM_ADMIN)
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes (the service refuses anyone but the system admin)."""
    key = get_object_or_404(ApiKey.objects.select_related("account"), pk=pk)
    if request.method == "POST":
        keys.api_key_revoke(actor=request.user, key=key)
        messages.success(request, _("The key %(key)s is revoked: the partner's system can no "
                                    "longer use it.") % {"key": str(key)})
        return redirect("workspace:api_keys")
    return render(request, "workspace/api_key_revoke.html", {"key": key})
