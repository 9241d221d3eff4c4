from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vikno.audit.selectors import chain_verify, unsealed
from vikno.audit.services import seal


class Command(BaseCommand):
    help = ("Seal the waiting audit events, then verify the hash chain; exit non-zero naming the "
            "first broken event, or when events had waited to be sealed longer than "
            "VIKNO_AUDIT_SEAL_ALARM seconds (the sealer does not run).")

    def handle(self, *args: Any, **options: Any) -> None:
        bound = float(str(settings.VIKNO["AUDIT_SEAL_ALARM_SECONDS"]))
        # Looked at before sealing: a backlog this old means the beat's sealer is not running,
        # and unsealed events are the ones a holder of the database could still drop unseen.
        waiting = unsealed()
        sealed = seal()
        report = chain_verify()
        if report.broken is not None:
            raise CommandError(
                f"Audit chain BROKEN at event #{report.broken.seq}: {report.broken.reason} "
                f"({report.checked} events verified before it)"
            )
        if waiting.overdue(bound):
            raise CommandError(
                f"Audit chain intact ({report.checked} events verified), but {waiting.count} "
                f"events had waited {waiting.oldest_seconds:.0f} s to be sealed (more than "
                f"{bound:.0f} s): is the sealer (Celery beat, audit_seal) running?")
        self.stdout.write(self.style.SUCCESS(
            f"Audit chain intact: {report.checked} events verified ({sealed} sealed now)"))
