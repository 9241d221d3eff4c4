"""Registration throughput: appeals registered per second through `appeal_register` (validation,
numbering under the year counter's lock, routing, deadlines, history, the audit chain under its
head's lock) against a baseline measured in the same run: the same appeal rows written with bare
ORM inserts, by as many concurrent workers.

Runs on a throw-away SQLite file by default (one worker: SQLite has one writer), or on
DATABASE_URL (a PostgreSQL database it may write to) with BENCH_WORKERS processes, each with its
own connection. Prints registrations/s, latency p50/p95, queries per registration and how long
each registration held the two queue locks (from taking it to commit); asserts nothing.
`make bench` runs it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB BENCH_WORKERS=4 BENCH_APPEALS=600 \
        .venv/bin/python bench/registration.py
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

# BENCH_ROOT: measure another checkout's code (e.g. /work/main) with this script, for a
# before/after in the same run.
ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # the Celery app's loader puts the working directory first on the path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from vikno.appeals import services  # noqa: E402
from vikno.appeals.models import Appeal, Applicant, Question  # noqa: E402
from vikno.core import clock  # noqa: E402
from vikno.directory.models import SubTopic, Territory, TerritoryLevel  # noqa: E402

N = int(os.environ.get("BENCH_APPEALS", "300"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
RUN = uuid.uuid4().hex[:8]  # baseline numbers unique per run: the database may be reused


def _register(i: int, settlements: list[Territory]) -> None:
    services.appeal_register(actor=None, intake=services.AppealIntake(
        channel="hotline", text=f"Немає гарячої води, будинок {i}.",
        questions=[services.QuestionData(subtopic_code="009.010")],
        applicant=services.ApplicantData(last_name="Петренко", first_name="Ольга",
                                         phone=f"050{i % 10_000_000:07d}",
                                         territory_code=settlements[i % len(settlements)].code),
    ))


def through_services(settlements: list[Territory], n: int = N) -> float:
    """Seconds for `n` hotline registrations through appeal_register, one after another (also
    bench/seed_demo.py's baseline)."""
    started = time.perf_counter()
    for i in range(n):
        _register(i, settlements)
    return time.perf_counter() - started


def _bare(i: int, settlements: list[Territory]) -> None:
    subtopic = _SUBTOPIC[0]
    today = clock.today()
    with transaction.atomic():
        person = Applicant.objects.create(last_name="Петренко", first_name="Ольга",
                                          phone=f"050{i:07d}", phone_digits=f"38050{i:07d}")
        now = clock.now()
        appeal = Appeal.objects.create(
            number=f"B{RUN}-{i}", year=9999, seq=i + 1, channel="hotline",
            text=f"Немає гарячої води, будинок {i}.", applicant=person, received_at=now,
            registered_at=now, status_changed_at=now, due_date=today, max_due_date=today,
            territory=settlements[i % len(settlements)])
        Question.objects.create(appeal=appeal, subtopic=subtopic, due_date=today)


_SUBTOPIC: list[SubTopic] = []


class _Probe:
    """Counts the queries of one registration and notes when each queue lock was taken (the
    UPDATE of the year's counter; the SELECT … FOR UPDATE of the audit chain's head)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.queries = 0
        self.counter_at: float | None = None
        self.head_at: float | None = None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: Any) -> Any:
        self.queries += 1
        text = sql.lstrip().upper()
        result = execute(sql, params, many, context)
        # The counter's UPDATE alone, or inside the statement that also writes the number.
        if self.counter_at is None and "UPDATE" in text and "REGISTRATIONCOUNTER" in text:
            self.counter_at = time.perf_counter()
        if (self.head_at is None and "AUDIT_AUDITCHAINHEAD" in text and "FOR UPDATE" in text):
            self.head_at = time.perf_counter()
        return result


def _worker(args: tuple[str, list[int], list[Territory]]) -> list[tuple[float, int, float, float]]:
    """One process: its own connection; (latency, queries, counter held, head held) per item."""
    kind, items, settlements = args
    connections.close_all()
    if not _SUBTOPIC:
        _SUBTOPIC.append(SubTopic.objects.get(code="009.010"))
    work = _register if kind == "service" else _bare
    probe = _Probe()
    rows = []
    with connection.execute_wrapper(probe):
        for i in items:
            probe.reset()
            started = time.perf_counter()
            work(i, settlements)
            done = time.perf_counter()  # committed: both locks are released
            rows.append((done - started, probe.queries,
                         done - probe.counter_at if probe.counter_at else 0.0,
                         done - probe.head_at if probe.head_at else 0.0))
    connections.close_all()
    return rows


def _run(kind: str, offset: int, settlements: list[Territory], workers: int
         ) -> tuple[float, list[tuple[float, int, float, float]]]:
    chunks = [(kind, list(range(offset + w, offset + N, workers)), settlements)
              for w in range(workers)]
    connections.close_all()
    started = time.perf_counter()
    if workers == 1:
        rows = _worker(chunks[0])
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            rows = [row for part in pool.map(_worker, chunks) for row in part]
    return time.perf_counter() - started, rows


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    call_command("migrate", verbosity=0)
    if not SubTopic.objects.filter(code="009.010").exists():
        call_command("load_reference", verbosity=0)
    settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT).order_by("code")[:50])
    vendor = connection.vendor
    workers = WORKERS if vendor == "postgresql" else 1
    _run("service", 10_000_000 - 2 * workers, settlements, workers)  # warm up: imports, caches
    offset = Appeal.objects.count()
    base_s, base = _run("bare", offset, settlements, workers)
    real_s, real = _run("service", offset, settlements, workers)
    print(f"registration on {vendor} ({connection.settings_dict['NAME']}, "
          f"{offset} appeals before), {N} appeals, {workers} concurrent worker(s), "
          f"code of {Path(services.__file__).parents[2]}")
    for label, seconds, rows in (("baseline (bare inserts)", base_s, base),
                                 ("appeal_register", real_s, real)):
        latency = [r[0] for r in rows]
        print(f"  {label:24} {N / seconds:8.1f} /s   p50 {_ms(latency, .5):6.1f} ms   "
              f"p95 {_ms(latency, .95):6.1f} ms   {statistics.mean(r[1] for r in rows):5.1f} queries")
    print(f"  ratio service/baseline:  {real_s / base_s:8.2f}x the time")
    counter = [r[2] for r in real]
    head = [r[3] for r in real]
    print(f"  year counter held:       p50 {_ms(counter, .5):6.1f} ms   p95 {_ms(counter, .95):6.1f} ms"
          f"   {sum(counter) / real_s:5.2f} of the run's wall time (1.00 = always busy)")
    print(f"  audit head held:         p50 {_ms(head, .5):6.1f} ms   p95 {_ms(head, .95):6.1f} ms"
          f"   {sum(head) / real_s:5.2f} of the run's wall time")


if __name__ == "__main__":
    main()
