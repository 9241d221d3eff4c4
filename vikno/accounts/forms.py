"""The Django admin's login form, on the one definition of the system administrator."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from vikno.accounts.access import is_system_admin


class SystemAdminLoginForm(AdminAuthenticationForm):
    """Django's admin form admits any `is_staff` account; this one the system administrator
    alone, so the login and the pages behind it never disagree."""

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)  # refuses inactive accounts
        if not is_system_admin(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})
