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


def is_system_admin(user: Any) -> bool:
    """The one definition of the system administrator, for the Django admin and the workspace.

    The role decides, as for every other duty (КСЗІ role separation): `is_superuser` grants
    nothing by itself, and `is_staff` set by mistake on another account opens nothing. The
    account services keep `is_staff` equal to this, since Django's admin login form asks for it.
    """
    return role_of(user) == Role.SYSTEM_ADMIN
