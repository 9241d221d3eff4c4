"""Fill the search key of appeals written before it existed (or after the lemmatiser changed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vikno.appeals import services


class Command(BaseCommand):
    help = ("Recomputes the lemmas text search looks in, in batches (all appeals, or --missing); "
            "writes only the keys that changed.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="appeals per transaction")
        parser.add_argument("--missing", action="store_true",
                            help="only appeals whose key is still empty")
        indexes = parser.add_mutually_exclusive_group()
        indexes.add_argument("--drop-indexes", dest="drop_indexes", action="store_const",
                             const=True, default=None,
                             help="PostgreSQL: drop the search indexes and build them again at "
                                  "the end (default: from 50,000 appeals on)")
        indexes.add_argument("--keep-indexes", dest="drop_indexes", action="store_const",
                             const=False, help="keep the search indexes up to date meanwhile")

    def handle(self, *args: Any, batch: int = 5000, missing: bool = False,
               drop_indexes: bool | None = None, **options: Any) -> None:
        started = time.monotonic()
        verbose = options["verbosity"] >= 1

        def progress(read: int, written: int) -> None:
            if verbose and read % (batch * 20) == 0:
                took = time.monotonic() - started
                self.stdout.write(f"  {read} read, {written} written, {read / took:.0f} appeals/s")

        written = services.search_reindex(batch=batch, only_missing=missing,
                                           drop_indexes=drop_indexes, progress=progress)
        if verbose:
            self.stdout.write(f"search key written for {written} appeals "
                              f"in {time.monotonic() - started:.1f} s")
