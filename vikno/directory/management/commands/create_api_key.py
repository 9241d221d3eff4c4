"""manage.py create_api_key --name NAME [--authority CODE] [--scope api|open311]

Issues a partner system's key and prints it once: only its hash is kept, so a lost key is revoked
and a new one issued. With --authority the key's system account is an executor of that
authority (it accepts, answers and returns that authority's assignments only). Keys are listed
with `list_api_keys` and revoked with `revoke_api_key` or by the system administrator in the
workspace.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vikno.accounts.models import ApiKeyScope
from vikno.core.errors import ApplicationError
from vikno.directory.services import partner_create


class Command(BaseCommand):
    help = "Issue a partner system's API key and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="the partner system's name (unique)")
        parser.add_argument("--authority", default="",
                            help="the authority code the key works for as an executor system")
        parser.add_argument("--scope", default=ApiKeyScope.API, choices=ApiKeyScope.values,
                            help="api: the REST API /api/v1/; open311: the Open311 server")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key, raw = partner_create(actor=None, name=options["name"], scope=options["scope"],
                                      authority_code=options["authority"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(f"{key.name}: scope {key.scope}, prefix {key.prefix}, "
                          f"account {key.account.username}. The key is shown once; keep it secret.")
        self.stdout.write(raw)
