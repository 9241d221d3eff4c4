"""The Django admin site on the one definition of the system administrator.

Django's own site opens for any active `is_staff` account; this one for the system administrator
alone (КСЗІ role separation), and its login form agrees. It is the default site (see
accounts.apps.AdminConfig), so the rule holds however the URLconf is loaded.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from vikno.accounts.access import is_system_admin
from vikno.accounts.forms import SystemAdminLoginForm


class SystemAdminSite(AdminSite):
    login_form = SystemAdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request.user)
