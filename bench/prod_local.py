"""The production stack end to end: `bin/prod_local.py start` on a spare port and a database of its
own, wait for /readyz, read /healthz, /readyz, /metrics and a static file, then stop and drop the
database. Prints the start-up time and each endpoint's median latency beside /healthz (the
baseline: a request that touches nothing) measured in the same run. Asserts nothing but exits 1
when the stack does not become ready; skips without PostgreSQL on 127.0.0.1:5432 and Redis on
127.0.0.1:6379. A first start migrates a new database, so it takes about a minute.

BENCH_PROD_PORT (8199), BENCH_PROD_DB (vikno_prod_bench), BENCH_REQUESTS (20).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = os.environ.get("BENCH_PROD_PORT", "8199")
DB = os.environ.get("BENCH_PROD_DB", "vikno_prod_bench")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def median_ms(url: str) -> tuple[float, int]:
    times, status = [], 0
    for _ in range(REQUESTS):
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), status


def main() -> int:
    if not (answers(5432) and answers(6379)):
        print("skipped: needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
        return 0
    base = f"http://127.0.0.1:{PORT}"
    env = {**os.environ, "PORT": PORT, "VIKNO_PROD_DIR": tempfile.mkdtemp(prefix="vikno-prod-"),
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}"}
    env.pop("VIKNO_TESTING", None)
    script = [sys.executable, str(ROOT / "bin" / "prod_local.py")]
    started = time.perf_counter()
    result = subprocess.run([*script, "start"], cwd=ROOT, env=env, capture_output=True, text=True)
    startup = time.perf_counter() - started
    try:
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-2000:])
            return 1
        print(f"start-up (create database, migrate, collectstatic, reference data, ready): "
              f"{startup:.1f} s")
        static = next((ROOT / "var" / "static" / "workspace").glob("*.css")).name
        median_ms(f"{base}/healthz")  # warm-up: each worker's first request imports the views
        baseline, _ = median_ms(f"{base}/healthz")
        print(f"{'endpoint':28} {'status':>6} {'median ms':>10} {'× /healthz':>11}")
        for path in ["/healthz", "/readyz", "/metrics", f"/static/workspace/{static}",
                     "/accounts/login/"]:
            ms, status = median_ms(base + path)
            print(f"{path:28} {status:>6} {ms:>10.1f} {ms / baseline:>11.1f}")
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
            text = response.read().decode()
        print("metrics:", sorted({line.split("{")[0].split(" ")[0] for line in text.splitlines()
                                  if line.startswith("vikno_")}))
        return 0
    finally:
        subprocess.run([*script, "stop"], cwd=ROOT, env=env, check=False)
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
