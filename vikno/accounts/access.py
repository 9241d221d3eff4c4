"""Access primitives shared by every app's access.py."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from vikno.accounts.roles import Role
from vikno.core.errors import PermissionDenied


def role_of(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    return str(getattr(user, "role", "") or "")


def require_role(user: Any, *roles: Role) -> None:
    """Raise PermissionDenied unless the user is active and holds one of `roles`."""
    if role_of(user) not in {str(r) for r in roles}:
        raise PermissionDenied("forbidden", _("You have no access to this function."))
