"""Writes on the rulebook's side of the accounts: binding an executor to its authority.

`directory.Membership` links an account (vikno.accounts, below the directory in the layers) to an
authority, so the binding is a service of the directory; the account itself is created by
accounts.services.account_create. Keyword-only, validated, audited in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts.access import require_role
from vikno.accounts.errors import AccountsError, Code
from vikno.accounts.roles import Role
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.directory.models import Authority, Membership


@transaction.atomic
def membership_set(*, actor: Any, account: Any, authority_code: str,
                   head_position: str | None = None) -> Membership:
    """Bind an executor's account to the authority whose assignments it works on, or move it to
    another one. Only executors are bound; only active authorities take members.

    `head_position` (ст.20: the head or a deputy decides an extension): a position makes the
    account its body's head, "" a plain member, None leaves the mark as it is."""
    if actor is not None:  # None: the system itself (management commands)
        require_role(actor, Role.SECURITY_ADMIN)
    if account.role != Role.EXECUTOR:
        raise AccountsError(Code.INVALID_VALUE, _("Only an executor is bound to an authority."),
                            field="role")
    authority = Authority.objects.filter(code=authority_code, is_active=True).first()
    if authority is None:
        raise AccountsError(Code.INVALID_VALUE, _("Choose an authority from the list."),
                            field="authority")
    head = {} if head_position is None else {"is_head": bool(head_position.strip()),
                                             "position": head_position.strip()}
    membership = (Membership.objects.select_for_update().select_related("authority")
                  .filter(user=account).first())
    if membership is None:
        membership = Membership.objects.create(user=account, authority=authority, **head)
        audit.record(actor=actor, action=AuditAction.MEMBERSHIP_CREATED, obj=membership,
                     after={"user": account.username, "authority": authority.code, **head})
        return membership
    before = {name: getattr(membership, name) for name, value in head.items()
              if getattr(membership, name) != value}
    after = {name: head[name] for name in before}
    if membership.authority_id != authority.pk:
        before["authority"], after["authority"] = membership.authority.code, authority.code
    if not after:
        return membership
    membership.authority = authority
    for name, value in head.items():
        setattr(membership, name, value)
    membership.save(update_fields=["authority", *head])
    audit.record(actor=actor, action=AuditAction.MEMBERSHIP_CHANGED, obj=membership,
                 before=before, after=after)
    return membership
