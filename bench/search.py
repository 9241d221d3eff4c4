"""Text search in the work queue at scale: the queue's first page as the queue shows it (50 rows
and the bounded count) for a mix of queries — frequent words, a frequent word, a rare word, two
words, a typo, a fragment of a number, a surname — in the work order (open appeals) and newest
first (all), beside the same page without a search (the floor), timed in one run.

BENCH_BEFORE=/path/to/another/checkout first runs the same measurements with that checkout's code
(e.g. the code before a change; its migrations' indexes must exist in the database), in a child
process, so both tables come from the same run on the same database.

Needs DATABASE_URL: a filled PostgreSQL database (migrations applied, `search_reindex` run,
ANALYZE done) with the demo accounts (the centre's `supervisor` searches, applicants included).
BENCH_SAMPLES sets the samples per query (20), BENCH_QUERY_SECONDS stops a slow query's sampling
earlier (20 s); the column n tells how many were taken. p95 over the whole mix is printed last.
Asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from vikno.appeals import selectors_queue  # noqa: E402
from vikno.appeals.models import Appeal  # noqa: E402
from vikno.appeals.selectors import OPEN, AppealFilters, appeal_list_for  # noqa: E402
from vikno.core import fulltext  # noqa: E402
from vikno.core.pagination import BoundedPaginator  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))
# A query stops being sampled after this many seconds (a slow one would take hours).
QUERY_SECONDS = float(os.environ.get("BENCH_QUERY_SECONDS", "20"))
PAGE = 50
ORDERS = {"work order, open": {"statuses": (OPEN,)},
          "newest first, all": {"sort": "-received"}}


def queries() -> dict[str, str]:
    number = Appeal.objects.order_by("-pk").values_list("number", flat=True)[1234]
    return {
        "common words": "гарячої води",
        "common word": "вода",
        "rare word": "бомбосховища",
        "two words": "ями дороги",
        "typo": "водовідведеня",
        "number fragment": number[-9:],
        "surname": "Шевченко",
    }


def first_page(user: Any, filters: dict[str, Any], q: str) -> tuple[float, int]:
    started = time.perf_counter()
    chosen = AppealFilters(**filters, q=q)
    qs = appeal_list_for(user=user, filters=chosen)
    # The queue's own bound for this list, where the code measured has one.
    bound = getattr(selectors_queue, "queue_count_limit", lambda f, a: None)(chosen, qs)
    page = BoundedPaginator(qs, PAGE, limit=bound).get_page(1)
    rows = list(page.object_list)
    took = (time.perf_counter() - started) * 1000
    return took, page.paginator.count if rows else 0


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(label: str) -> None:
    user = get_user_model().objects.get(username="supervisor")
    fulltext.index_text("прогрів")  # load the dictionaries outside the timings
    mix: list[float] = []
    print(f"{label} ({ROOT}); {Appeal.objects.count()} appeals; first page of {PAGE} and the "
          f"bounded count, {SAMPLES} samples each", flush=True)
    print(f"  {'order':<19} {'query':<16} {'q':<14} {'p50':>9} {'p95':>9} {'found':>6} {'n':>3}")
    for order, filters in ORDERS.items():
        for name, q in {"(no search)": "", **queries()}.items():
            first_page(user, filters, q)  # warm
            times, found = [], 0
            began = time.perf_counter()
            while len(times) < SAMPLES and (not times
                                            or time.perf_counter() - began < QUERY_SECONDS):
                took, found = first_page(user, filters, q)
                times.append(took)
            if q:
                mix += times
            print(f"  {order:<19} {name:<16} {q:<14} {statistics.median(times):>7.1f}ms "
                  f"{p95(times):>7.1f}ms {found:>6} {len(times):>3}", flush=True)
    print(f"  whole mix p95: {p95(mix):.1f} ms", flush=True)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench/search.py measures PostgreSQL: set DATABASE_URL to a filled database")
    before = os.environ.get("BENCH_BEFORE")
    if before and not os.environ.get("BENCH_ROOT"):
        env = {**os.environ, "BENCH_ROOT": before}
        # Run from that checkout: django.setup() puts the working directory first on the path.
        subprocess.run([sys.executable, __file__, "before"], env=env, cwd=before, check=True)
    measure(sys.argv[1] if len(sys.argv) > 1 else "now")


if __name__ == "__main__":
    main()
