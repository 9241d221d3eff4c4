"""Generated appeals (`manage.py generate_appeals`, the bulk path of ADR 0022): appeals per second
for whole lives written in bulk, beside the baseline measured in the same run: whole lives driven
through the services one by one (`seed_demo --history 0`, the demo's recent appeals).

Runs on a throw-away SQLite file by default, or on DATABASE_URL (a database it may write to,
e.g. postgres://postgres@127.0.0.1:5432/vikno_bench; it is migrated and given the reference data).
Prints figures; asserts nothing.

    bench/generate_appeals.py [--count 2000] [--service 200] [--batch 1000] [--serial]
                              [--unchecked-keys] [--workers N] [--drop-indexes | --keep-indexes]

BENCH_ROOT=/path/to/another/checkout runs that checkout's code instead (e.g. main, for a baseline
of the same run); BENCH_DATA names the project whose data/ and ../shared corpus the texts come
from (the code's own by default).

--count (or BENCH_BULK_APPEALS) sets the bulk count, --service (or BENCH_SERVICE_APPEALS) the
baseline's. The 10-minute budget for a million (issue 7) is 1 667 appeals/s.
"""

from __future__ import annotations

import argparse
import inspect
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
DATA = Path(os.environ.get("BENCH_DATA") or ROOT)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from vikno.appeals.management import bulk  # noqa: E402
from vikno.appeals.models import Appeal  # noqa: E402

BUDGET = 1_000_000 / 600  # a million in ten minutes


def server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (a local server: /proc), or 0."""
    connection = django.db.connection
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_cpu() -> float:
    """CPU seconds of this process (all its threads) and of its ended worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int,
                        default=int(os.environ.get("BENCH_BULK_APPEALS", "2000")))
    parser.add_argument("--service", type=int,
                        default=int(os.environ.get("BENCH_SERVICE_APPEALS", "200")))
    parser.add_argument("--batch", type=int, default=bulk.BATCH)
    parser.add_argument("--serial", action="store_true", help="no batch built ahead")
    parser.add_argument("--unchecked-keys", action="store_true",
                        help="foreign keys checked once at the end (superuser)")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes building the batches (the code's default; 0: a thread)")
    indexes = parser.add_mutually_exclusive_group()
    indexes.add_argument("--drop-indexes", dest="drop_indexes", action="store_const", const=True,
                         default=None)
    indexes.add_argument("--keep-indexes", dest="drop_indexes", action="store_const", const=False)
    parser.add_argument("--drop-only", default="",
                        help="access methods of the indexes dropped, e.g. gin (default: all)")
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

    options = {"count": args.count, "seed": 1551, "batch": args.batch, "progress": progress,
               "base": DATA}
    cpu, server = client_cpu(), server_cpu()
    ahead = not args.serial
    try:
        from vikno.appeals.management import bulk_run
    except ImportError:  # a checkout from before the pipeline (BENCH_ROOT)
        ahead = False
        report = bulk.generate(**options)  # type: ignore[attr-defined]
    else:
        accepted = inspect.signature(bulk_run.generate).parameters
        if args.drop_only:
            bulk_run.DROP_METHODS = tuple(args.drop_only.split(","))  # type: ignore[attr-defined]
        newer = {name: value for name, value in (("workers", args.workers),
                                                 ("drop_indexes", args.drop_indexes),
                                                 ("say", lambda text: print(text, file=sys.stderr)))
                 if name in accepted}
        report = bulk_run.generate(**options, pipeline=False if args.serial else None,
                                   unchecked_keys=args.unchecked_keys, **newer)
    cpu, server = client_cpu() - cpu, server_cpu() - server
    print(file=sys.stderr)
    made = Appeal.objects.count() - before
    vendor = django.db.connection.vendor
    rate, baseline = made / report.seconds, args.service / service
    print(f"generate_appeals on {vendor} (code of {ROOT}, texts of {DATA})")
    print(f"  services, {args.service} whole lives: {baseline:8.0f} appeals/s")
    print(f"  bulk, {made} whole lives: {rate:8.0f} appeals/s in {report.seconds:.1f} s "
          f"({report.events} audit events, {report.events / report.seconds:.0f}/s)")
    print(f"  client CPU:               {cpu / made * 1000:8.2f} ms per appeal "
          f"({cpu:.0f} s, all threads and worker processes)")
    if server:
        per = max(cpu, server, (cpu + server) / 2) if ahead else cpu + server
        print(f"  server CPU (writer's backend): {server / made * 1000:8.2f} ms per appeal; "
              f"on two idle cores at most about {made / per:.0f} appeals/s")
    print(f"  ratio bulk/services:      {rate / baseline:8.1f}x")
    print(f"  a million at this rate:   {1_000_000 / rate / 60:8.1f} min "
          f"(budget 10 min = {BUDGET:.0f} appeals/s)")


if __name__ == "__main__":
    main()
