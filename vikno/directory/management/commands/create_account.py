"""manage.py create_account --role security_admin --username NAME [--authority CODE]

How a real centre gets its first account: the security administrator's, from the command line.
The account is made by the same audited service as any other (actor None: the system itself) and
has no password; the command prints a one-time link to set it (Django's password-reset token, void
once the password is set or after PASSWORD_RESET_TIMEOUT). No password is ever typed or shown here.
Every further account is created by that administrator in the workspace.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from vikno.accounts import services as account_services
from vikno.accounts.roles import Role
from vikno.core.errors import ApplicationError
from vikno.directory.services import membership_set


class Command(BaseCommand):
    help = "Create one staff account without a password and print a one-time link to set it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="login name")
        parser.add_argument("--role", required=True, choices=Role.values, help="the account's role")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--authority", default="",
                            help="the executor's authority code (executors only)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="where the workspace is served, for the printed link")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                user = account_services.account_create(
                    actor=None, username=options["username"], role=options["role"],
                    first_name=options["first_name"], last_name=options["last_name"],
                    email=options["email"],
                )
                if options["authority"]:
                    membership_set(actor=None, account=user, authority_code=options["authority"])
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        # The token is bound to the (unusable) password hash and the last login: it stops working
        # as soon as the password is set.
        path = reverse("accounts:set_password", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        })
        self.stdout.write(f"Account {user.username} ({user.role}) created without a password.")
        self.stdout.write("Open this link once to set the password (it works once):")
        self.stdout.write(options["base_url"].rstrip("/") + path)
