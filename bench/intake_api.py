"""Registration through the partner REST API: concurrent partner systems POSTing appeals to
gunicorn (as in production: config/gunicorn.py, GUNICORN_WORKERS, 2), through the whole pipeline
(key, rate limit, validation, routing, deadlines, audit, notices), beside /healthz (a view that
touches nothing) measured in the same run with the same clients. Prints requests/s and
p50/p95/p99 per phase; asserts nothing.

It creates its own PostgreSQL database (BENCH_DB, vikno_bench_api) on the server of
BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres), migrates it, loads the reference
data, issues one key per client, and drops the database at the end.

    BENCH_CLIENTS=8 BENCH_SECONDS=20 .venv/bin/python bench/intake_api.py
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WORKERS = os.environ.get("GUNICORN_WORKERS", "2")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB = os.environ.get("BENCH_DB", "vikno_bench_api")
DB_URL = urlunsplit(urlsplit(PG_URL)._replace(path=f"/{DB}"))
# High enough never to refuse the bench, so the throttle's work is measured, not its refusals.
RATE = os.environ.get("BENCH_API_RATE", "10000000/min")


def _admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(port: int, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def _phase(label: str, work: Callable[[int, int], int]) -> None:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def loop(index: int) -> None:
        n = 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status = work(index, n)
            elapsed = time.perf_counter() - started
            n += 1
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    print(f"  {label:36} {len(ordered) / wall:7.1f} /s   p50 {1000 * statistics.median(ordered):6.1f}"
          f" ms   p95 {pct(0.95):6.1f} ms   p99 {pct(0.99):6.1f} ms   "
          f"statuses {dict(sorted(statuses.items()))}")


def _prepare() -> tuple[list[str], list[str], str]:
    """Migrate, load the reference data, issue the keys (in this process, on the bench DB)."""
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from vikno.directory.models import SubTopic, Territory, TerritoryLevel
    from vikno.directory.services import partner_create

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT)
                       .order_by("code").values_list("code", flat=True)[:50])
    subtopic = SubTopic.objects.get(code="009.010").code
    keys = [partner_create(actor=None, name=f"bench partner {i}", scope="api")[1]
            for i in range(CLIENTS)]
    connection.close()
    return keys, settlements, subtopic


def main() -> None:
    try:
        _admin(f'CREATE DATABASE "{DB}"')
    except Exception as exc:  # no server, or no right to create: nothing to measure
        print(f"skipped: cannot create {DB} on {PG_URL}: {exc}")
        return
    server = None
    try:
        keys, settlements, subtopic = _prepare()
        port = _free_port()
        log = (Path(tempfile.gettempdir()) / f"vikno-bench-api-{port}.log").open("wb")
        env = {**os.environ, "DATABASE_URL": DB_URL, "GUNICORN_BIND": f"127.0.0.1:{port}",
               "GUNICORN_WORKERS": WORKERS, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
               "DB_CONN_MAX_AGE": "60", "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING",
               "SECRET_KEY": secrets.token_urlsafe(50), "VIKNO_API_RATE": RATE,
               "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="vikno-bench-metrics-")}
        env.pop("VIKNO_TESTING", None)
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py",
             "config.wsgi"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(240):
            try:
                if _request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"gunicorn did not answer: see {log.name}")

        def register(index: int, n: int) -> int:
            body = {
                "text": f"Третій день немає гарячої води в будинку {n}.",
                "applicant": {"last_name": "Петренко", "first_name": "Ольга",
                              "address": f"вул. Садова, {n % 200 + 1}",
                              "email": f"client{index}.{n}@example.com"},
                "questions": [{"subtopic_code": subtopic}],
                "territory_code": settlements[n % len(settlements)],
            }
            status, data = _request(port, "POST", "/api/v1/appeals/",
                                    json.dumps(body).encode(),
                                    {"Authorization": f"Bearer {keys[index]}",
                                     "Content-Type": "application/json",
                                     "Idempotency-Key": f"{index}-{n}-{time.time_ns()}"})
            if status != 201 and n == 0:
                print("   first refusal:", data[:300].decode("utf-8", "replace"))
            return status

        print(f"Partner API on gunicorn ({WORKERS} workers), {DB}, {CLIENTS} clients, "
              f"{SECONDS:.0f} s a phase (other work on this machine shares its 2 cores)")
        _phase("GET /healthz (trivial view)", lambda i, n: _request(port, "GET", "/healthz")[0])
        _phase("POST /api/v1/appeals/ (registration)", register)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        _admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
