"""Reads that record an audit event, beside registrations, on PostgreSQL: do page views queue
behind each other and behind registrations on the audit chain's head? And how long does
verifying (and sealing) the trail take per 100,000 events?

Measures the code at BENCH_ROOT (default: this checkout) and, in the same run, the code at
BENCH_BASELINE_ROOT (default /work/main), each in a fresh database of its own on the PostgreSQL
server of BENCH_PG (postgres://postgres@127.0.0.1:5432), dropped afterwards. In each: the
reference data, BENCH_APPEALS appeals registered through the services, then for BENCH_SECONDS
BENCH_READERS processes view appeal cards through the workspace (each view records
`applicant.view`) while BENCH_WRITERS processes register appeals. Prints card views/s and their
p50/p95, registrations/s, and the time spent waiting for the chain head (the
`SELECT … FOR UPDATE` of audit_auditchainhead, per statement); then the verification of 100,000
chained events and, where the code has a sealer, the sealing of 100,000 unsealed ones.
Prints figures, asserts nothing.

    .venv/bin/python bench/audit_concurrency.py
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
READERS = int(os.environ.get("BENCH_READERS", "6"))
WRITERS = int(os.environ.get("BENCH_WRITERS", "2"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
APPEALS = int(os.environ.get("BENCH_APPEALS", "60"))
VERIFY_EVENTS = int(os.environ.get("BENCH_VERIFY_EVENTS", "100000"))
# "selector": the card's recorded read of personal data alone (appeal_personal_data: the
# applicant.view event), so the head, not page rendering, is what a read spends its time on;
# "page": the whole card through the workspace.
READ = os.environ.get("BENCH_READ", "selector")


def _ms(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the measuring child: runs inside one code root, on one database ---------------------------

class _HeadProbe:
    """Time spent in statements that lock the chain head (waiting for it, mostly)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool,
                 context: Any) -> Any:
        if "audit_auditchainhead" not in sql or "FOR UPDATE" not in sql:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.waits.append(time.perf_counter() - started)


def _reader(args: tuple[int, list[str], float]) -> dict[str, Any]:
    user_pk, numbers, until = args
    from django.contrib.auth import get_user_model
    from django.db import connection, connections
    from django.test import Client
    from django.urls import reverse

    from vikno.appeals import selectors
    from vikno.appeals.models import Appeal

    connections.close_all()
    user = get_user_model().objects.get(pk=user_pk)
    client = Client()
    client.force_login(user)
    appeals = {a.number: a for a in Appeal.objects.filter(number__in=numbers)
               .select_related("applicant")}
    probe = _HeadProbe()
    latencies: list[float] = []
    trivial: list[float] = []
    errors = 0
    i = os.getpid()
    with connection.execute_wrapper(probe):
        while time.time() < until:
            i += 1
            number = numbers[i % len(numbers)]
            started = time.perf_counter()
            with connection.cursor() as cursor:  # the round trip a wait is compared with
                cursor.execute("SELECT 1")
            trivial.append(time.perf_counter() - started)
            started = time.perf_counter()
            if READ == "page":
                response = client.get(reverse("workspace:appeal_card", args=[number]))
                errors += response.status_code != 200
            else:
                people = selectors.appeal_personal_data(user=user, appeal=appeals[number])
                errors += not people.visible
            latencies.append(time.perf_counter() - started)
    connections.close_all()
    return {"latencies": latencies, "head": probe.waits, "errors": errors, "trivial": trivial}


def _writer(args: tuple[int, float]) -> dict[str, Any]:
    start, until = args
    from django.db import connection, connections

    connections.close_all()
    probe = _HeadProbe()
    latencies: list[float] = []
    i = start
    with connection.execute_wrapper(probe):
        while time.time() < until:
            i += 1
            started = time.perf_counter()
            _register(i)
            latencies.append(time.perf_counter() - started)
    connections.close_all()
    return {"latencies": latencies, "head": probe.waits, "errors": 0}


_SETTLEMENTS: list[Any] = []


def _register(i: int) -> Any:
    from vikno.appeals import services
    from vikno.directory.models import Territory, TerritoryLevel

    if not _SETTLEMENTS:
        _SETTLEMENTS.extend(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT)
                            .order_by("code")[:50])
    return services.appeal_register(actor=None, intake=services.AppealIntake(
        channel="hotline", text=f"Немає гарячої води, будинок {i}.",
        questions=[services.QuestionData(subtopic_code="009.010")],
        applicant=services.ApplicantData(last_name="Петренко", first_name="Ольга",
                                         phone=f"050{i % 10_000_000:07d}",
                                         territory_code=_SETTLEMENTS[i % len(_SETTLEMENTS)].code),
    ))


def _load(until: float, user_pk: int, numbers: list[str]) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()
    jobs = [("r", (user_pk, numbers, until)) for _ in range(READERS)]
    jobs += [("w", (1_000_000 * (w + 1), until)) for w in range(WRITERS)]
    started = time.time()
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        handles = [pool.apply_async(_reader if kind == "r" else _writer, (args,))
                   for kind, args in jobs]
        results = [(kind, handle.get()) for (kind, _), handle in zip(jobs, handles, strict=True)]
    wall = time.time() - started
    reads = [r for kind, r in results if kind == "r"]
    writes = [r for kind, r in results if kind == "w"]

    def merged(rows: list[dict[str, Any]], key: str) -> list[float]:
        return [value for row in rows for value in row[key]]

    read_lat, write_lat = merged(reads, "latencies"), merged(writes, "latencies")
    read_head, write_head = merged(reads, "head"), merged(writes, "head")
    trivial = merged(reads, "trivial")
    return {
        "trivial_p50": _ms(trivial, .5), "trivial_p95": _ms(trivial, .95),
        "wall": wall, "reads": len(read_lat), "read_errors": sum(r["errors"] for r in reads),
        "reads_per_s": len(read_lat) / wall, "read_p50": _ms(read_lat, .5),
        "read_p95": _ms(read_lat, .95), "writes_per_s": len(write_lat) / wall,
        "write_p50": _ms(write_lat, .5), "write_p95": _ms(write_lat, .95),
        "read_head_p95": _ms(read_head, .95), "read_head_total": sum(read_head),
        "write_head_p95": _ms(write_head, .95), "write_head_total": sum(write_head),
    }


def _verify_figures() -> dict[str, Any]:
    """Chain VERIFY_EVENTS events (sealed as the bulk generator writes them) and time the
    verification; where the code has a sealer, also write as many unsealed and time the seal."""
    from django.db import transaction

    from vikno.audit import services
    from vikno.audit.chain import HASHED_FIELDS, event_hash
    from vikno.audit.models import AuditChainHead, AuditEvent
    from vikno.audit.selectors import chain_verify
    from vikno.core import clock

    def fields(i: int) -> dict[str, Any]:
        return {"occurred_at": clock.now(), "actor_id": None, "actor_username": "system",
                "actor_role": "", "action": "applicant.view", "object_type": "appeals.applicant",
                "object_id": str(i), "object_label": f"ЗК-2026-{i:06d}", "before": None,
                "after": {"fields": ["phone"]}}

    figures: dict[str, Any] = {}
    batch = 5000
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(id=1)
        seq, prev = head.last_seq, head.last_hash
        for start in range(0, VERIFY_EVENTS, batch):
            rows = []
            for i in range(start, min(start + batch, VERIFY_EVENTS)):
                seq += 1
                event = AuditEvent(seq=seq, prev_hash=prev, **fields(i))
                event.hash = prev = event_hash({n: getattr(event, n) for n in HASHED_FIELDS})
                rows.append(event)
            AuditEvent.objects.bulk_create(rows)
        AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev)
    started = time.perf_counter()
    report = chain_verify()
    figures["verify_s"] = time.perf_counter() - started
    figures["verified"] = report.checked
    figures["verify_ok"] = report.ok
    if hasattr(services, "seal"):
        for start in range(0, VERIFY_EVENTS, batch):
            AuditEvent.objects.bulk_create(
                [AuditEvent(**fields(i)) for i in range(start, min(start + batch, VERIFY_EVENTS))])
        started = time.perf_counter()
        figures["sealed"] = services.seal()
        figures["seal_s"] = time.perf_counter() - started
        started = time.perf_counter()
        report = chain_verify()
        figures["verify_all_s"] = time.perf_counter() - started
        figures["verified_all"] = report.checked
        figures["verify_all_ok"] = report.ok
    return figures


def child() -> None:
    root = Path(os.environ["BENCH_ROOT"]).resolve()
    sys.path.insert(0, str(root))
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    numbers = [_register(i).number for i in range(APPEALS)]
    user = get_user_model().objects.create_user(username="bench-operator", role="operator")
    # Warm up before the workers fork: imports, templates, the morphology dictionary, caches.
    from django.test import Client
    from django.urls import reverse

    warm = Client()
    warm.force_login(user)
    for number in numbers[:3]:
        warm.get(reverse("workspace:appeal_card", args=[number]))
    figures = _load(time.time() + SECONDS, user.pk, numbers)
    from vikno.audit import services

    if hasattr(services, "seal"):
        started = time.perf_counter()
        figures["sealed_after_load"] = services.seal()
        figures["seal_after_load_s"] = time.perf_counter() - started
    if VERIFY_EVENTS:
        figures.update(_verify_figures())
    print("RESULT " + json.dumps(figures))


# --- the driver: both code roots, one after the other, in fresh databases ------------------------

def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qAtc", sql], check=True)


def _measure(label: str, root: str) -> dict[str, Any]:
    database = f"vikno_auditbench_{label}"
    _psql(f"DROP DATABASE IF EXISTS {database}")
    _psql(f"CREATE DATABASE {database}")
    try:
        env = {**os.environ, "BENCH_CHILD": "1", "BENCH_ROOT": root,
               "DATABASE_URL": f"{PG}/{database}", "DEBUG": "0", "SECRET_KEY": "bench",
               "LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": "", "SECURE_COOKIES": "0"}
        done = subprocess.run([sys.executable, str(HERE)], env=env, capture_output=True,
                              text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{label}: {done.stderr[-3000:]}")
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT "):])
    finally:
        _psql(f"DROP DATABASE IF EXISTS {database}")


def main() -> None:
    baseline_root = os.environ.get("BENCH_BASELINE_ROOT", "/work/main")
    root = os.environ.get("BENCH_ROOT", str(HERE.parent.parent))
    runs = [("before", baseline_root), ("after", root)]
    results = {label: _measure(label, path) for label, path in runs}
    what = "the card's recorded read" if READ == "selector" else "the whole card page"
    print(f"audit head under load on PostgreSQL: {READERS} processes doing {what} (each records "
          f"applicant.view) beside {WRITERS} registering, {SECONDS:.0f} s each; "
          f"{APPEALS} appeals; 'before' = {baseline_root}, 'after' = {root}")
    print(f"  {'':8} {'card views/s':>12} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}   "
          f"{'regs/s':>7} {'p50 ms':>8} {'p95 ms':>8}   {'head wait p95 ms (reads/regs)':>30}"
          f"   {'head wait total s (reads/regs)':>30}")
    for label, _ in runs:
        r = results[label]
        print(f"  {label:8} {r['reads_per_s']:12.1f} {r['read_p50']:8.1f} {r['read_p95']:8.1f} "
              f"{r['read_errors']:6d}   {r['writes_per_s']:7.1f} {r['write_p50']:8.1f} "
              f"{r['write_p95']:8.1f}   {r['read_head_p95']:14.1f} / {r['write_head_p95']:13.1f}"
              f"   {r['read_head_total']:14.2f} / {r['write_head_total']:13.2f}")
    for label, _ in runs:
        r = results[label]
        print(f"  {label:8} baseline in the same processes: SELECT 1 p50 {r['trivial_p50']:.1f} ms, "
              f"p95 {r['trivial_p95']:.1f} ms")
    for label, _ in runs:
        r = results[label]
        if "verify_s" not in r:
            continue
        per = 100_000 / max(1, r["verified"])
        print(f"  {label:8} verify: {r['verified']} events in {r['verify_s']:.2f} s "
              f"= {r['verify_s'] * per:.2f} s per 100,000 ({'intact' if r['verify_ok'] else 'BROKEN'})")
        if "seal_s" in r:
            print(f"  {label:8} seal: {r['sealed']} unsealed events chained in {r['seal_s']:.2f} s "
                  f"= {r['seal_s'] * 100_000 / max(1, r['sealed']):.2f} s per 100,000; then "
                  f"verify {r['verified_all']} in {r['verify_all_s']:.2f} s "
                  f"({'intact' if r['verify_all_ok'] else 'BROKEN'}); after the load "
                  f"{r['sealed_after_load']} events were left to seal "
                  f"({r['seal_after_load_s'] * 1000:.0f} ms)")


if __name__ == "__main__":
    child() if os.environ.get("BENCH_CHILD") else main()
