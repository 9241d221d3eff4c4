"""Registration throughput: appeals registered per second through `appeal_register` (validation,
numbering under a lock, routing, deadlines, history, audit chain) against a baseline measured in
the same run: the same appeal rows written with bare ORM inserts.

Runs on a throw-away SQLite file by default, or on DATABASE_URL (a database it may write to).
Prints figures; asserts nothing. `make bench` runs it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from vikno.appeals import services  # noqa: E402
from vikno.appeals.models import Appeal, Applicant, Question  # noqa: E402
from vikno.core import clock  # noqa: E402
from vikno.directory.models import SubTopic, Territory, TerritoryLevel  # noqa: E402

N = int(os.environ.get("BENCH_APPEALS", "300"))


def through_services(settlements: list[Territory], n: int = N) -> float:
    """Seconds for `n` hotline registrations through appeal_register (also bench/seed_demo.py's baseline)."""
    started = time.perf_counter()
    for i in range(n):
        services.appeal_register(actor=None, intake=services.AppealIntake(
            channel="hotline", text=f"Немає гарячої води, будинок {i}.",
            questions=[services.QuestionData(subtopic_code="009.010")],
            applicant=services.ApplicantData(last_name="Петренко", first_name="Ольга",
                                             phone=f"050{i:07d}",
                                             territory_code=settlements[i % len(settlements)].code),
        ))
    return time.perf_counter() - started


def bare_inserts(settlements: list[Territory]) -> float:
    subtopic = SubTopic.objects.get(code="009.010")
    today = clock.today()
    started = time.perf_counter()
    for i in range(N):
        with transaction.atomic():
            person = Applicant.objects.create(last_name="Петренко", first_name="Ольга",
                                              phone=f"050{i:07d}", phone_digits=f"38050{i:07d}")
            now = clock.now()
            appeal = Appeal.objects.create(
                number=f"BASE-{i}", year=9999, seq=i + 1, channel="hotline",
                text=f"Немає гарячої води, будинок {i}.", applicant=person, received_at=now,
                registered_at=now, status_changed_at=now, due_date=today, max_due_date=today,
                territory=settlements[i % len(settlements)])
            Question.objects.create(appeal=appeal, subtopic=subtopic, due_date=today)
    return time.perf_counter() - started


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    settlements = list(Territory.objects.filter(level=TerritoryLevel.SETTLEMENT)[:50])
    baseline = bare_inserts(settlements)
    real = through_services(settlements)
    vendor = django.db.connection.vendor
    print(f"registration on {vendor}, {N} appeals")
    print(f"  baseline (bare inserts):  {N / baseline:8.1f} appeals/s")
    print(f"  appeal_register:          {N / real:8.1f} appeals/s")
    print(f"  ratio service/baseline:   {real / baseline:8.2f}x the time")
    print(f"  per registration:         {1000 * real / N:8.1f} ms")


if __name__ == "__main__":
    main()
