"""manage.py create_account --role security_admin --username NAME [--authority CODE] [--send-link]

How a real centre gets its first account: the security administrator's, from the command line.
The account is made by the same audited service as any other (actor None: the system itself) and
has no password; the command prints a one-time link to set it (Django's password-reset token, void
once the password is set or after PASSWORD_RESET_TIMEOUT), or with --send-link e-mails it to the
account's address (the workspace's "send the link" does the same, `account_send_password_link`).
No password is ever typed or shown here.
Every further account is created by that administrator in the workspace.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vikno.accounts import services as account_services
from vikno.accounts.roles import Role
from vikno.core.errors import ApplicationError
from vikno.directory.services import staff_create
from vikno.directory.staff import StaffData


class Command(BaseCommand):
    help = "Create one staff account without a password and print a one-time link to set it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="login name")
        parser.add_argument("--role", required=True, choices=Role.values, help="the account's role")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--patronymic", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--position", default="")
        parser.add_argument("--authority", default="",
                            help="the executor's authority code (executors only)")
        parser.add_argument("--head", action="store_true",
                            help="the executor is the head or a deputy head of the authority")
        parser.add_argument("--send-link", action="store_true",
                            help="e-mail the link to the account's address instead of printing it")
        parser.add_argument("--base-url", default="",
                            help="where the workspace is served, for the link "
                                 "(default: VIKNO_BASE_URL, else http://127.0.0.1:8000)")

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = account_services.password_link_base_url(options["base_url"])
        try:
            with transaction.atomic():
                user = staff_create(actor=None, data=StaffData(
                    username=options["username"], role=options["role"],
                    first_name=options["first_name"], last_name=options["last_name"],
                    patronymic=options["patronymic"], email=options["email"],
                    position=options["position"], authority_code=options["authority"],
                    is_head=options["head"]))
                if options["send_link"]:
                    account_services.account_send_password_link(actor=None, account=user,
                                                                 base_url=base_url)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Account {user.username} ({user.role}) created without a password.")
        if options["send_link"]:
            self.stdout.write("The link to set the password was sent to the account's e-mail.")
            return
        # The token is bound to the (unusable) password hash and the last login: it stops working
        # as soon as the password is set.
        self.stdout.write("Open this link once to set the password (it works once):")
        self.stdout.write(account_services.password_link(account=user, base_url=base_url))
