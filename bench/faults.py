"""Faults under load: bench/mixed.py's workload against the stack `make prod-local` started (its own
PostgreSQL cluster and Redis, never a shared server: it refuses PROD_LOCAL_DATABASE_URL and
PROD_LOCAL_REDIS_URL), while this script

1. kills the Celery worker (SIGKILL to its process group) right after handing it a deadline-control
   run with many reminders to write, and starts it again;
2. kills Redis (SIGKILL: the append-only file has at most a second to lose) and starts it again;
3. restarts PostgreSQL (fast shutdown: every connection is cut) and later crashes it (immediate
   shutdown: recovery from the WAL at the start).

Meanwhile time "passes" for the deadline control: every few seconds a batch of open assignments is
given a control date tomorrow and a deadline-control run is sent to the worker through Redis. The
clients resubmit a failed registration with the same intake token (the form's idempotency key) as
a browser's resend would. Afterwards, with every part up again and one last run drained, it checks:

- every registration a client saw accepted is in the registry exactly once, under the number the
  client was shown; registrations the server took but no client saw are counted;
- the numbers of each year are unique and without gaps (seq 1..max, one appeal each);
- every assignment due a reminder and still owing was reminded; per appeal and body, the reminders
  and escalations sent during the run equal the rows the deadline control marked (reminded_at,
  escalated_at: one notification each, in the same transaction), so none is lost or doubled; no
  applicant notice of a new appeal is doubled;
- the audit trail's hash chain verifies (manage.py audit_verify);

and prints the errors the clients saw per kind and a verdict (exit 1 when something was lost or
doubled). BENCH_SECONDS (120), BENCH_CLIENTS (6), BENCH_URL as bench/mixed.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bin"))  # before bench/: bench/prod_local.py is another module

import mixed  # noqa: E402
import prod_local  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "120"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "6"))
TASK = "vikno.appeals.tasks.deadline_control"
OWING = "('assigned', 'in_work', 'returned')"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def send_control(queue: str) -> bool:
    """One deadline-control run through the broker, as beat sends it; False while Redis is down."""
    from celery import Celery

    app = Celery("faults", broker=prod_local.environment()["CELERY_BROKER_URL"])
    try:
        app.send_task(TASK, queue=queue, retry=False)
    except Exception as exc:
        log(f"deadline control not sent ({type(exc).__name__})")
        return False
    finally:
        app.close()
    return True


def make_due(limit: int, began: object) -> int:
    """Time passes: `limit` open assignments get their control date tomorrow, as an extension
    would set it (which owes a new reminder: reminded_at and escalated_at cleared). Rows the
    deadline control marked during this run are left alone."""
    tomorrow = date.today() + timedelta(days=1)
    with mixed.database() as conn:
        cur = conn.execute(  # type: ignore[attr-defined]
            "UPDATE appeals_assignment SET due_date = %s, reminded_at = NULL, escalated_at = NULL "
            f"WHERE id IN (SELECT id FROM appeals_assignment WHERE status IN {OWING} "
            "AND (reminded_at IS NULL OR reminded_at < %s) "
            "AND (escalated_at IS NULL OR escalated_at < %s) ORDER BY id DESC LIMIT %s)",
            [tomorrow, began, began, limit])
        return cur.rowcount


class Driver(threading.Thread):
    """Every `every` seconds: make a batch due and send a deadline-control run."""

    def __init__(self, queue: str, began: object, every: float = 3.0) -> None:
        super().__init__(daemon=True)
        self.queue, self.began, self.every = queue, began, every
        self.stop = threading.Event()
        self.sent = 0

    def run(self) -> None:
        while not self.stop.wait(self.every):
            try:
                make_due(20, self.began)
            except Exception as exc:
                log(f"no batch made due ({type(exc).__name__})")
            self.sent += send_control(self.queue)


def kill_worker() -> None:
    pid = prod_local.running("celery-worker")
    if pid:
        os.killpg(pid, signal.SIGKILL)
        log(f"celery worker killed (pid {pid})")


def faults(env: dict[str, str], stop: threading.Event, began_at: object) -> list[str]:
    """The faults, spread over the run; returns what was done."""
    queue = env.get("CELERY_TASK_DEFAULT_QUEUE", "vikno")
    postgres, redis = prod_local.own_postgres(), prod_local.own_redis()
    assert postgres and redis
    step = SECONDS / 6
    done = []

    def at(fraction: float) -> bool:
        return not stop.wait(max(0.0, began + fraction * SECONDS - time.monotonic()))

    began = time.monotonic()
    if at(1 / 6):
        log(f"made {make_due(3000, began_at)} assignments due; one deadline-control run sent")
        send_control(queue)
        time.sleep(0.5)
        kill_worker()
        time.sleep(step / 3)
        prod_local.start_worker(env)
        done.append("worker killed during a run, restarted")
    if at(2 / 6):
        log("redis: SIGKILL")
        redis.stop(crash=True)
        time.sleep(3)
        redis.start()
        done.append("redis killed, restarted")
    if at(3 / 6):
        log("postgresql: restart (fast)")
        postgres.restart("fast")
        log("postgresql: up")
        done.append("postgresql restarted (fast)")
    if at(4 / 6):
        log("postgresql: crash (immediate) and start")
        postgres.restart("immediate")
        log("postgresql: up")
        done.append("postgresql crashed (immediate), restarted")
    return done


def drain(queue: str, timeout: float = 120) -> None:
    """Wait until the queue is empty and every due, owing assignment is reminded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        send_control(queue)
        time.sleep(3)
        with mixed.database() as conn:
            left = conn.execute(  # type: ignore[attr-defined]
                f"SELECT count(*) FROM appeals_assignment WHERE status IN {OWING} "
                "AND reminded_at IS NULL AND due_date BETWEEN %s AND %s",
                [date.today(), date.today() + timedelta(days=1)]).fetchone()[0]
        if not left:
            return
        log(f"{left} due assignments not reminded yet")


def one(conn: object, sql: str, params: list[object] | None = None) -> int:
    return int(conn.execute(sql, params or []).fetchone()[0])  # type: ignore[attr-defined]


# Each kind of staff notification sent during the run, per appeal and body, against the rows the
# deadline control marked as done in the same transaction (one notification per marked row).
_SENT = ("SELECT appeal_id, {body} AS authority_id, count(*) AS n FROM appeals_notification "
         "WHERE created_at >= %s AND kind = '{kind}' AND {where} GROUP BY 1, 2")
_MARKED = ("SELECT q.appeal_id, {body} AS authority_id, count(*) AS n FROM appeals_assignment a "
           "JOIN appeals_question q ON q.id = a.question_id WHERE a.{mark} >= %s GROUP BY 1, 2")
OWED = [
    ("reminders", _SENT.format(body="authority_id", kind="reminder", where="true"),
     _MARKED.format(body="a.authority_id", mark="reminded_at")),
    ("escalations to the body", _SENT.format(body="authority_id", kind="escalation",
                                             where="authority_id IS NOT NULL"),
     _MARKED.format(body="a.authority_id", mark="escalated_at")),
    ("overdue escalations to supervisors", _SENT.format(
        body="0", kind="escalation", where="for_supervisors AND message = 'notification.overdue'"),
     _MARKED.format(body="0", mark="escalated_at")),
    ("routing-term escalations", _SENT.format(
        body="0", kind="escalation", where="for_supervisors AND message <> 'notification.overdue'"),
     "SELECT appeal_id, 0 AS authority_id, count(*) AS n FROM appeals_routingterm "
     "WHERE escalated_at >= %s GROUP BY 1, 2"),
]


def check(work: mixed.Work, first_id: int, began: object) -> list[str]:
    problems = []
    with mixed.database() as conn:
        rows = conn.execute(  # type: ignore[attr-defined]
            "SELECT intake_token::text, number FROM appeals_appeal WHERE id > %s", [first_id]
        ).fetchall()
        stored: dict[str, list[str]] = {}
        for token, number in rows:
            stored.setdefault(token, []).append(number)
        for token, number in work.accepted.items():
            if stored.get(token) != [number]:
                problems.append(f"accepted {number} stored as {stored.get(token)}")
        unseen = len(set(stored) - set(work.accepted))
        print(f"registrations: {len(work.accepted)} accepted by the clients, {len(rows)} new in the "
              f"registry ({unseen} taken by the server after the client gave up)")
        gaps = conn.execute(  # type: ignore[attr-defined]
            "SELECT year, count(*), count(DISTINCT seq), max(seq), count(DISTINCT number) "
            "FROM appeals_appeal GROUP BY year ORDER BY year").fetchall()
        for year, count, distinct, top, numbers in gaps:
            if not count == distinct == top == numbers:
                problems.append(f"year {year}: {count} appeals, {distinct} seqs, max {top}, "
                                f"{numbers} numbers")
        print("numbers per year (appeals = distinct seq = max seq = distinct numbers): "
              + ", ".join(f"{y}: {c}" for y, c, *_ in gaps))
        unreminded = one(conn, f"SELECT count(*) FROM appeals_assignment WHERE status IN {OWING} "
                               "AND reminded_at IS NULL AND due_date BETWEEN %s AND %s",
                         [date.today(), date.today() + timedelta(days=1)])
        if unreminded:
            problems.append(f"{unreminded} due assignments never reminded")
        mismatched = {label: one(conn, f"SELECT count(*) FROM ({sent}) s FULL JOIN ({owed}) o "
                                       "USING (appeal_id, authority_id) WHERE s.n IS DISTINCT FROM o.n",
                                 [began, began])
                      for label, sent, owed in OWED}
        sent = one(conn, "SELECT count(*) FROM appeals_notification WHERE created_at >= %s "
                         "AND kind IN ('reminder', 'escalation')", [began])
        notices = one(conn, "SELECT count(*) FROM (SELECT 1 FROM appeals_notice n JOIN "
                            "appeals_appeal a ON a.id = n.appeal_id WHERE a.id > %s "
                            "GROUP BY n.appeal_id, n.kind, n.message, n.params::text "
                            "HAVING count(*) > 1) d", [first_id])
        print(f"notifications: {sent} reminders and escalations sent during the run; per appeal and "
              f"body, sent ≠ owed: {mismatched}; {unreminded} due but not reminded; doubled "
              f"applicant notices: {notices}")
        problems += [f"{label}: {n} appeals with more or fewer than owed"
                     for label, n in mismatched.items() if n]
        if notices:
            problems.append(f"{notices} applicant notices doubled")
    verify = subprocess.run([sys.executable, str(ROOT / "bin" / "prod_local.py"), "manage",
                             "audit_verify"], capture_output=True, text=True, check=False)
    print("audit trail:", (verify.stdout.strip().splitlines() or ["?"])[-1])
    if verify.returncode:
        problems.append("audit trail does not verify: " + verify.stderr.strip()[-300:])
    return problems


def main() -> int:
    if os.environ.get("PROD_LOCAL_DATABASE_URL") or os.environ.get("PROD_LOCAL_REDIS_URL"):
        sys.exit("faults run only against the stack's own PostgreSQL and Redis: unset "
                 "PROD_LOCAL_DATABASE_URL and PROD_LOCAL_REDIS_URL")
    if not (prod_local.running("gunicorn") and prod_local.running("celery-worker")):
        sys.exit("start the stack first: make prod-local (and the demo accounts)")
    env = prod_local.environment()
    queue = env.get("CELERY_TASK_DEFAULT_QUEUE", "vikno")
    with mixed.database() as conn:
        first_id = one(conn, "SELECT coalesce(max(id), 0) FROM appeals_appeal")
        began = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[attr-defined]
    work, made = mixed.clients(CLIENTS, retries=8)
    print(f"faults under load on {mixed.BASE}: ~{mixed.appeals_count():,} appeals, {CLIENTS} clients, "
          f"{SECONDS:.0f} s")
    tally, stop = mixed.Tally(), threading.Event()
    driver = Driver(queue, began)
    driver.start()
    done: list[str] = []
    injector = threading.Thread(target=lambda: done.extend(faults(env, stop, began)), daemon=True)
    injector.start()
    wall = mixed.run_clients(made, SECONDS, tally)
    stop.set()
    injector.join()
    driver.stop.set()
    driver.join()
    if not prod_local.running("celery-worker"):
        prod_local.start_worker(env)
    log(f"load over; faults: {'; '.join(done)}; {driver.sent} deadline-control runs sent")
    mixed.report(tally, wall)
    drain(queue)
    print(f"failed answers: {dict(work.failures.most_common(8)) or 'none'}")
    problems = check(work, first_id, began)
    print("VERDICT:", "nothing lost or doubled" if not problems else "FAILED")
    for problem in problems:
        print("  -", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
