"""Open311 GeoReport v2 reads at scale: p50/p95 of `GET requests` with the spec's filters (the
default 90-day window of 1000, by status, by a rare and a common service, both, an older
window), one request by id, the service list, beside discovery.json (a trivial view: the
ceiling of what any answer costs here), all in the same run through the Django test client.

GET only, in a read-only session (`default_transaction_read_only`): safe on the shared
million-appeal database. BENCH_SAMPLES sets the samples per URL (20). Prints figures; asserts
nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vikno_1m .venv/bin/python bench/open311.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if "DATABASE_URL" not in os.environ:
    sys.exit("DATABASE_URL must name the database to measure")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))
V2 = "/open311/v2"


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(client: Client, url: str) -> tuple[float, float, int, int]:
    times, size, rows = [], 0, 0
    for _ in range(SAMPLES):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        size = len(response.content)
        rows = (response.content.count(b"<request>") if ".xml" in url
                else response.content.count(b'"service_request_id"'))
    return _ms(times, 0.5), _ms(times, 0.95), rows, size


def main() -> None:
    setup_test_environment()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    from vikno.appeals.models import Appeal, Question

    counts = (Question.objects.values("subtopic__code").annotate(n=Count("id")).order_by("n"))
    rare, common = counts.first()["subtopic__code"], counts.last()["subtopic__code"]  # type: ignore[index]
    newest = Appeal.objects.order_by("-received_at").values_list("number", "received_at").first()
    assert newest is not None
    older = newest[1].replace(year=newest[1].year - 1)
    window = (f"start_date={(older.replace(day=1)).isoformat()}"
              f"&end_date={older.replace(day=28).isoformat()}").replace("+", "%2B")
    urls = [
        ("discovery.json (baseline)", "/open311/discovery.json"),
        ("services.json", f"{V2}/services.json"),
        ("requests/{id}.json", f"{V2}/requests/{newest[0]}.json"),
        ("requests.json default", f"{V2}/requests.json"),
        ("requests.xml default", f"{V2}/requests.xml"),
        ("requests.json status=open", f"{V2}/requests.json?status=open"),
        ("requests.json status=closed", f"{V2}/requests.json?status=closed"),
        (f"requests.json service={rare} (rare)", f"{V2}/requests.json?service_code={rare}"),
        (f"requests.json service={common}", f"{V2}/requests.json?service_code={common}"),
        (f"requests.json open + {rare}",
         f"{V2}/requests.json?status=open&service_code={rare}"),
        ("requests.json a month a year ago", f"{V2}/requests.json?{window}"),
        ("requests.json 100 ids", f"{V2}/requests.json?service_request_id=" + ",".join(
            Appeal.objects.order_by("-received_at").values_list("number", flat=True)[:100])),
    ]
    client = Client()
    for _, url in urls:  # warm: the first query of each plan, the process caches
        client.get(url)
    print(f"{Appeal.objects.count()} appeals; {SAMPLES} samples each")
    print(f"{'GET':48} {'p50 ms':>8} {'p95 ms':>8} {'rows':>6} {'bytes':>9}")
    for label, url in urls:
        p50, p95, rows, size = measure(client, url)
        print(f"{label:48} {p50:8.1f} {p95:8.1f} {rows:6d} {size:9d}")


if __name__ == "__main__":
    main()
