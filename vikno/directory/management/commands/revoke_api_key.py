"""manage.py revoke_api_key PREFIX: revoke a partner key for good (the next call is refused)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vikno.accounts.api_keys import api_key_revoke
from vikno.accounts.models import ApiKey


class Command(BaseCommand):
    help = "Revoke a partner system's API key by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the key's public prefix (list_api_keys shows it)")

    def handle(self, *args: Any, **options: Any) -> None:
        key = ApiKey.objects.filter(prefix=options["prefix"]).first()
        if key is None:
            raise CommandError(f"no key with the prefix {options['prefix']!r}")
        api_key_revoke(actor=None, key=key)
        self.stdout.write(f"revoked: {key.name} ({key.prefix})")
