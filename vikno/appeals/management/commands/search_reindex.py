"""Fill the search key of appeals written before it existed (or after the lemmatiser changed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vikno.appeals import services


class Command(BaseCommand):
    help = "Recomputes the lemmas text search looks in, in batches (all appeals, or --missing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="appeals per transaction")
        parser.add_argument("--missing", action="store_true",
                            help="only appeals whose key is still empty")

    def handle(self, *args: Any, batch: int = 2000, missing: bool = False, **options: Any) -> None:
        started = time.monotonic()
        written = services.search_reindex(batch=batch, only_missing=missing)
        if options["verbosity"]:
            self.stdout.write(f"search key written for {written} appeals "
                              f"in {time.monotonic() - started:.1f} s")
