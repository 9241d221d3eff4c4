"""Contention on the maintained counts (appeals.models.counts): BENCH_WORKERS processes each run
transactions that add one registration's deltas (received, status, channel, topic, raion, the
main executor's assignment) to the counts of one day, hold the transaction BENCH_HOLD_MS more
(what a registration still does after its counts: the audit append and the commit), and commit.
Measured with the rows sharded as in production (SHARDS) and with one row per figure
(SHARDS=1), in the same run, beside the same transactions without counts (the ceiling):
transactions/s and how long a transaction spent in its UPSERT.
The rows go to a day in 2099 and a measure of their own, deleted at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB BENCH_WORKERS=8 .venv/bin/python \\
        bench/counts_contention.py

Prints figures; asserts nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    sys.exit("DATABASE_URL must name a PostgreSQL database the benchmark may write to")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from vikno.appeals.models import (  # noqa: E402
    Appeal,
    Assignment,
    AuthorityCount,
    DailyCount,
    MonthlyCount,
)
from vikno.appeals.services import counts  # noqa: E402
from vikno.directory.models import Authority, Territory, Topic  # noqa: E402

WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
PER_WORKER = int(os.environ.get("BENCH_TRANSACTIONS", "150"))
HOLD = float(os.environ.get("BENCH_HOLD_MS", "5")) / 1000
DAY = datetime(2099, 1, 15, 10, tzinfo=UTC)
MEASURE = "bench"


def _worker(args: tuple[int, int, int, int, str]) -> list[float]:
    worker, shards, authority_id, topic_id, territory_code = args
    connection.close()  # a connection of its own
    counts.SHARDS = shards or 1
    territory = Territory.objects.get(code=territory_code)
    waits = []
    for i in range(PER_WORKER):
        pk = i * WORKERS + worker  # ids from one sequence: concurrent ones are consecutive
        appeal = Appeal(pk=pk, received_at=DAY, kind="appeal", channel="hotline", priority=False,
                        territory=territory)
        assignment = Assignment(pk=pk, authority_id=authority_id, role="main", status=MEASURE)
        with transaction.atomic():
            pending = counts.Pending()
            token = counts._batch.set(pending)
            try:
                counts.appeal_registered(appeal=appeal, topic_ids={topic_id})
                counts.assignment_created(assignment=assignment)
            finally:
                counts._batch.reset(token)
            start = time.perf_counter()
            if shards:
                counts._write(pending)
            waits.append((time.perf_counter() - start) * 1000)
            time.sleep(HOLD)
    return waits


def _run(shards: int, authority_id: int, topic_id: int, territory: str) -> None:
    began = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        waits = [w for part in pool.map(_worker, [(n, shards, authority_id, topic_id, territory)
                                                  for n in range(WORKERS)]) for w in part]
    elapsed = time.perf_counter() - began
    waits.sort()
    label = f"SHARDS={shards:<2}" if shards else "no counts "
    print(f"  {label}  {len(waits) / elapsed:7.1f} transactions/s   UPSERT p50 "
          f"{statistics.median(waits):6.1f} ms   p95 {waits[int(0.95 * (len(waits) - 1))]:6.1f} ms",
          flush=True)


def _clean() -> None:
    DailyCount.objects.filter(day__year=2099).delete()
    MonthlyCount.objects.filter(month__year=2099).delete()
    AuthorityCount.objects.filter(measure=MEASURE).delete()


def main() -> None:
    authority_id = Authority.objects.values_list("pk", flat=True).first()
    territory = Territory.objects.filter(path__contains="/").values_list("code", flat=True).first()
    topic_id = Topic.objects.values_list("pk", flat=True).first()
    print(f"counts contention on {connection.vendor}: {WORKERS} workers x {PER_WORKER} "
          f"transactions, each holding its rows {HOLD * 1000:.0f} ms after the UPSERT")
    connection.close()
    try:
        for shards in (0, 1, counts.SHARDS):
            _run(shards, authority_id, topic_id, territory)
    finally:
        _clean()


if __name__ == "__main__":
    main()
