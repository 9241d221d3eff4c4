"""One demo account per staff role, for the local demonstration (`make run`) only.

Idempotent: an existing account keeps its password and settings; only what is missing is added
(the account itself, the executor's authority). Every creation is written to the audit trail,
never with the password. The password is shared and known, so the command refuses to run on a
production instance (DEBUG off) unless told explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vikno.accounts import services as account_services
from vikno.accounts.models import User
from vikno.accounts.roles import Role
from vikno.directory.models import Authority, Membership
from vikno.directory.services import membership_set

DEFAULT_DEMO_PASSWORD = "vikno-demo-2026"  # noqa: S105 - the published password of the local demo
PASSWORD_ENV = "VIKNO_DEMO_PASSWORD"  # noqa: S105 - the name of a variable, not a secret
FALLBACK_AUTHORITY = "ZAK-ODA"
HROMADA_PREFIX = "ZAK-TG-"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    first_name: str
    last_name: str
    # An executor who heads its body (ст.20: decides its body's extension requests).
    head_position: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("operator", Role.OPERATOR, "Олена", "Коваль"),
    DemoAccount("supervisor", Role.SUPERVISOR, "Петро", "Мельник"),
    DemoAccount("executor", Role.EXECUTOR, "Іван", "Гоблик"),
    DemoAccount("head", Role.EXECUTOR, "Василь", "Ковач", head_position="Голова громади"),
    DemoAccount("analyst", Role.ANALYST, "Марія", "Попович"),
    DemoAccount("security", Role.SECURITY_ADMIN, "Тарас", "Шевчук"),
    # account_create sets is_staff for this role alone; nobody is a superuser (role separation).
    DemoAccount("sysadmin", Role.SYSTEM_ADMIN, "Надія", "Бойко"),
)


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) if missing and print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--executor-authority", default="",
            help=f"code of the demo executor's authority (default: the first {HROMADA_PREFIX}* "
                 f"hromada council, else {FALLBACK_AUTHORITY})",
        )
        parser.add_argument(
            "--allow-without-debug", action="store_true",
            help="run even though DEBUG is off (the demo password is public)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        testing = getattr(settings, "TESTING", False)
        if not (settings.DEBUG or testing or options["allow_without_debug"]):
            raise CommandError(
                "Demo accounts have a public password; refusing with DEBUG off "
                "(pass --allow-without-debug to insist)."
            )
        password = os.environ.get(PASSWORD_ENV) or DEFAULT_DEMO_PASSWORD
        chosen = options["executor_authority"]
        authority = self._executor_authority(chosen)
        rows = []
        with transaction.atomic():
            for spec in DEMO_ACCOUNTS:
                rows.append(self._ensure(
                    spec, password=password, authority=authority, rebind=bool(chosen)
                ))
        self._print(rows)

    def _executor_authority(self, code: str) -> Any | None:
        authority_model = Authority
        if code:
            found = authority_model.objects.filter(code=code).first()
            if found is None:
                raise CommandError(
                    f"No authority with code {code!r}: load the reference data first."
                )
            return found
        found = (
            authority_model.objects.filter(code__startswith=HROMADA_PREFIX, is_active=True)
            .order_by("code").first()
            or authority_model.objects.filter(code=FALLBACK_AUTHORITY).first()
        )
        if found is None:
            self.stderr.write(self.style.WARNING(
                "No authority loaded yet: the demo executor has no authority "
                "(run `manage.py load_reference`, then this command again)."
            ))
        return found

    def _ensure(
        self, spec: DemoAccount, *, password: str, authority: Any | None, rebind: bool
    ) -> list[str]:
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if user is None:
            # The same audited service as any account (actor None: the system itself).
            user = account_services.account_create(
                actor=None, username=spec.username, role=spec.role, password=password,
                first_name=spec.first_name, last_name=spec.last_name,
                email=f"{spec.username}@demo.vikno.invalid",
            )
        bound = None
        if spec.role == Role.EXECUTOR:
            bound = self._ensure_membership(user, authority, rebind=rebind,
                                            head_position=spec.head_position)
        # A password changed since creation is not shown (nor known): say so instead.
        shown = password if created or user.check_password(password) else "(changed)"
        status = "created" if created else "exists"
        # The authority by name: its code alone tells a newcomer nothing.
        where = f"{bound.code} {bound.name}" if bound else "-"
        return [user.username, str(spec.role), shown, where, status]

    def _ensure_membership(self, user: User, authority: Any | None, *, rebind: bool,
                           head_position: str) -> Any | None:
        """Bind the executor to `authority` if unbound; move it only when asked by name. The
        head's account is bound with its position; a plain executor's mark is left alone."""
        membership = Membership.objects.filter(user=user).select_related("authority").first()
        if authority is None or (membership is not None and not rebind):
            return membership.authority if membership is not None else None
        return membership_set(actor=None, account=user, authority_code=authority.code,
                              head_position=head_position or None).authority

    def _print(self, rows: list[list[str]]) -> None:
        header = ["username", "role", "password", "authority", "state"]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("Demo accounts (local demonstration only):")
        self.stdout.write(line(header))
        self.stdout.write(line(["-" * w for w in widths]))
        for row in rows:
            self.stdout.write(line(row))
