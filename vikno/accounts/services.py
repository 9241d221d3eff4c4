"""Writes on accounts. Keyword-only, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts.models import User
from vikno.audit import services as audit
from vikno.core.errors import ApplicationError


@transaction.atomic
def account_set_active(*, actor: Any, account: User, active: bool) -> User:
    """A security administrator opens or closes an account; the trail records who and when."""
    if account.pk == getattr(actor, "pk", None) and not active:
        raise ApplicationError("own_account", _("You cannot deactivate your own account."))
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active == active:
        return account
    account.is_active = active
    account.save(update_fields=["is_active"])
    audit.record(actor=actor, action="account.activated" if active else "account.deactivated",
                 obj=account, before={"is_active": not active}, after={"is_active": active})
    return account
