"""manage.py counts_rebuild

Recomputes the maintained counts the dashboard and the statistics read (appeals per day of
receipt by status, channel, topic, raion, priority; main assignments per authority) from the
registry, set-based. The services keep them as they go: run it after writing appeals past the
services (an import, a repair), or to check them.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from vikno.appeals import services


class Command(BaseCommand):
    help = "Recompute the dashboard's and the statistics' counts from the appeals."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = services.counts_rebuild()
        self.stdout.write(f"{report.daily_rows} daily rows, {report.monthly_rows} monthly rows, "
                          f"{report.authority_rows} authority rows "
                          f"in {time.monotonic() - started:.1f} s")
