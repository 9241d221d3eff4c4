"""A mixed workload over HTTP against a running stack (`make prod-local`), as a contact centre's staff
would load it: per 100 operations 10 registrations through the operator's form, 40 queue views
with filters and sorts, 25 appeal cards, 8 executor replies (accept, then the answer), 10 text
searches, 5 dashboard / statistics views and 2 audit-trail pages. Threads on loopback, each with
its own logged-in sessions (the demo accounts: `bin/prod_local.py manage create_demo_accounts
--allow-without-debug`). Every answer is checked (status and a marker of the page); errors are
counted per kind.

Prints per kind the count, errors, p50/p95/p99 and the throughput of the whole mix, beside the
ceiling measured in the same run with the same clients: the login page (a trivial view: the
application without the database's work) and /healthz (nothing but the server).

BENCH_URL (http://127.0.0.1:8100), BENCH_CLIENTS (8), BENCH_SECONDS (60), BENCH_CEILING_SECONDS
(10), BENCH_DB_URL (the stack's database, read for card numbers and open assignments; default:
what bin/prod_local.py uses), VIKNO_DEMO_PASSWORD. Asserts nothing.
"""

from __future__ import annotations

import collections
import http.cookiejar
import os
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = os.environ.get("BENCH_URL", "http://127.0.0.1:8100").rstrip("/")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CEILING_SECONDS = float(os.environ.get("BENCH_CEILING_SECONDS", "10"))
PASSWORD = os.environ.get("VIKNO_DEMO_PASSWORD", "vikno-demo-2026")

# Per 100 operations.
MIX = {"registration": 10, "queue": 40, "card": 25, "executor reply": 8, "search": 10,
       "report": 5, "audit trail": 2}
QUEUE_VIEWS = ["/appeals/", "/appeals/?page=3", "/appeals/?status=all", "/appeals/?overdue=1",
               "/appeals/?priority=1", "/appeals/?channel=web", "/appeals/?topic=009",
               "/appeals/?sort=-received", "/appeals/?sort=due", "/appeals/?status=all&sort=-received",
               "/appeals/?status=closed", "/my/", "/my/?overdue=1"]
SEARCHES = ["вода", "гаряча вода", "дорога", "освітлення", "сміття", "опалення", "Петренко",
            "ремонт даху", "аварія", "050"]
REPORTS = ["/dashboard/", "/statistics/", "/dashboard/", "/statistics/", "/notifications/"]
# Settlements of the demo executor's hromada (Батівська) and their problems' sub-topics: the
# registrations route there, so the executor's replies keep finding work on an empty database.
SETTLEMENTS = ["UA21020010010017959", "UA21020010020049781", "UA21020010030057313"]
SUBTOPICS = ["009.001", "009.010", "009.002"]
TEXTS = ["Третій день немає гарячої води в будинку.", "Не працює вуличне освітлення на вулиці.",
         "Не вивозять сміття з контейнерного майданчика.", "Яма на дорозі біля школи."]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


class Session:
    """One browser: its cookies (session, CSRF), no automatic redirects."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict[str, str] | None = None, timeout: float = 30) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(BASE + path, data=body)
        if data is not None:
            request.add_header("X-CSRFToken", self.csrf())
            request.add_header("Referer", BASE + path)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace") if error.fp else ""
            return Answer(error.code, text, error.headers.get("Location", ""))

    def login(self, username: str) -> None:
        self.request("/accounts/login/")
        answer = self.request("/accounts/login/", {"username": username, "password": PASSWORD,
                                                   "csrfmiddlewaretoken": self.csrf()})
        if answer.status != 302:
            raise SystemExit(f"cannot log in as {username} ({answer.status}): create the demo "
                             "accounts (bin/prod_local.py manage create_demo_accounts "
                             "--allow-without-debug)")


def database_url() -> str:
    if os.environ.get("BENCH_DB_URL"):
        return os.environ["BENCH_DB_URL"]
    sys.path.insert(0, str(ROOT / "bin"))
    import prod_local

    return prod_local.environment()["DATABASE_URL"]


@contextmanager
def database() -> Iterator[object]:
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as conn:
        yield conn


class Work:
    """What the clients share: card numbers to open, open assignments of the executor's body (each
    taken by one client), and the record of every registration (intake token → outcome)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.numbers: list[str] = []
        # (id, status): an assignment already in work is answered without accepting it again.
        self.assignments: collections.deque[tuple[int, str]] = collections.deque()
        self.taken: set[int] = set()
        self.accepted: dict[str, str] = {}  # intake token -> appeal number the client was shown
        self.refilled = 0.0
        self.failures: collections.Counter[str] = collections.Counter()  # "what: status"

    def failed(self, what: str, status: int) -> bool:
        with self.lock:
            self.failures[f"{what}: {status or 'no answer'}"] += 1
        return False

    def load(self) -> None:
        # A sample spread over the whole registry (blocks at random), not only the latest appeals.
        percent = min(100.0, max(0.01, 400_000 / max(appeals_count(), 1)))
        with database() as conn:
            self.numbers = [r[0] for r in conn.execute(  # type: ignore[attr-defined]
                f"SELECT number FROM appeals_appeal TABLESAMPLE SYSTEM ({percent:.3f}) "
                "LIMIT 4000").fetchall()]
        self.refill()

    def refill(self) -> None:
        with self.lock:
            if time.monotonic() - self.refilled < 2:
                return
            self.refilled = time.monotonic()
        with database() as conn:
            rows = conn.execute(  # type: ignore[attr-defined]
                "SELECT s.id, s.status FROM appeals_assignment s JOIN directory_membership m "
                "ON m.authority_id = s.authority_id JOIN accounts_user u ON u.id = m.user_id "
                "WHERE u.username = 'executor' AND s.status IN ('assigned', 'in_work') "
                "ORDER BY s.id DESC LIMIT 500").fetchall()
        with self.lock:
            for pk, status in rows:
                if pk not in self.taken:
                    self.taken.add(pk)
                    self.assignments.append((pk, status))

    def take_assignment(self) -> tuple[int, str] | None:
        with self.lock:
            if self.assignments:
                return self.assignments.popleft()
        self.refill()
        with self.lock:
            return self.assignments.popleft() if self.assignments else None

    def card_number(self, rng: random.Random) -> str | None:
        with self.lock:
            return rng.choice(self.numbers) if self.numbers else None


def registration_form(token: str, rng: random.Random) -> dict[str, str]:
    return {"intake_token": token, "phone": f"+380 (50) {rng.randrange(10**7):07d}",
            "last_name": rng.choice(["Коваль", "Петренко", "Шевчук", "Бойко"]),
            "first_name": rng.choice(["Ірина", "Олег", "Марія", "Тарас"]),
            "applicant_kind": "person", "address": f"вул. Садова, {rng.randrange(1, 90)}",
            "settlement_code": rng.choice(SETTLEMENTS), "category_code": "", "social_status_code": "",
            "sex": "", "channel": "hotline", "kind": "3.2", "text": rng.choice(TEXTS),
            "subtopic_1": rng.choice(SUBTOPICS)}


CARD_URL = re.compile(r"^/appeals/([^/]+)/$")


@dataclass
class Client:
    """One member of staff at each desk: an operator, a supervisor, an executor, an analyst and a
    security administrator, logged in once; `register_retries` resubmits a failed registration
    with the same intake token (as a browser's resend does) up to that many times."""

    work: Work
    rng: random.Random
    register_retries: int = 0
    sessions: dict[str, Session] = field(default_factory=dict)

    def login(self) -> None:
        for role in ("operator", "supervisor", "executor", "analyst", "security"):
            self.sessions[role] = Session()
            self.sessions[role].login(role)

    def register(self) -> bool:
        token = str(uuid.uuid4())
        form = registration_form(token, self.rng)
        for attempt in range(self.register_retries + 1):
            try:
                answer = self.sessions["operator"].request("/appeals/new/", form)
            except OSError:
                answer = Answer(0, "")
            match = CARD_URL.match(urllib.parse.unquote(urllib.parse.urlsplit(answer.location).path))
            if answer.status == 302 and match:
                with self.work.lock:
                    self.work.accepted[token] = match.group(1)
                    self.work.numbers.append(match.group(1))
                return True
            self.work.failed("registration", answer.status)
            if attempt < self.register_retries:
                time.sleep(min(0.5 * 2 ** attempt, 4))
        return False

    def page(self, role: str, path: str, marker: str) -> bool:
        answer = self.sessions[role].request(path)
        if answer.status == 200 and marker in answer.body:
            return True
        return self.work.failed(CARD_URL.sub("/appeals/<number>/", path.split("?")[0]),
                                answer.status)

    def queue(self) -> bool:
        path = self.rng.choice(QUEUE_VIEWS)
        role = "executor" if path.startswith("/my/") else self.rng.choice(["operator", "supervisor"])
        return self.page(role, path, "<table" if "page=" not in path else "</main>")

    def card(self) -> bool:
        number = self.work.card_number(self.rng)
        if number is None:
            return self.page("supervisor", "/appeals/", "</main>")
        return self.page("supervisor", f"/appeals/{urllib.parse.quote(number)}/", number)

    def reply(self) -> bool:
        taken = self.work.take_assignment()
        if taken is None:  # nothing left to answer: the executor reads its queue instead
            return self.page("executor", "/my/", "</main>")
        pk, status = taken
        session = self.sessions["executor"]
        # Only an assignment not yet in work is accepted (accepting one in work is refused, 403).
        accepted = (session.request(f"/assignments/{pk}/accept/", {}) if status == "assigned"
                    else None)
        answered = session.request(f"/assignments/{pk}/reply/", {
            "result": "done", "text": "Роботи виконано, питання вирішено.",
            "outgoing_number": f"02-14/{pk}", "outgoing_date": date.today().isoformat(),
            "signatory_name": "Олена Ковач", "signatory_position": "Селищна голова"})
        # accept answers 302, or 400 when another client's reply moved it meanwhile.
        if accepted is not None and accepted.status not in {302, 400}:
            return self.work.failed("accept", accepted.status)
        return answered.status == 302 or self.work.failed("reply", answered.status)

    def search(self) -> bool:
        q = urllib.parse.quote(self.rng.choice(SEARCHES))
        return self.page(self.rng.choice(["operator", "supervisor"]), f"/appeals/?q={q}&status=all",
                         "</main>")

    def report(self) -> bool:
        path = self.rng.choice(REPORTS)
        return self.page("analyst" if path == "/statistics/" else "supervisor", path, "</main>")

    def audit(self) -> bool:
        return self.page("security", self.rng.choice(["/security/audit/", "/security/audit/?page=2"]),
                         "</main>")

    def operation(self, kind: str) -> Callable[[], bool]:
        return {"registration": self.register, "queue": self.queue, "card": self.card,
                "executor reply": self.reply, "search": self.search, "report": self.report,
                "audit trail": self.audit}[kind]


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


def run_clients(clients: list[Client], seconds: float, tally: Tally,
                stop: threading.Event | None = None) -> float:
    """Each client draws operations from MIX until `seconds` pass (or `stop` is set); returns
    the wall time."""
    kinds = [k for k, n in MIX.items() for _ in range(n)]
    stop = stop or threading.Event()

    def loop(client: Client) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop.is_set():
            kind = client.rng.choice(kinds)
            began = time.perf_counter()
            try:
                ok = client.operation(kind)()
            except OSError:
                ok = False
            tally.add(kind, time.perf_counter() - began, ok)

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def ceiling(path: str, marker: str, seconds: float) -> tuple[list[float], int]:
    """The same number of clients requesting one trivial page for `seconds`."""
    tally = Tally()

    def loop() -> None:
        session = Session()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                answer = session.request(path)
                ok = answer.status == 200 and marker in answer.body
            except OSError:
                ok = False
            tally.add(path, time.perf_counter() - began, ok)

    threads = [threading.Thread(target=loop) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally.times[path], tally.errors[path]


def quantile_ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))] if ordered else 0.0


def line(label: str, values: list[float], errors: int, wall: float) -> str:
    return (f"{label:28} {len(values):7} {errors:6} {quantile_ms(values, .5):8.1f} "
            f"{quantile_ms(values, .95):8.1f} {quantile_ms(values, .99):8.1f} "
            f"{len(values) / wall:8.1f}")


HEADER = f"{'kind':28} {'count':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'ops/s':>8}"


def report(tally: Tally, wall: float) -> None:
    print(HEADER)
    for kind in MIX:
        print(line(kind, tally.times.get(kind, []), tally.errors[kind], wall))
    every = [t for values in tally.times.values() for t in values]
    print(line("mix (all kinds)", every, sum(tally.errors.values()), wall))


def appeals_count() -> int:
    with database() as conn:
        row = conn.execute(  # type: ignore[attr-defined]
            "SELECT reltuples::bigint FROM pg_class WHERE relname = 'appeals_appeal'").fetchone()
        if row and row[0] >= 0:
            return int(row[0])
        return int(conn.execute("SELECT count(*) FROM appeals_appeal").fetchone()[0])  # type: ignore[attr-defined]


def clients(n: int, *, retries: int = 0, seed: int = 7) -> tuple[Work, list[Client]]:
    work = Work()
    work.load()
    made = [Client(work=work, rng=random.Random(seed + i), register_retries=retries)
            for i in range(n)]
    for client in made:
        client.login()
    return work, made


def main() -> None:
    work, made = clients(CLIENTS)
    print(f"mixed workload on {BASE}: ~{appeals_count():,} appeals, {CLIENTS} clients, "
          f"{SECONDS:.0f} s (ceiling {CEILING_SECONDS:.0f} s each)")
    ceilings = [("ceiling: /healthz", *ceiling("/healthz", "ok", CEILING_SECONDS)),
                ("ceiling: login page", *ceiling("/accounts/login/", "csrfmiddlewaretoken",
                                                 CEILING_SECONDS))]
    tally = Tally()
    wall = run_clients(made, SECONDS, tally)
    report(tally, wall)
    for label, values, errors in ceilings:
        print(line(label, values, errors, CEILING_SECONDS))
    print(f"registrations accepted: {len(work.accepted)}; failed answers: "
          f"{dict(work.failures.most_common(8)) or 'none'}")


if __name__ == "__main__":
    main()
