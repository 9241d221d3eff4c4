"""The production stack on this machine: `make prod-local` / `make prod-local-stop`.

start: starts a PostgreSQL cluster and a Redis server of the stack's own (bin/prod_local_services.py:
data under var/prod/, ports PROD_PG_PORT 5433 and PROD_REDIS_PORT 6380), creates the database if it
is missing, migrates, collects the static files, loads the reference data, then starts gunicorn
(GUNICORN_WORKERS, 2), a Celery worker and Celery beat, each in its own session with its pid and log
under var/prod/ (VIKNO_PROD_DIR), and waits until /readyz answers 200. stop: ends those processes,
then the stack's Redis and PostgreSQL. `manage ARGS` runs manage.py in the stack's environment.

PROD_LOCAL_DATABASE_URL points the stack at an existing database instead of its own cluster (e.g. a
copy of a large one for the benchmarks), PROD_LOCAL_REDIS_URL at an existing Redis. The stack never
reads DATABASE_URL or CELERY_BROKER_URL from the calling shell: a test database named there must
not become the stack's. Everything else comes from the environment (see .env.example); PORT 8100.
Without SECRET_KEY a random one is made once and kept in var/prod/secret_key (mode 600).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from prod_local_services import Postgres, Redis

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PROCESSES = ("gunicorn", "celery-worker", "celery-beat")
DATABASE_NAME = "vikno"


def own_postgres() -> Postgres | None:
    """The stack's own cluster, or None when PROD_LOCAL_DATABASE_URL names another database."""
    if os.environ.get("PROD_LOCAL_DATABASE_URL"):
        return None
    return Postgres(prod_dir(), int(os.environ.get("PROD_PG_PORT", "5433")))


def own_redis() -> Redis | None:
    if os.environ.get("PROD_LOCAL_REDIS_URL"):
        return None
    return Redis(prod_dir(), int(os.environ.get("PROD_REDIS_PORT", "6380")))


def prod_dir() -> Path:
    return Path(os.environ.get("VIKNO_PROD_DIR", ROOT / "var" / "prod"))


def environment() -> dict[str, str]:
    env = dict(os.environ)
    postgres, redis = own_postgres(), own_redis()
    env["DATABASE_URL"] = (f"{postgres.url}/{DATABASE_NAME}" if postgres
                           else os.environ["PROD_LOCAL_DATABASE_URL"])
    env["CELERY_BROKER_URL"] = redis.url if redis else os.environ["PROD_LOCAL_REDIS_URL"]
    env.setdefault("DEBUG", "0")
    env.setdefault("PORT", "8100")
    env.setdefault("GUNICORN_BIND", f"127.0.0.1:{env['PORT']}")
    env.setdefault("GUNICORN_WORKERS", "2")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    # http://127.0.0.1 has no TLS: secure-only cookies would make logging in impossible here.
    env.setdefault("SECURE_COOKIES", "0")
    env.setdefault("DB_CONN_MAX_AGE", "60")
    env.setdefault("LOG_FORMAT", "json")
    env.setdefault("VIKNO_VAR_DIR", str(ROOT / "var"))
    env["PROMETHEUS_MULTIPROC_DIR"] = str(prod_dir() / "metrics")
    if not env.get("SECRET_KEY"):
        key_file = prod_dir() / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        env["SECRET_KEY"] = key_file.read_text().strip()
    env.pop("VIKNO_TESTING", None)
    return env


def ensure_database(url: str) -> None:
    """CREATE DATABASE when a PostgreSQL URL names one that does not exist yet."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"==> created database {name}")


def manage(env: dict[str, str], *args: str) -> None:
    print("==> manage.py", " ".join(args))
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own manage.py


def pid_file(name: str) -> Path:
    return prod_dir() / f"{name}.pid"


def running(name: str) -> int | None:
    try:
        pid = int(pid_file(name).read_text())
        os.kill(pid, 0)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return None if state == "Z" else pid


def spawn(env: dict[str, str], name: str, args: list[str]) -> None:
    log = (prod_dir() / f"{name}.log").open("ab")
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603 - our own servers
                               stdin=subprocess.DEVNULL, start_new_session=True)
    pid_file(name).write_text(str(process.pid))
    print(f"==> {name} started, pid {process.pid}, log {prod_dir() / (name + '.log')}")


def wait_ready(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return False


def start() -> int:
    prod_dir().mkdir(parents=True, exist_ok=True)
    if any(running(name) for name in PROCESSES):
        print("already running; `make prod-local-stop` first", file=sys.stderr)
        return 1
    for service in (own_redis(), own_postgres()):
        if service:
            service.start()
    env = environment()
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    manage(env, "load_reference")
    metrics_dir = Path(env["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    spawn(env, "gunicorn", [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"])
    start_worker(env)
    spawn(env, "celery-beat", [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                               "--schedule", str(prod_dir() / "celerybeat-schedule")])
    ready = f"http://{env['GUNICORN_BIND']}/readyz"
    if not wait_ready(ready, float(os.environ.get("VIKNO_READY_TIMEOUT", "45"))):
        print(f"{ready} did not answer 200; see the logs in {prod_dir()}", file=sys.stderr)
        stop()
        return 1
    print(f"==> ready: http://{env['GUNICORN_BIND']}/  (stop with `make prod-local-stop`)")
    print(f"    database {redacted(env['DATABASE_URL'])}, broker {env['CELERY_BROKER_URL']}")
    return 0


def redacted(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()


def start_worker(env: dict[str, str] | None = None) -> None:
    """The Celery worker (also after bench/faults.py killed it)."""
    env = env or environment()
    queue = env.get("CELERY_TASK_DEFAULT_QUEUE", "vikno")
    spawn(env, "celery-worker", [str(BIN / "celery"), "-A", "config", "worker", "--loglevel",
                                 "INFO", "--queues", queue, "--concurrency", "1",
                                 "--hostname", f"vikno-{env['PORT']}@%h"])


def stop() -> int:
    pids = {name: pid for name in PROCESSES if (pid := running(name))}
    for name, pid in pids.items():
        print(f"==> stopping {name} (pid {pid})")
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while pids and time.monotonic() < deadline:
        pids = {name: pid for name, pid in pids.items() if running(name)}
        time.sleep(0.2)
    for name, pid in pids.items():
        print(f"==> {name} (pid {pid}) did not stop in time: killed")
        os.killpg(pid, signal.SIGKILL)
    for name in PROCESSES:
        pid_file(name).unlink(missing_ok=True)
    redis, postgres = own_redis(), own_postgres()
    if redis:
        redis.stop()
    if postgres:
        postgres.stop()
    return 0


def manage_command(args: list[str]) -> int:
    """manage.py ARGS against the stack's database and broker (e.g. create_demo_accounts)."""
    manage(environment(), *args)
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "manage":
        sys.exit(manage_command(sys.argv[2:]))
    sys.exit({"start": start, "stop": stop}[command]())
