from typing import Any

from django.core.management.base import BaseCommand

from vikno.audit.services import seal


class Command(BaseCommand):
    help = ("Chain the audit events written unsealed (their transactions committed while another "
            "held the chain head); the Celery beat does it every few seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal()
        self.stdout.write(f"Audit events sealed: {sealed}")
