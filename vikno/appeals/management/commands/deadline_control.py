"""Run the deadline control now, or every N seconds until stopped (what `make run` starts next to
the web server, so reminders and escalations happen without a Celery broker)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vikno.appeals import services


class Command(BaseCommand):
    help = "Reminds executors and escalates missed terms; with --every, repeats until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="repeat every SECONDS (0: run once)")

    def handle(self, *args: Any, every: int = 0, **options: Any) -> None:
        try:
            while True:
                report = services.deadline_control()
                if options["verbosity"]:
                    self.stdout.write(f"deadline control: reminded {report.reminded}, escalated "
                                      f"{report.escalated}, routing terms missed {report.unrouted}")
                if every <= 0:
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            return
