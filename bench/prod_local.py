"""The production stack end to end: `bin/prod_local.py start` on spare ports in a throw-away folder
(its own PostgreSQL cluster and Redis: initdb, migrate, collectstatic, reference data), wait for
/readyz, read /healthz, /readyz, /metrics and a static file, then stop it and remove the folder.
Prints the start-up time and each endpoint's median latency beside /healthz (the baseline: a
request that touches nothing) measured in the same run. Asserts nothing but exits 1 when the stack
does not become ready; skips without PostgreSQL's binaries or redis-server.

BENCH_PROD_PORT (8199), BENCH_PG_PORT (5499), BENCH_REDIS_PORT (6399), BENCH_REQUESTS (20).
"""

from __future__ import annotations

import os
import shutil
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
PG_PORT = os.environ.get("BENCH_PG_PORT", "5499")
REDIS_PORT = os.environ.get("BENCH_REDIS_PORT", "6399")
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
    sys.path.insert(0, str(ROOT / "bin"))
    from prod_local_services import pg_bin

    try:
        pg_bin()
    except SystemExit:
        print("skipped: needs PostgreSQL's initdb and pg_ctl")
        return 0
    if not shutil.which("redis-server") or any(answers(int(p)) for p in (PORT, PG_PORT, REDIS_PORT)):
        print(f"skipped: needs redis-server and free ports {PORT}, {PG_PORT}, {REDIS_PORT}")
        return 0
    base = f"http://127.0.0.1:{PORT}"
    folder = tempfile.mkdtemp(prefix="vikno-prod-")
    env = {**os.environ, "PORT": PORT, "VIKNO_PROD_DIR": folder, "PROD_PG_PORT": PG_PORT,
           "PROD_REDIS_PORT": REDIS_PORT}
    for name in ("VIKNO_TESTING", "PROD_LOCAL_DATABASE_URL", "PROD_LOCAL_REDIS_URL"):
        env.pop(name, None)
    script = [sys.executable, str(ROOT / "bin" / "prod_local.py")]
    started = time.perf_counter()
    result = subprocess.run([*script, "start"], cwd=ROOT, env=env, capture_output=True, text=True)
    startup = time.perf_counter() - started
    try:
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-2000:])
            return 1
        print(f"start-up (initdb, create database, migrate, collectstatic, reference data, ready): "
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
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
