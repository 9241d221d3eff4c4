"""Partner systems' keys: issue, revoke, authenticate.

A key reads `vk_<prefix>_<secret>`: the prefix (8 hex characters) is public and names the key in
lists; the secret is 43 URL-safe characters (256 random bits). Only the SHA-256 of the whole key
is stored, so a stolen database yields no usable key. A key is looked up by that hash (an index
lookup leaks nothing about other keys) and works only in its scope, until it is revoked or its
account deactivated.

A key bound to an authority is issued by `directory.services.partner_create`, which binds its
account to the authority in the same transaction (the directory sits above the accounts).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vikno.accounts.access import require_role
from vikno.accounts.errors import AccountsError, Code
from vikno.accounts.models import ApiKey, ApiKeyScope, User
from vikno.accounts.roles import Role
from vikno.audit import services as audit
from vikno.audit.actions import AuditAction
from vikno.core import clock

KEY_PREFIX = "vk_"


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def valid_scope(scope: str) -> ApiKeyScope:
    if scope not in ApiKeyScope.values:
        raise AccountsError(Code.INVALID_VALUE, _("Unknown scope of the key."), field="scope")
    return ApiKeyScope(scope)


def _valid_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise AccountsError(Code.INVALID_VALUE, _("Name the key (at most 100 characters)."),
                            field="name")
    if ApiKey.objects.filter(name__iexact=name).exists():
        raise AccountsError(Code.USERNAME_TAKEN, _("A key with this name already exists."),
                            field="name")
    return name


@transaction.atomic
def api_key_issue(*, actor: Any, name: str, scope: str,
                  executor: bool = False) -> tuple[ApiKey, str]:
    """A new key with its own system account; returns the key row and the key itself (shown
    once, never kept). The account is named `api.<prefix>`, so the audit trail names the key on
    every call; it has no password and no role, or the executor's role when `executor` (the
    caller then binds it to its authority: `directory.services.partner_create`).

    Only the system itself (`actor=None`, the `create_api_key` command) issues keys."""
    if actor is not None:
        raise AccountsError(Code.INVALID_VALUE,
                            _("Keys are issued on the server's command line only."),
                            http_status=403)
    name = _valid_name(name)
    scope = valid_scope(scope)
    prefix, raw = _new_key()
    account = User(username=f"api.{prefix}", role=Role.EXECUTOR if executor else "",
                   last_name=name[:150], is_staff=False, is_superuser=False)
    account.set_unusable_password()
    account.save()
    audit.record(actor=actor, action=AuditAction.ACCOUNT_CREATED, obj=account,
                 after={"username": account.username, "role": account.role,
                        "is_staff": False, "is_superuser": False})
    key = ApiKey.objects.create(name=name, prefix=prefix, key_hash=key_hash(raw), scope=scope,
                                account=account, created_at=clock.now())
    audit.record(actor=actor, action=AuditAction.API_KEY_ISSUED, obj=key, object_label=str(key),
                 after={"name": name, "prefix": prefix, "scope": str(scope),
                        "account": account.username})
    return key, raw


@transaction.atomic
def api_key_revoke(*, actor: Any, key: ApiKey) -> ApiKey:
    """Revoke a key for good (the system administrator's duty; `actor=None`: the system). A
    revoked key is refused from the next call on; revoking twice changes nothing. Its account
    stays (the audit trail names it) but is deactivated."""
    if actor is not None:
        require_role(actor, Role.SYSTEM_ADMIN)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        return key
    key.revoked_at = clock.now()
    key.save(update_fields=["revoked_at"])
    User.objects.filter(pk=key.account_id).update(is_active=False)
    audit.record(actor=actor, action=AuditAction.API_KEY_REVOKED, obj=key, object_label=str(key),
                 after={"name": key.name, "prefix": key.prefix})
    return key


def api_key_authenticate(raw: str | None, *, scope: str) -> ApiKey | None:
    """The active key of this scope that `raw` is, with its account; None for anything else
    (empty, malformed, unknown, revoked, another scope, a deactivated account)."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = (ApiKey.objects.select_related("account")
           .filter(key_hash=key_hash(raw), scope=scope).first())
    if key is None or not key.is_active:
        return None
    return key


def api_keys_list() -> list[ApiKey]:
    """Every key, for the system administrator's list (names, prefixes and states only)."""
    return list(ApiKey.objects.select_related("account").order_by("name"))
