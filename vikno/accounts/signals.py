"""Logins and failed logins are audit events (connected in AccountsConfig.ready).

A failed login names the account only when the typed username is an existing account's: a
mistyped username may be a person's name or a password typed in the wrong field, so it never
enters the trail. Passwords never do; Django hands the receivers a cleansed copy anyway.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from vikno.audit import services as audit
from vikno.audit.actions import AuditAction

LOGIN_DISPATCH_UID = "vikno_account_login"
LOGIN_FAILED_DISPATCH_UID = "vikno_account_login_failed"


def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditAction.ACCOUNT_LOGIN, obj=user)


def record_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                        **kwargs: Any) -> None:
    model = get_user_model()
    typed = credentials.get(model.USERNAME_FIELD)
    account = (model._default_manager.filter(**{model.USERNAME_FIELD: typed}).first()
               if isinstance(typed, str) and typed else None)
    audit.record(actor=None, action=AuditAction.ACCOUNT_LOGIN_FAILED, obj=account,
                 object_label=None if account is not None else "")
