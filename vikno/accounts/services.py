"""Writes on accounts: keyword-only, validated, audited in one transaction.

Only a security administrator (or the system itself, `actor=None`: management commands) opens,
changes and closes accounts. The trail names the account by its username and records roles and
flags; never a password, a name or an e-mail.

An executor's binding to its authority is `directory.Membership`: the directory sits above the
accounts in the layers, so that service is `directory.services.membership_set`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts.access import require_role
from vikno.accounts.errors import AccountsError, Code
from vikno.accounts.models import SavedView, User
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


# Saved views: a user's own named filters of a list. Each write is on the trail like every other
# (the view's id and the names of its filters; neither its name nor the values, which the user
# typed).

SAVED_VIEW_NAME_MAX = 80
SAVED_VIEW_QUERY_MAX = 1000
# Never kept in a saved view: a search term may be a phone or a name; the page is not a filter.
_NOT_SAVED = frozenset({"q", "page", "csrfmiddlewaretoken"})


def _saved_query(query: str) -> tuple[str, list[str]]:
    pairs = [(key, value) for key, value in parse_qsl(query.lstrip("?"))
             if key not in _NOT_SAVED and value.strip()]
    return urlencode(pairs), sorted({key for key, _value in pairs})


@transaction.atomic
def saved_view_save(*, actor: Any, name: str, query: str) -> SavedView:
    """Keep the filters `query` (a GET query string) under `name` for `actor`; the same name
    again replaces that view's filters."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise AccountsError(Code.NOT_FOUND, _("You have no access to this function."),
                            http_status=403)
    name = " ".join(name.split())
    if not name:
        raise AccountsError(Code.INVALID_VALUE, _("Enter a name for the view."), field="name")
    if len(name) > SAVED_VIEW_NAME_MAX:
        raise AccountsError(Code.INVALID_VALUE,
                            _("The name may be at most %(max)s characters long.")
                            % {"max": SAVED_VIEW_NAME_MAX}, field="name")
    clean, keys = _saved_query(query)
    if len(clean) > SAVED_VIEW_QUERY_MAX:
        raise AccountsError(Code.INVALID_VALUE, _("Too many filters to keep in one view."),
                            field="query")
    view, created = SavedView.objects.update_or_create(user=actor, name=name,
                                                       defaults={"query": clean})
    audit.record(actor=actor, action=AuditAction.SAVED_VIEW_SAVE, obj=view,
                 object_label=f"saved view #{view.pk}",
                 after={"created": created, "filters": keys})
    return view


@transaction.atomic
def saved_view_delete(*, actor: Any, pk: int) -> None:
    """Delete one of `actor`'s saved views; another user's is not found (nor revealed)."""
    view = SavedView.objects.filter(pk=pk, user=actor).first() if getattr(
        actor, "is_authenticated", False) else None
    if view is None:
        raise AccountsError(Code.NOT_FOUND, _("The saved view was not found."), http_status=404)
    audit.record(actor=actor, action=AuditAction.SAVED_VIEW_DELETE, obj=view,
                 object_label=f"saved view #{view.pk}")
    view.delete()
