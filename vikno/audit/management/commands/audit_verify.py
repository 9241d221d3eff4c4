from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vikno.audit.selectors import chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit non-zero naming the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        if report.broken is not None:
            raise CommandError(
                f"Audit chain BROKEN at event #{report.broken.seq}: {report.broken.reason} "
                f"({report.checked} events verified before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified")
        )
