"""The demo seed (`manage.py seed_demo`, what a fresh `make run` waits for): seconds for N appeals
driven through their whole life (registration, routing, replies, extensions, confirmations, audit
chain), beside the baseline measured in the same run: N bare registrations through
`appeal_register` alone. The difference is what the rest of each appeal's life costs.

Runs on a throw-away SQLite file by default, or on DATABASE_URL (a database it may write to).
Prints figures; asserts nothing. `make bench` runs it; BENCH_SEED_APPEALS sets N (300, the default
count of seed_demo).
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

from vikno.appeals.models import Appeal  # noqa: E402
from vikno.directory.models import Territory, TerritoryLevel  # noqa: E402

N = int(os.environ.get("BENCH_SEED_APPEALS", "300"))


def bare_registrations(settlements: list[Territory]) -> float:
    # The same registrations as bench/registration.py measures, so both benchmarks share a baseline.
    from registration import through_services

    return through_services(settlements, N)


def seed(count: int) -> float:
    started = time.perf_counter()
    call_command("seed_demo", count=count, history=0, force=True, allow_without_debug=True,
                 stdout=io.StringIO())
    return time.perf_counter() - started


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0, stdout=io.StringIO())
    setup = time.perf_counter() - started
    settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT)[:50])
    seeded = seed(N)
    made = Appeal.objects.count()
    baseline = bare_registrations(settlements)
    vendor = django.db.connection.vendor
    print(f"seed_demo on {vendor}, {N} appeals ({made} made)")
    print(f"  migrate + load_reference:     {setup:8.1f} s")
    print(f"  baseline ({N} appeal_register): {baseline:8.1f} s")
    print(f"  seed_demo --count {N}:        {seeded:8.1f} s")
    print(f"  ratio seed/baseline:          {seeded / baseline:8.2f}x the time")
    print(f"  per demo appeal:              {1000 * seeded / N:8.1f} ms")


if __name__ == "__main__":
    main()
