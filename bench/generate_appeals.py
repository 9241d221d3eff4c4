"""Generated appeals (`manage.py generate_appeals`, the bulk path of ADR 0022): appeals per second
for whole lives written in bulk, beside the baseline measured in the same run: whole lives driven
through the services one by one (`seed_demo --history 0`, the demo's recent appeals).

Runs on a throw-away SQLite file by default, or on DATABASE_URL (a database it may write to).
Prints figures; asserts nothing. BENCH_BULK_APPEALS sets the bulk count (2000),
BENCH_SERVICE_APPEALS the baseline's (200).
"""

from __future__ import annotations

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

from vikno.appeals.management import bulk  # noqa: E402
from vikno.appeals.models import Appeal  # noqa: E402

BULK = int(os.environ.get("BENCH_BULK_APPEALS", "2000"))
SERVICE = int(os.environ.get("BENCH_SERVICE_APPEALS", "200"))


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0, stdout=io.StringIO())
    started = time.perf_counter()
    call_command("seed_demo", count=SERVICE, history=0, force=True, allow_without_debug=True,
                 stdout=io.StringIO())
    service = time.perf_counter() - started
    before = Appeal.objects.count()
    report = bulk.generate(count=BULK, seed=1551)
    made = Appeal.objects.count() - before
    vendor = django.db.connection.vendor
    print(f"generate_appeals on {vendor}")
    print(f"  services, {SERVICE} whole lives:  {SERVICE / service:8.0f} appeals/s")
    print(f"  bulk, {made} whole lives:      {made / report.seconds:8.0f} appeals/s "
          f"({report.events} audit events)")
    print(f"  ratio bulk/services:          {service / SERVICE * made / report.seconds:8.1f}x")


if __name__ == "__main__":
    main()
