#!/usr/bin/env python3
"""A PostgreSQL primary and its streaming read replica on this machine, for trying the replica
routing (ADR 28): `make replica-local` / `make replica-local-stop`.

    bin/pg_replica.py start    # primary on 127.0.0.1:5434, replica on 127.0.0.1:5435
    bin/pg_replica.py status
    bin/pg_replica.py stop     # stops both (the data stays in var/pgreplica/)
    bin/pg_replica.py destroy  # stops both and removes their data

Both clusters are this script's own (initdb under var/pgreplica/): a shared server on 5432 is
never touched. The replica is made the way production makes one: `pg_basebackup -R` from the
running primary (a copy of its files plus `standby.signal` and `primary_conninfo`), then started
as a hot standby that streams the primary's WAL and answers read-only queries. Started as root,
the clusters run as the `postgres` system user (PostgreSQL refuses to run as root).

It prints the two variables the application reads:

    DATABASE_URL=postgres://postgres@127.0.0.1:5434/vikno
    DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5435/vikno
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PRIMARY_PORT = 5434
REPLICA_PORT = 5435
DATABASE = "vikno"
SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "hot_standby": "on",
    # A long report on the replica is not cancelled by the primary's vacuum (ADR 28).
    "hot_standby_feedback": "on",
    # Small: a trial on a shared machine, not a tuned server.
    "shared_buffers": "64MB",
    "max_connections": "40",
    "fsync": "on",
}


def bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    if not found:
        sys.exit("PostgreSQL server binaries not found (set PG_BIN to the folder of pg_ctl)")
    return Path(found[-1]).parent


def run(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool, as the postgres system user when we are root."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=check, text=True, capture_output=True)  # noqa: S603 - PostgreSQL's own tools, fixed arguments


def owned(path: Path) -> None:
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


def is_running(data: Path) -> bool:
    return run([str(bin_dir() / "pg_ctl"), "-D", str(data), "status"], check=False).returncode == 0


def pg_ctl_start(data: Path, port: int, log: Path) -> None:
    if is_running(data):
        return
    result = run([str(bin_dir() / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                  "-o", f"-p {port} -k {data.parent}", "start"], check=False)
    if result.returncode:
        sys.exit(f"could not start {data.name} on port {port}: see {log}\n{result.stderr}")


def psql(port: int, sql: str, db: str = "postgres") -> str:
    result = run([str(bin_dir() / "psql"), "-h", HOST, "-p", str(port), "-U", "postgres", "-d", db,
                  "-Atc", sql])
    return result.stdout.strip()


def start(base: Path) -> None:
    primary, replica = base / "primary", base / "replica"
    base.mkdir(parents=True, exist_ok=True)
    owned(base)
    if not (primary / "PG_VERSION").exists():
        print(f"==> initdb {primary}")
        run([str(bin_dir() / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8"])
        with (primary / "postgresql.auto.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in SETTINGS.items())
    print(f"==> primary on {HOST}:{PRIMARY_PORT}")
    pg_ctl_start(primary, PRIMARY_PORT, base / "primary.log")
    if psql(PRIMARY_PORT, f"select 1 from pg_database where datname = '{DATABASE}'") != "1":  # noqa: S608 - a constant
        psql(PRIMARY_PORT, f"create database {DATABASE}")
    if not (replica / "PG_VERSION").exists():
        print(f"==> pg_basebackup -R {replica}")
        run([str(bin_dir() / "pg_basebackup"), "-h", HOST, "-p", str(PRIMARY_PORT),
             "-U", "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast"])
    print(f"==> replica on {HOST}:{REPLICA_PORT}")
    pg_ctl_start(replica, REPLICA_PORT, base / "replica.log")
    wait_streaming()
    print(f"DATABASE_URL=postgres://postgres@{HOST}:{PRIMARY_PORT}/{DATABASE}")
    print(f"DATABASE_REPLICA_URL=postgres://postgres@{HOST}:{REPLICA_PORT}/{DATABASE}")


def wait_streaming(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if psql(PRIMARY_PORT, "select state from pg_stat_replication") == "streaming":
            print("==> streaming: the replica follows the primary")
            return
        time.sleep(0.5)
    sys.exit("the replica does not stream from the primary: see var/pgreplica/replica.log")


def status(base: Path) -> None:
    for name, port in (("primary", PRIMARY_PORT), ("replica", REPLICA_PORT)):
        if not is_running(base / name):
            print(f"{name}: stopped")
            continue
        recovery = psql(port, "select pg_is_in_recovery()")
        print(f"{name}: {HOST}:{port} running, in recovery: {recovery}")
    if is_running(base / "primary"):
        print("replication:", psql(PRIMARY_PORT, "select state, replay_lag from pg_stat_replication")
              or "none")


def stop(base: Path) -> None:
    for name in ("replica", "primary"):
        data = base / name
        if (data / "PG_VERSION").exists() and is_running(data):
            print(f"==> stopping the {name}")
            run([str(bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "destroy"])
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "pgreplica",
                        help="where the two clusters live (default var/pgreplica)")
    args = parser.parse_args()
    base = args.dir.resolve()
    if args.command == "start":
        start(base)
    elif args.command == "status":
        status(base)
    else:
        stop(base)
        if args.command == "destroy":
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
