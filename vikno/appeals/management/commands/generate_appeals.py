"""manage.py generate_appeals --count N [--years 3] [--seed S] [--batch 1000] [--serial]
    [--unchecked-keys] [--workers 2] [--drop-indexes | --keep-indexes]

Realistic appeals in bulk, fast (vikno.appeals.management.bulk, ADR 0022): years of history with
numbers, routing, terms, lives and the audit trail consistent with what the services write.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vikno.appeals.management import bulk, bulk_run


class Command(BaseCommand):
    help = "Generate realistic appeals in bulk (for demonstrations, load tests and benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="how many appeals")
        parser.add_argument("--years", type=int, default=3, help="spread over the last N years (3)")
        parser.add_argument("--seed", type=int, default=1551, help="random seed (1551)")
        parser.add_argument("--allow-without-debug", action="store_true",
                            help="run even though DEBUG is off (a load-test instance)")
        parser.add_argument("--batch", type=int, default=bulk.BATCH,
                            help=f"appeals per transaction ({bulk.BATCH})")
        parser.add_argument("--serial", action="store_true",
                            help="build each batch only after the last is written (PostgreSQL "
                                 "builds the next one meanwhile by default)")
        parser.add_argument("--unchecked-keys", action="store_true",
                            help="load-test instance, PostgreSQL superuser: write with the "
                                 "foreign-key triggers off and check the new rows' keys once "
                                 "at the end")
        parser.add_argument("--workers", type=int, default=None,
                            help="PostgreSQL: processes that build the batches ahead "
                                 f"({bulk_run.WORKERS}; 0: one thread)")
        indexes = parser.add_mutually_exclusive_group()
        indexes.add_argument("--drop-indexes", dest="drop_indexes", action="store_const",
                             const=True, default=None,
                             help="PostgreSQL: drop the written tables' secondary indexes first "
                                  "and build them once at the end (by default when the appeals "
                                  f"written are {bulk_run.DROP_INDEXES_FROM} or more and at least "
                                  f"{bulk_run.DWARF} times those there)")
        indexes.add_argument("--keep-indexes", dest="drop_indexes", action="store_const",
                             const=False, help="keep every index up to date while writing")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if not (settings.DEBUG or getattr(settings, "TESTING", False)
                or options["allow_without_debug"]):
            raise CommandError("Generated appeals are invented data; refusing with DEBUG off "
                               "(pass --allow-without-debug on a load-test instance).")
        if count < 1 or options["years"] < 1 or options["batch"] < 1:
            raise CommandError("--count, --years and --batch must be positive.")
        if options["workers"] is not None and options["workers"] < 0:
            raise CommandError("--workers must not be negative.")
        width = 30
        started = time.monotonic()
        bar_open = False  # the progress bar's line is written without its end

        def progress(done: int) -> None:
            nonlocal bar_open
            bar_open = True
            filled = width * done // count
            elapsed = time.monotonic() - started
            rate = done / elapsed if elapsed else 0.0
            left = f"{(count - done) / rate / 60:.1f} min left" if rate else ""
            self.stdout.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{count} "
                              f"{rate:.0f}/s {left}  ", ending="")
            self.stdout.flush()

        def say(text: str) -> None:
            nonlocal bar_open
            self.stdout.write(f"\n{text}" if bar_open else text)
            bar_open = False

        try:
            report = bulk_run.generate(
                count=count, seed=options["seed"], years=options["years"],
                batch=options["batch"], progress=progress,
                pipeline=False if options["serial"] else None,
                unchecked_keys=options["unchecked_keys"], drop_indexes=options["drop_indexes"],
                say=say, workers=options["workers"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if bar_open:
            self.stdout.write("")
        rate = report.created / report.seconds if report.seconds else 0.0
        self.stdout.write(f"{report.created} appeals ({report.events} audit events) in "
                          f"{report.seconds:.1f} s: {rate:.0f} appeals/s.")
