"""Registration through HTTP: the operator's form POSTed to gunicorn by concurrent clients, beside
the login page (a view that reads nothing from the database) and /healthz, measured in the same
run with the same clients. Each client logs in as its own operator, takes the form's CSRF token
once and POSTs phone appeals (a new applicant each, a fresh intake token each, as a browser
does), not following the redirect to the card but dropping the success message the card would
read (BENCH_KEEP_MESSAGES=1 keeps them piling up, as before). Prints requests/s, p50 and p95 per
phase; asserts nothing.

Starts gunicorn itself (config/gunicorn.py, GUNICORN_WORKERS, 2) on a free port against
DATABASE_URL (a PostgreSQL database it may write to, migrated, with the reference data), and
stops it at the end. BENCH_ROOT measures another checkout's code (e.g. /work/main) with this
script, for a before/after in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/DB BENCH_CLIENTS=8 BENCH_SECONDS=20 \\
        .venv/bin/python bench/register_http.py
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # the Celery app's loader puts the working directory first on the path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from vikno.accounts.models import User  # noqa: E402
from vikno.accounts.roles import Role  # noqa: E402
from vikno.directory.models import SubTopic, Territory, TerritoryLevel  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WORKERS = os.environ.get("GUNICORN_WORKERS", "2")
KEEP_MESSAGES = os.environ.get("BENCH_KEEP_MESSAGES") == "1"
PASSWORD = secrets.token_urlsafe(16)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    """One browser: its cookies, one request at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None
                ) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text

    def login(self, username: str) -> str:
        _, page = self.request("GET", "/accounts/login/")
        token = TOKEN.search(page)[1]  # type: ignore[index]
        status, _ = self.request("POST", "/accounts/login/", {
            "csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login failed: {status}")
        _, form = self.request("GET", "/appeals/new/")
        return TOKEN.search(form)[1]  # type: ignore[index]


def _boots(log: str) -> int:
    return Path(log).read_text(errors="replace").count("Booting worker")


def _phase(label: str, clients: list[Client], work: Callable[[int, int], int]) -> None:
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

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"  {label:34} {len(latencies) / wall:7.1f} /s   p50 {1000 * statistics.median(ordered):6.1f} ms"
          f"   p95 {1000 * p95:6.1f} ms   statuses {dict(sorted(statuses.items()))}")


def main() -> None:
    if connection.vendor != "postgresql":
        print("skipped: set DATABASE_URL to a PostgreSQL database with the reference data")
        return
    settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT)
                       .order_by("code").values_list("code", flat=True)[:50])
    subtopic = SubTopic.objects.get(code="009.010").code
    names = [f"bench-operator-{i}" for i in range(CLIENTS)]
    for name in names:
        user, _ = User.objects.get_or_create(username=name, defaults={"role": Role.OPERATOR})
        user.role, user.is_active = Role.OPERATOR, True
        user.set_password(PASSWORD)
        user.save()
    connection.close()

    port = _free_port()
    log = (Path(tempfile.gettempdir()) / f"vikno-bench-gunicorn-{port}.log").open("wb")
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": WORKERS,
           "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0",
           "DB_CONN_MAX_AGE": "60", "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING",
           "SECRET_KEY": secrets.token_urlsafe(50),
           "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="vikno-bench-metrics-")}
    env.pop("VIKNO_TESTING", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        probe = Client(port)
        for _ in range(240):
            try:
                if probe.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"gunicorn did not answer: see {log.name}")
        clients = [Client(port) for _ in range(CLIENTS)]
        tokens = [c.login(name) for c, name in zip(clients, names, strict=True)]
        anonymous = [Client(port) for _ in range(CLIENTS)]
        run = uuid.uuid4().int % 10_000_000

        def register(index: int, n: int) -> int:
            phone = f"067{(run + index * 100_000 + n) % 10_000_000:07d}"
            status, _ = clients[index].request("POST", "/appeals/new/", {
                "csrfmiddlewaretoken": tokens[index], "phone": phone,
                "last_name": "Петренко", "first_name": "Ольга", "applicant_kind": "person",
                "settlement_code": settlements[n % len(settlements)], "channel": "hotline",
                "kind": "3.2", "text": f"Третій день немає гарячої води в будинку {n}.",
                "subtopic_1": subtopic, "intake_token": str(uuid.uuid4()), "notice_language": "uk",
            })
            # The card the redirect leads to reads the success message: a browser never sends it
            # back with its next POST, so neither does the bench (BENCH_KEEP_MESSAGES=1 does).
            if not KEEP_MESSAGES:
                clients[index].cookies.pop("messages", None)
            return status

        print(f"HTTP on gunicorn ({WORKERS} workers), {connection.settings_dict['NAME']}, "
              f"{CLIENTS} clients, {SECONDS:.0f} s a phase, code of {ROOT}")
        booted = _boots(log.name)
        _phase("GET /healthz", anonymous, lambda i, n: anonymous[i].request("GET", "/healthz")[0])
        _phase("GET /accounts/login/ (login page)", anonymous,
               lambda i, n: anonymous[i].request("GET", "/accounts/login/")[0])
        _phase("POST /appeals/new/ (registration)", clients, register)
        # A worker is replaced after max_requests (config/gunicorn.py): while it starts, its
        # share of the requests waits; a phase's figure then includes that start.
        print(f"  workers started during the phases: {_boots(log.name) - booted} "
              f"(replaced after max_requests)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
