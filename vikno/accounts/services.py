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

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
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


def _valid_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise AccountsError(Code.INVALID_VALUE, _("Enter the login name."), field="username")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise AccountsError(Code.INVALID_VALUE, _(
            "The login name may contain only letters, digits and the characters @ . + - _."),
            field="username") from exc
    if len(username) > 150:
        raise AccountsError(Code.INVALID_VALUE, _("The login name is too long."), field="username")
    return username


def _valid_email(email: str) -> str:
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise AccountsError(Code.INVALID_VALUE, _("Enter a valid e-mail address."),
                                field="email") from exc
    return email


def _valid_text(value: str, *, field: str, limit: int) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise AccountsError(Code.INVALID_VALUE, _("This value is too long."), field=field)
    return value


@transaction.atomic
def account_create(*, actor: Any, username: str, role: str, password: str | None = None,
                   first_name: str = "", last_name: str = "", patronymic: str = "",
                   email: str = "", position: str = "") -> User:
    """A new staff account with one role. Without a password it cannot log in until one is set
    (the person sets it through the link of `account_send_password_link`).

    `is_staff` (what Django's admin login form asks for) follows the role: it is set for the
    system administrator only, and nobody is made a superuser (see accounts.access)."""
    _require_account_admin(actor)
    valid_role = _valid_role(role)
    username = _valid_username(username)
    email = _valid_email(email)
    names = {name: _valid_text(value, field=name, limit=150) for name, value in (
        ("last_name", last_name), ("first_name", first_name), ("patronymic", patronymic))}
    position = _valid_text(position, field="position", limit=200)
    if User.objects.filter(username__iexact=username).exists():
        raise AccountsError(Code.USERNAME_TAKEN, _("This login name is already taken."),
                            field="username")
    account = User(username=username, role=valid_role, email=email, position=position, **names,
                   is_staff=valid_role == Role.SYSTEM_ADMIN, is_superuser=False)
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


PROFILE_FIELDS = ("last_name", "first_name", "patronymic", "email", "position")


@transaction.atomic
def account_update(*, actor: Any, account: User, last_name: str, first_name: str,
                   patronymic: str, email: str, position: str) -> User:
    """Correct a staff member's name, e-mail or position. The trail gets the names of the changed
    fields only, never their values."""
    _require_account_admin(actor)
    values = {"last_name": _valid_text(last_name, field="last_name", limit=150),
              "first_name": _valid_text(first_name, field="first_name", limit=150),
              "patronymic": _valid_text(patronymic, field="patronymic", limit=150),
              "email": _valid_email(email),
              "position": _valid_text(position, field="position", limit=200)}
    account = User.objects.select_for_update().get(pk=account.pk)
    changed = [name for name in PROFILE_FIELDS if getattr(account, name) != values[name]]
    if not changed:
        return account
    for name in changed:
        setattr(account, name, values[name])
    account.save(update_fields=changed)
    audit.record(actor=actor, action=AuditAction.ACCOUNT_UPDATED, obj=account,
                 after={"username": account.username, "changed": changed})
    return account


def password_link_base_url(fallback: str = "") -> str:
    """Where the workspace is served, for links sent by e-mail: the VIKNO_BASE_URL setting, else
    `fallback` (the address of the request that asks for the link)."""
    return (str(settings.VIKNO.get("BASE_URL") or "") or fallback or "http://127.0.0.1:8000").rstrip("/")


def password_link(*, account: User, base_url: str) -> str:
    """The one-time link to set the password: Django's password-reset token, bound to the current
    password hash and the last login, so it is void once used or after PASSWORD_RESET_TIMEOUT."""
    path = reverse("accounts:set_password", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
        "token": default_token_generator.make_token(account),
    })
    return base_url.rstrip("/") + path


def _password_link_mail(account: User, link: str) -> tuple[str, str]:
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Vikno: set the password of your account")
        body = _(
            "Good day.\n\n"
            "An account of the Vikno contact centre workspace is waiting for you. Your login "
            "name: %(username)s\n\n"
            "Open this link to set your password (it works once, for %(days)s days):\n"
            "%(link)s\n\n"
            "If you did not expect this message, tell the centre's security administrator and "
            "do not open the link.\n"
        ) % {"username": account.username, "days": days, "link": link}
    return subject, body


@transaction.atomic
def account_send_password_link(*, actor: Any, account: User, base_url: str) -> User:
    """E-mail the account's owner a one-time link to set (or reset) the password.

    Nobody else sees the link: the administrator is told only that it was sent. The account's
    current password, if any, keeps working until the person sets a new one. The trail records
    the username only, never the address or the link."""
    _require_account_admin(actor)
    account = User.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise AccountsError(Code.INACTIVE, _(
            "The account is deactivated: activate it before sending a link."))
    if not account.email:
        raise AccountsError(Code.NO_EMAIL, _(
            "The account has no e-mail address, so the link cannot be sent. "
            "Enter the address in the account's details first."), field="email")
    subject, body = _password_link_mail(account, password_link(account=account, base_url=base_url))
    try:
        send_mail(subject, body, None, [account.email])
    except OSError as exc:  # SMTP refused or unreachable: nothing is recorded as sent
        raise AccountsError(Code.MAIL_FAILED, _(
            "The e-mail could not be sent. Try again later or ask the system administrator "
            "to check the mail settings.")) from exc
    audit.record(actor=actor, action=AuditAction.ACCOUNT_PASSWORD_LINK_SENT, obj=account,
                 after={"username": account.username})
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
