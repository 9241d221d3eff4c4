"""The lists at scale: p50/p95 of each variant of the queue, the executor's /my/, the dashboard,
statistics and the audit trail, beside the login page (a trivial view: the ceiling of what any
page costs here) measured in the same run, through the Django test client.

Needs DATABASE_URL: a PostgreSQL database with many appeals (ADR lists-keyset-and-indexes tells
how the ~1M of the measurements were built) and the demo accounts (create_demo_accounts).
The dashboard and the statistics are measured without a snapshot of today's figures (computed
on the spot) and with one taken just before, as the beat's task does every 5 minutes (ADR 30).
BENCH_SAMPLES sets the samples per page (30), BENCH_PAGE_SECONDS stops a slow page's sampling
earlier (30 s), BENCH_ONLY measures only the pages whose label holds it. BENCH_ROOT runs another
checkout's code (the same script measures the code before a change). Prints figures; asserts
nothing.
"""

from __future__ import annotations

import os
import statistics
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

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "30"))
# A page stops being sampled after this many seconds (a slow "before" would take hours).
PAGE_SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "30"))


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _one(value: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(value)
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def _measure(client: Client, url: str) -> tuple[float, float, int, int]:
    first = client.get(url)  # warm: the first request pays for caches
    times: list[float] = []
    began = time.perf_counter()
    while len(times) < SAMPLES and (time.perf_counter() - began < PAGE_SECONDS or not times):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return (statistics.median(times), times[int(0.95 * (len(times) - 1) + 0.5)],
            first.status_code, len(times))


def _snapshot(label: str) -> None:
    """Before a page of today's figures: drop the snapshot (computed) or take it (the beat's)."""
    if "(no snapshot)" in label:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM appeals_countsnapshot")
    elif "snapshot)" in label:
        from vikno.appeals.services.counts import stats_snapshot_refresh

        stats_snapshot_refresh()


def main() -> None:
    setup_test_environment()
    appeals = _one("SELECT count(*) FROM appeals_appeal")
    authority = _one("SELECT a.code FROM appeals_assignment s JOIN directory_authority a "
                     "ON a.id = s.authority_id WHERE s.status IN ('assigned', 'in_work') "
                     "GROUP BY a.code ORDER BY count(*) DESC LIMIT 1 OFFSET 3")
    territory = _one("SELECT code FROM directory_territory WHERE parent_id IS NOT NULL "
                     "AND code IN (SELECT territory_id FROM appeals_appeal LIMIT 1000) LIMIT 1")
    centre, executor = _client("supervisor"), _client("executor")
    analyst, security = _client("analyst"), _client("security")
    anonymous = Client()
    pages = [
        ("ceiling: login page", anonymous, "/accounts/login/"),
        ("queue: default (open, work order)", centre, "/appeals/"),
        ("queue: open, page 40", centre, "/appeals/?page=40"),
        ("queue: all statuses", centre, "/appeals/?status=all"),
        ("queue: all statuses, page 100", centre, "/appeals/?status=all&page=100"),
        *[(f"queue: open, sort={s}", centre, f"/appeals/?sort={s}")
          for s in ("number", "-received", "due", "-due", "status", "priority", "executor")],
        ("queue: all, sort=-received", centre, "/appeals/?status=all&sort=-received"),
        ("queue: open, channel=web", centre, "/appeals/?channel=web"),
        ("queue: open, topic=009", centre, "/appeals/?topic=009"),
        ("queue: all, topic=009", centre, "/appeals/?status=all&topic=009"),
        ("queue: open, authority", centre, f"/appeals/?authority={authority}"),
        ("queue: all, authority", centre, f"/appeals/?status=all&authority={authority}"),
        ("queue: open, territory", centre, f"/appeals/?territory={territory}"),
        ("queue: open, overdue", centre, "/appeals/?overdue=1"),
        ("queue: open, priority", centre, "/appeals/?priority=1"),
        ("queue: all, received 2025", centre,
         "/appeals/?status=all&received_from=2025-01-01&received_to=2025-12-31"),
        ("queue: all, due in 2026", centre,
         "/appeals/?status=all&due_from=2026-01-01&due_to=2026-12-31&sort=due"),
        ("queue: executor's view (open)", executor, "/appeals/"),
        ("my assignments /my/", executor, "/my/"),
        ("my assignments, overdue", executor, "/my/?overdue=1"),
        # Without a fresh snapshot of today's figures the page computes them itself (ADR 30);
        # in service the beat's task takes one every 5 minutes, as `_snapshot` does here.
        ("dashboard, computed (no snapshot)", centre, "/dashboard/"),
        ("statistics, computed (no snapshot)", analyst, "/statistics/"),
        ("dashboard (the beat's snapshot)", centre, "/dashboard/"),
        ("statistics (the beat's snapshot)", analyst, "/statistics/"),
        ("audit trail", security, "/security/audit/"),
    ]
    # Deep pages: by number (OFFSET) and by the cursor the pager links to (keyset), where the
    # code measured has one.
    for label, url in (("queue: open, page 199", "/appeals/?page=199"),
                       ("queue: all statuses, page 199", "/appeals/?status=all&page=199"),
                       ("queue: open, sort=-received, page 199",
                        "/appeals/?sort=-received&page=199")):
        pages.append((label, centre, url))
        response = centre.get(url)
        pager = (response.context or {}).get("pager") if response.status_code == 200 else None
        if pager:
            pages.append((label.replace("page", "cursor after page"), centre,
                          "/appeals/?" + pager["next"]))
    print(f"{appeals} appeals; {SAMPLES} samples per page; code of {ROOT}")
    print(f"{'page':42} {'p50 ms':>8} {'p95 ms':>8}  status  samples")
    only = os.environ.get("BENCH_ONLY", "")
    for label, client, url in pages:
        if only and only not in label and not label.startswith("ceiling"):
            continue
        _snapshot(label)
        p50, p95, status, n = _measure(client, url)
        print(f"{label:42} {p50:8.1f} {p95:8.1f}  {status}  {n}", flush=True)


if __name__ == "__main__":
    main()
