"""Generated appeals (`manage.py generate_appeals`, the bulk path of ADR 0022): appeals per second
for whole lives written in bulk, beside the baseline measured in the same run: whole lives driven
through the services one by one (`seed_demo --history 0`, the demo's recent appeals).

Runs on a throw-away SQLite file by default, or on DATABASE_URL (a database it may write to,
e.g. postgres://postgres@127.0.0.1:5432/vikno_bench; it is migrated and given the reference data).
Prints figures; asserts nothing.

    bench/generate_appeals.py [--count 2000] [--service 200] [--batch 1000]

--count (or BENCH_BULK_APPEALS) sets the bulk count, --service (or BENCH_SERVICE_APPEALS) the
baseline's. The 10-minute budget for a million (issue 7) is 1 667 appeals/s.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from vikno.appeals.management import bulk, bulk_run  # noqa: E402
from vikno.appeals.models import Appeal  # noqa: E402

BUDGET = 1_000_000 / 600  # a million in ten minutes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int,
                        default=int(os.environ.get("BENCH_BULK_APPEALS", "2000")))
    parser.add_argument("--service", type=int,
                        default=int(os.environ.get("BENCH_SERVICE_APPEALS", "200")))
    parser.add_argument("--batch", type=int, default=bulk.BATCH)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0, stdout=io.StringIO())
    call_command("create_demo_accounts", allow_without_debug=True, stdout=io.StringIO())
    started = time.perf_counter()
    call_command("seed_demo", count=args.service, history=0, force=True,
                 allow_without_debug=True, stdout=io.StringIO())
    service = time.perf_counter() - started
    before = Appeal.objects.count()

    def progress(done: int) -> None:
        print(f"\r  {done}/{args.count}", end="", file=sys.stderr, flush=True)

    report = bulk_run.generate(count=args.count, seed=1551, batch=args.batch, progress=progress)
    print(file=sys.stderr)
    made = Appeal.objects.count() - before
    vendor = django.db.connection.vendor
    rate, baseline = made / report.seconds, args.service / service
    print(f"generate_appeals on {vendor}")
    print(f"  services, {args.service} whole lives: {baseline:8.0f} appeals/s")
    print(f"  bulk, {made} whole lives: {rate:8.0f} appeals/s in {report.seconds:.1f} s "
          f"({report.events} audit events, {report.events / report.seconds:.0f}/s)")
    print(f"  ratio bulk/services:      {rate / baseline:8.1f}x")
    print(f"  a million at this rate:   {1_000_000 / rate / 60:8.1f} min "
          f"(budget 10 min = {BUDGET:.0f} appeals/s)")


if __name__ == "__main__":
    main()
