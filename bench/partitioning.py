"""Partitioning by year on PostgreSQL, measured beside the same tables unpartitioned (ADR 28).

On a copy of a generated database (never a database in use), `build` writes partitioned copies of
the appeals (`appeals_appeal`, RANGE on the registration `year`) and of the audit trail
(`audit_auditevent`, RANGE on `occurred_at`, one partition a year) into a schema `part`, with
the same indexes. PostgreSQL wants the partition key in every unique index and in the primary key,
so the copies have PRIMARY KEY (id, year) / (id, occurred_at) and their unique indexes take the key
as a last column; nothing else changes. `measure` then runs the same code twice in one process,
the pages through the Django test client and the audit chain's verification: with
`search_path = public` (the tables as they are) and `search_path = part, public` (the partitioned
copies answer under the same names; every other table is shared). `sizes` prints the storage of
every table per appeal, for the sizing of ADR 28.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vikno_copy .venv/bin/python bench/partitioning.py build
    DATABASE_URL=... .venv/bin/python bench/partitioning.py measure
    DATABASE_URL=... .venv/bin/python bench/partitioning.py sizes
    DATABASE_URL=... .venv/bin/python bench/partitioning.py drop

BENCH_SAMPLES (15) samples a page; BENCH_VERIFY_EVENTS (200000) events of the chain verified per
variant. The partitioned copies are for reading: no foreign key points at them (a foreign key to a
partitioned table must name its whole primary key, so every table that refers to an appeal would
need its year too; the ADR weighs it). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Connections kept between requests, as in production (.env.example): a new connection would pay
# for loading the catalogue of every partition and index on its first query.
os.environ.setdefault("DB_CONN_MAX_AGE", "600")
if "DATABASE_URL" not in os.environ:
    sys.exit("DATABASE_URL must name a copy of a generated database")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "15"))
VERIFY_EVENTS = int(os.environ.get("BENCH_VERIFY_EVENTS", "200000"))
# table -> (partition key, its partitions' bounds from a year)
TABLES = {
    "appeals_appeal": ("year", lambda y: (str(y), str(y + 1))),
    "audit_auditevent": ("occurred_at", lambda y: (f"'{y}-01-01 00:00+02'", f"'{y + 1}-01-01 00:00+02'")),
}
YEARS = range(2020, 2031)
VARIANT = {"search_path": "public"}


def _rows(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def _one(sql: str, params: tuple[Any, ...] = ()) -> Any:
    rows = _rows(sql, params)
    return rows[0][0] if rows else None


def _partitioned_index(definition: str, table: str, key: str) -> str:
    """The index of `public.table` rewritten for `part.table`: its own name, and the partition
    key added to a unique index's columns (PostgreSQL requires it)."""
    sql = re.sub(r"^CREATE (UNIQUE )?INDEX (\S+) ON public\.",
                 lambda m: f"CREATE {m.group(1) or ''}INDEX p_{m.group(2)[:58]} ON part.", definition)
    if sql.startswith("CREATE UNIQUE") and not re.search(rf"\b{key}\b", sql.split(" USING ")[1]):
        sql = re.sub(r"\)(\s*(WHERE .*)?)$", rf", {key})\1", sql, count=1)
    return sql


def build() -> None:
    """The partitioned copies of the two tables, loaded and indexed; prints the time each took."""
    _rows("DROP SCHEMA IF EXISTS part CASCADE")
    _rows("CREATE SCHEMA part")
    for table, (key, bounds) in TABLES.items():
        began = time.perf_counter()
        _rows(f"CREATE TABLE part.{table} (LIKE public.{table} INCLUDING DEFAULTS "
              f"INCLUDING CONSTRAINTS) PARTITION BY RANGE ({key})")
        for year in YEARS:
            low, high = bounds(year)
            _rows(f"CREATE TABLE part.{table}_{year} PARTITION OF part.{table} "
                  f"FOR VALUES FROM ({low}) TO ({high})")
        _rows(f"CREATE TABLE part.{table}_default PARTITION OF part.{table} DEFAULT")
        # New rows (the events of the measured page views) take ids from the table's own sequence.
        _rows(f"ALTER TABLE part.{table} ALTER COLUMN id SET DEFAULT "
              f"nextval(pg_get_serial_sequence('public.{table}', 'id'))")
        _rows(f"INSERT INTO part.{table} SELECT * FROM public.{table}")
        loaded = time.perf_counter()
        _rows(f"ALTER TABLE part.{table} ADD PRIMARY KEY (id, {key})")
        definitions = [d for (d,) in _rows(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s "
            "AND indexname NOT LIKE '%%pkey'", (table,))]
        for definition in definitions:
            _rows(_partitioned_index(definition, table, key))
        _rows(f"ANALYZE part.{table}")
        _rows(f"ANALYZE public.{table}")
        rows = _one(f"SELECT count(*) FROM part.{table}")
        print(f"{table}: {rows} rows, load {loaded - began:.1f} s, primary key and "
              f"{len(definitions)} indexes {time.perf_counter() - loaded:.1f} s", flush=True)


def drop() -> None:
    _rows("DROP SCHEMA IF EXISTS part CASCADE")


def _size(table: str, schema: str) -> tuple[int, int]:
    """Total and index bytes of a table, its partitions summed."""
    relations = [r for (r,) in _rows("SELECT relid::text FROM pg_partition_tree(%s::regclass)",
                                     (f"{schema}.{table}",))] or [f"{schema}.{table}"]
    total = sum(_one("SELECT pg_total_relation_size(%s::regclass)", (r,)) for r in relations)
    indexes = sum(_one("SELECT pg_indexes_size(%s::regclass)", (r,)) for r in relations)
    return total, indexes


def sizes() -> None:
    """Every table of the application per appeal: the base of the ADR's storage estimates."""
    appeals = _one("SELECT count(*) FROM public.appeals_appeal")
    print(f"{appeals} appeals; bytes per appeal (table + TOAST + indexes)")
    print(f"{'table':34} {'rows':>10} {'rows/appeal':>11} {'total MB':>9} {'index MB':>9} "
          f"{'B/appeal':>9} {'B/row':>7}")
    tables = [t for (t,) in _rows(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC")]
    grand = 0
    for table in tables:
        total, indexes = _size(table, "public")
        rows = _one(f'SELECT count(*) FROM public."{table}"')
        grand += total
        if total < 1 << 20:
            continue
        print(f"{table:34} {rows:10} {rows / appeals:11.2f} {total / 2**20:9.1f} "
              f"{indexes / 2**20:9.1f} {total / appeals:9.0f} {total / max(rows, 1):7.0f}")
    print(f"{'all tables':34} {'':10} {'':11} {grand / 2**20:9.1f} {'':9} {grand / appeals:9.0f}")
    print(f"database: {_one('SELECT pg_database_size(current_database())') / 2**20:.0f} MB")


def _search_path(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET search_path TO {VARIANT['search_path']}")


connection_created.connect(_search_path, weak=False)


def _use(search_path: str) -> None:
    VARIANT["search_path"] = search_path
    connection.close()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _pages(client: Client, url: str, variants: list[tuple[str, str]]) -> dict[str, str]:
    """p50 / p95 of one page per variant, the variants' samples interleaved (the machine's load
    changes by the minute); the kept connection's search_path is set before each request."""
    times: dict[str, list[float]] = {name: [] for name, _path in variants}
    status = 200
    for sample in range(SAMPLES + 1):
        for name, path in variants:
            VARIANT["search_path"] = path
            _rows(f"SET search_path TO {path}")
            start = time.perf_counter()
            response = client.get(url)
            if sample:  # the first round warms the caches
                times[name].append((time.perf_counter() - start) * 1000)
            status = max(status, response.status_code)
    out = {}
    for name, values in times.items():
        values.sort()
        out[name] = (f"{statistics.median(values):7.1f} / {values[int(0.95 * (len(values) - 1) + 0.5)]:7.1f}"
                     + ("" if status == 200 else f" [{status}]"))
    return out


def _verify(limit: int) -> float:
    """Seconds to walk and re-hash the first `limit` events as audit_verify does."""
    from vikno.audit.chain import HASHED_FIELDS, event_hash
    from vikno.audit.models import GENESIS_HASH, AuditEvent

    def events(batch: int = 2000) -> Any:
        # The verification's walk: the sealed events in chain order, a keyset page at a time.
        last = 0
        while rows := list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch]):
            yield from rows
            last = rows[-1].seq

    began = time.perf_counter()
    prev, n = GENESIS_HASH, 0
    for event in events():
        assert event.prev_hash == prev and event_hash(
            {name: getattr(event, name) for name in HASHED_FIELDS}) == event.hash
        prev, n = event.hash, n + 1
        if n >= limit:
            break
    return time.perf_counter() - began


def _append(events: int) -> float:
    """ms to append `events` audit events (copies of existing ones, new seq and hash), rolled back."""
    last = _one("SELECT max(seq) FROM audit_auditevent")
    began = time.perf_counter()
    with transaction.atomic():
        _rows("INSERT INTO audit_auditevent (id, seq, occurred_at, actor_id, actor_username, "
              "actor_role, action, object_type, object_id, object_label, before, after, "
              "prev_hash, hash) SELECT id + 1000000000, seq + %s, now(), actor_id, actor_username, "
              "actor_role, action, object_type, object_id, object_label, before, after, prev_hash, "
              "md5(hash) || md5(hash || 'x') FROM audit_auditevent WHERE seq <= %s",
              (last, events))
        took = time.perf_counter() - began
        transaction.set_rollback(True)
    return took * 1000


def measure() -> None:
    setup_test_environment()
    number = _one("SELECT number FROM public.appeals_appeal WHERE year = 2025 ORDER BY id LIMIT 1")
    centre, analyst, security = _client("supervisor"), _client("analyst"), _client("security")
    pages = [
        ("ceiling: login page", Client(), "/accounts/login/"),
        ("queue: default (open, work order)", centre, "/appeals/"),
        ("queue: all statuses", centre, "/appeals/?status=all"),
        ("queue: all, received in 2025", centre,
         "/appeals/?status=all&received_from=2025-01-01&received_to=2025-12-31"),
        ("appeal card (by number)", centre, f"/appeals/{number}/"),
        ("dashboard", centre, "/dashboard/"),
        ("statistics: all years", analyst, "/statistics/"),
        ("statistics: 2025", analyst, "/statistics/?since=2025-01-01&until=2025-12-31"),
        ("audit trail: newest", security, "/security/audit/"),
        ("audit trail: March 2025", security,
         "/security/audit/?date_from=2025-03-01&date_to=2025-03-31"),
        ("audit trail: one appeal", security, f"/security/audit/?object={number}"),
    ]
    variants = [("plain", "public"), ("by year", "part, public")]
    appeals = _one("SELECT count(*) FROM public.appeals_appeal")
    events = _one("SELECT count(*) FROM public.audit_auditevent")
    print(f"{appeals} appeals, {events} audit events; {SAMPLES} samples a page; p50 / p95 ms")
    results: dict[str, dict[str, str]] = {label: {} for label, _c, _u in pages}
    extra: dict[str, dict[str, str]] = {"verify s / 100k events": {},
                                        "append 5 000 events, ms": {},
                                        "appeals MB (indexes)": {}, "audit MB (indexes)": {}}
    connection.close()
    for label, client, url in pages:
        results[label] = _pages(client, url, variants)
        print(f"  {label:40} " + "  ".join(results[label].values()), flush=True)
    for name, path in variants:
        _use(path)
        assert _one("SHOW search_path") == path
        took = _verify(VERIFY_EVENTS)
        print(f"  {name:8} verified {VERIFY_EVENTS} events in {took:.1f} s", flush=True)
        extra["verify s / 100k events"][name] = f"{took * 100_000 / VERIFY_EVENTS:.2f}"
        extra["append 5 000 events, ms"][name] = f"{statistics.median(_append(5000) for _ in range(3)):.0f}"
        schema = "public" if name == "plain" else "part"
        for table, label in (("appeals_appeal", "appeals MB (indexes)"),
                             ("audit_auditevent", "audit MB (indexes)")):
            total, indexes = _size(table, schema)
            extra[label][name] = f"{total / 2**20:.0f} ({indexes / 2**20:.0f})"
    print(f"{'':40} {'plain':>19} {'by year':>19}")
    for label, row in {**results, **extra}.items():
        print(f"{label:40} {row.get('plain', ''):>19} {row.get('by year', ''):>19}", flush=True)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "measure"
    {"build": build, "measure": measure, "sizes": sizes, "drop": drop}[command]()
