"""Writes on accounts: keyword-only, validated, audited in one transaction.

Only a security administrator (or the system itself, `actor=None`: management commands) opens,
changes and closes accounts. The trail names the account by its username and records roles and
flags; never a password, a name or an e-mail.

An executor's binding to its authority is `directory.Membership`: the directory sits above the
accounts in the layers, so that service is `directory.services.membership_set`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts.access import require_role
from vikno.accounts.errors import AccountsError, Code
from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction


def _require_account_admin(actor: Any) -> None:
    """Role separation (КСЗІ): accounts are the security administrator's duty alone."""
    if actor is not None:
        require_role(actor, Role.SECURITY_ADMIN)


def _valid_role(role: str) -> Role:
    if role not in Role.values:
        raise AccountsError(Code.INVALID_VALUE, _("Choose a role from the list."), field="role")
    return Role(role)


def _own(actor: Any, account: User) -> bool:
    return account.pk == getattr(actor, "pk", None)


@transaction.atomic
def account_create(*, actor: Any, username: str, role: str, password: str | None = None,
                   first_name: str = "", last_name: str = "", email: str = "") -> User:
    """A new staff account with one role. Without a password it cannot log in until one is set.

    `is_staff` (what Django's admin login form asks for) follows the role: it is set for the
    system administrator only, and nobody is made a superuser (see accounts.access)."""
    _require_account_admin(actor)
    username = username.strip()
    valid_role = _valid_role(role)
    if not username:
        raise AccountsError(Code.INVALID_VALUE, _("Enter the login name."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountsError(Code.USERNAME_TAKEN, _("This login name is already taken."),
                            field="username")
    account = User(username=username, role=valid_role, first_name=first_name,
                   last_name=last_name, email=email, is_staff=valid_role == Role.SYSTEM_ADMIN,
                   is_superuser=False)
    if password:
        try:
            validate_password(password, user=account)
        except ValidationError as exc:
            raise AccountsError(Code.WEAK_PASSWORD, " ".join(exc.messages),
                                field="password") from exc
        account.set_password(password)
    else:
        account.set_unusable_password()
    account.save()
    audit.record(actor=actor, action=AuditAction.ACCOUNT_CREATED, obj=account,
                 after={"username": account.username, "role": account.role,
                        "is_staff": account.is_staff, "is_superuser": False})
    return account


@transaction.atomic
def account_set_role(*, actor: Any, account: User, role: str) -> User:
    """Give an account another role (one at a time: each role is a separate duty)."""
    _require_account_admin(actor)
    valid_role = _valid_role(role)
    if _own(actor, account):
        raise AccountsError(Code.OWN_ACCOUNT, _("You cannot change your own role."), field="role")
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.role == valid_role:
        return account
    before = {"role": account.role, "is_staff": account.is_staff}
    account.role = valid_role
    account.is_staff = valid_role == Role.SYSTEM_ADMIN
    account.save(update_fields=["role", "is_staff"])
    audit.record(actor=actor, action=AuditAction.ACCOUNT_ROLE_CHANGED, obj=account, before=before,
                 after={"role": account.role, "is_staff": account.is_staff})
    return account


@transaction.atomic
def account_set_active(*, actor: Any, account: User, active: bool) -> User:
    """A security administrator opens or closes an account; the trail records who and when."""
    _require_account_admin(actor)
    if _own(actor, account) and not active:
        raise AccountsError(Code.OWN_ACCOUNT, _("You cannot deactivate your own account."))
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active == active:
        return account
    account.is_active = active
    account.save(update_fields=["is_active"])
    audit.record(actor=actor,
                 action=AuditAction.ACCOUNT_ACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED,
                 obj=account, before={"is_active": not active}, after={"is_active": active})
    return account
