"""The database and the broker of `make prod-local`: a PostgreSQL cluster and a Redis server of its
own under VIKNO_PROD_DIR, on ports of their own, so that stopping, restarting or crashing them (the
fault runs of bench/faults.py) touches nothing else on the machine.

PostgreSQL: `initdb` into <prod dir>/pg on the first start (trust for local connections, user
postgres), then `pg_ctl start` on 127.0.0.1:PROD_PG_PORT (5433) with its socket in <prod dir>/run.
PostgreSQL refuses to run as root: as root the commands run as the `postgres` user (runuser), and
the data directory belongs to it. The binaries are found on PATH or in /usr/lib/postgresql/*/bin
(PG_BIN names the directory).

Redis: `redis-server` on 127.0.0.1:PROD_REDIS_PORT (6380), data in <prod dir>/redis, with the
append-only file on (fsync every second), so a restarted broker still holds the tasks queued before.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path


def pg_bin() -> Path:
    """The directory of initdb and pg_ctl."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not versions:
        raise SystemExit("PostgreSQL's pg_ctl was not found: install PostgreSQL, set PG_BIN, or "
                         "point PROD_LOCAL_DATABASE_URL at an existing database")
    return versions[-1].parent


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL's tools refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class Postgres:
    """One cluster: data in `root/pg`, socket in `root/run`, log `root/postgres.log`."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "pg"
        self.run_dir = root / "run"
        self.log = root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _own(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_as_postgres([str(pg_bin() / "pg_ctl"), "-D", str(self.data), *args]),  # noqa: S603 - PostgreSQL's own tool
                              capture_output=True, text=True, check=check)

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def init(self) -> None:
        if os.geteuid() == 0:  # the postgres user must be able to pass through the stack's folder
            self.root.chmod(self.root.stat().st_mode | 0o001)
        for path in (self.data, self.run_dir):
            path.mkdir(parents=True, exist_ok=True)
            self._own(path)
        self.log.touch()
        self._own(self.log)
        if self.initialised():
            return
        print(f"==> initdb {self.data}")
        subprocess.run(_as_postgres([str(pg_bin() / "initdb"), "-D", str(self.data), "-U", "postgres",  # noqa: S603
                                     "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.run_dir}'",
            "shared_buffers = 256MB",
            "max_connections = 100",
            # The bench's 1M database is copied by CREATE DATABASE … TEMPLATE; keep checkpoints calm.
            "max_wal_size = 2GB",
            # Solid-state storage (docs/operations.md, "Scaling notes"): index reads are cheap, and
            # the executor's queue counts through the questions' index instead of scanning them.
            "random_page_cost = 1.1",
            "effective_cache_size = 1GB",
            "log_min_messages = warning",
        ]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# bin/prod_local_services.py\n" + "\n".join(settings) + "\n")

    def running(self) -> bool:
        return self._ctl("status", check=False).returncode == 0

    def start(self) -> None:
        self.init()
        if self.running():
            return
        self._ctl("start", "-w", "-t", "60", "-l", str(self.log))
        print(f"==> postgresql started on 127.0.0.1:{self.port} ({self.data})")

    def stop(self, mode: str = "fast") -> None:
        if self.initialised() and self.running():
            self._ctl("stop", "-w", "-t", "60", "-m", mode)
            print(f"==> postgresql stopped ({mode})")

    def restart(self, mode: str = "fast") -> None:
        """`mode` immediate is a crash: no checkpoint, recovery from the WAL at the next start."""
        self._ctl("restart", "-w", "-t", "60", "-m", mode, "-l", str(self.log))


class Redis:
    """One redis-server: data in `root/redis`, pid in `root/redis.pid`, log `root/redis.log`."""

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.data = root / "redis"
        self.pid_file = root / "redis.pid"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return None
        return pid

    def start(self) -> None:
        if self.pid():
            return
        if not shutil.which("redis-server"):
            raise SystemExit("redis-server was not found: install Redis or point "
                             "PROD_LOCAL_REDIS_URL at a running one")
        self.data.mkdir(parents=True, exist_ok=True)
        subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),  # noqa: S603,S607 - the system's Redis
                        "--dir", str(self.data), "--daemonize", "yes",
                        "--pidfile", str(self.pid_file), "--logfile", str(self.root / "redis.log"),
                        "--appendonly", "yes", "--appendfsync", "everysec",
                        "--save", ""], check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not self._answers():
            time.sleep(0.1)
        print(f"==> redis started on 127.0.0.1:{self.port} ({self.data})")

    def _answers(self) -> bool:
        result = subprocess.run(["redis-cli", "-p", str(self.port), "ping"],  # noqa: S603,S607
                                capture_output=True, text=True, check=False)
        return result.stdout.strip() == "PONG"

    def stop(self, *, crash: bool = False) -> None:
        """SHUTDOWN (the append-only file is flushed), or with `crash` SIGKILL."""
        pid = self.pid()
        if pid is None:
            return
        if crash:
            os.kill(pid, signal.SIGKILL)
        else:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"],  # noqa: S603,S607
                           capture_output=True, check=False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.pid():
            time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        print(f"==> redis stopped{' (killed)' if crash else ''}")

    def restart(self, *, crash: bool = False) -> None:
        self.stop(crash=crash)
        self.start()
