"""manage.py list_api_keys: every partner key's name, prefix, scope, authority and state (never
the key: only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vikno.accounts.api_keys import api_keys_list
from vikno.directory.models import Membership


class Command(BaseCommand):
    help = "List the partner systems' API keys."

    def handle(self, *args: Any, **options: Any) -> None:
        keys = api_keys_list()
        bound = dict(Membership.objects.filter(user__in=[k.account_id for k in keys])
                     .values_list("user_id", "authority__code"))
        for key in keys:
            state = "revoked" if key.revoked_at else "active"
            self.stdout.write("\t".join([key.prefix, key.scope, state,
                                         bound.get(key.account_id, "-"), key.name]))
