"""The page of the one-time link to set a password: Django's own view, token and form."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class SetPasswordView(SuccessMessageMixin, auth_views.PasswordResetConfirmView):
    """Opened from the link of `create_account` or of the e-mail the security administrator has
    sent (accounts.services.account_send_password_link). The token is void once the password is
    set, after PASSWORD_RESET_TIMEOUT, or when the password changes otherwise."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("accounts:login")
    success_message = _("Your password is set. Sign in with your login name and the new password.")
