"""Text search over appeals: the search adapter (lemmas + trigrams, vikno.core.fulltext) against
the folded LIKE scan it replaced, both timed in the same run on the same database.

Needs DATABASE_URL pointing at a filled PostgreSQL database (≈1M appeals; `search_reindex` run,
migrations applied). For each query it times the queue's first page — the matching appeals'
ids, newest first, 50 of them — and prints p50/p95 over BENCH_SAMPLES (30) runs; the old LIKE
scan gets BENCH_BASELINE_SAMPLES (5) runs, as each one reads every text. Asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from vikno.appeals.models import Appeal  # noqa: E402
from vikno.core import fulltext  # noqa: E402
from vikno.core.search import Fold, fold  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "30"))
BASELINE_SAMPLES = int(os.environ.get("BENCH_BASELINE_SAMPLES", "5"))
PAGE = 50

QUERIES = {
    "inflected words": ("гарячої води", "гаряча вода"),
    "rare word": ("бомбосховища", "бомбосховище"),
    "two words": ("ями дороги", "ями"),
    "typo": ("водовідведеня", "водовідведення"),
    "number fragment": ("2023-00123", "2023-00123"),
}


def old_like(q: str) -> Q:
    """The search before the adapter (appeals/selectors.py `_search_q`, text and number part)."""
    folded = fold(q)
    by_text = Appeal.objects.annotate(f=Fold("text")).filter(f__contains=folded).values("pk")
    by_number = Appeal.objects.annotate(f=Fold("number")).filter(f__contains=folded).values("pk")
    return Q(pk__in=by_text) | Q(pk__in=by_number)


def first_page(cond: Q) -> list[int]:
    return list(Appeal.objects.filter(cond).order_by("-received_at", "-pk")
                .values_list("pk", flat=True)[:PAGE])


def timed(make: object, q: str, samples: int) -> tuple[list[float], int]:
    times = []
    found = 0
    for _ in range(samples):
        started = time.perf_counter()
        found = len(first_page(make(q)))  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return times, found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench/search.py measures PostgreSQL: set DATABASE_URL to a filled database")
    total = Appeal.objects.count()
    print(f"appeals: {total}; first page of {PAGE}, newest first; "
          f"adapter {SAMPLES} samples, LIKE scan {BASELINE_SAMPLES}")
    fulltext.index_text("прогрів")  # load the dictionaries outside the timings
    print(f"{'query':<18} {'q':<16} {'adapter p50':>11} {'p95':>8} {'hits':>5}   "
          f"{'LIKE q':<16} {'LIKE p50':>9} {'p95':>8} {'hits':>5}")
    for name, (q, like_q) in QUERIES.items():
        new, new_found = timed(lambda s: fulltext.text_match(s, model=Appeal), q, SAMPLES)
        old, old_found = timed(old_like, like_q, BASELINE_SAMPLES)
        print(f"{name:<18} {q:<16} {statistics.median(new):>9.1f}ms {p95(new):>6.1f}ms "
              f"{new_found:>5}   {like_q:<16} {statistics.median(old):>7.1f}ms "
              f"{p95(old):>6.1f}ms {old_found:>5}")


if __name__ == "__main__":
    main()
