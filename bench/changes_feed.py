"""The partner API's reads at scale, on a read-only database: the change feed (GET
/api/v1/changes/) at the start, middle and end of a long audit trail, and the cursor-paginated
appeal and assignment lists, called in-process through their DRF views (authentication forced: no
key is issued on the shared database), beside `SELECT 1` as the baseline in the same run.

Everything runs in one READ ONLY transaction that is rolled back: nothing is written.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vikno_1m .venv/bin/python bench/changes_feed.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VIKNO_API_RATE", "")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from rest_framework.test import APIRequestFactory, force_authenticate  # noqa: E402

from vikno.accounts.models import User  # noqa: E402
from vikno.accounts.roles import Role  # noqa: E402
from vikno.api.appeals import AppealListView  # noqa: E402
from vikno.api.assignments import AssignmentListView  # noqa: E402
from vikno.api.changes import ChangeFeedView  # noqa: E402
from vikno.appeals.models import Appeal  # noqa: E402
from vikno.audit.models import AuditEvent  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
factory = APIRequestFactory(SERVER_NAME="127.0.0.1")


def timed(label: str, call: Callable[[], object]) -> None:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    print(f"  {label:58} p50 {statistics.median(ordered):7.1f} ms   "
          f"max {ordered[-1]:7.1f} ms")


def view_call(view: Callable[..., object], user: object, path: str) -> Callable[[], object]:
    key = SimpleNamespace(pk=0, prefix="bench")

    def call() -> object:
        request = factory.get(path)
        force_authenticate(request, user=user, token=key)
        response = view(request)
        assert response.status_code == 200, response.data  # type: ignore[attr-defined]
        return response

    return call


def main() -> None:
    if connection.vendor != "postgresql":
        print("skipped: set DATABASE_URL to the PostgreSQL database with the million appeals")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        top = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        executor = (User.objects.filter(role=Role.EXECUTOR, membership__isnull=False,
                                        is_active=True).select_related("membership__authority")
                    .first())
        registrar_id = (Appeal.objects.exclude(registered_by=None).order_by("-id")
                        .values_list("registered_by_id", flat=True).first())
        # An unbound partner key's account that registered what this user registered (unsaved:
        # nothing is written; the access rules read its pk, role and name).
        partner = User(pk=registrar_id, username="api.bench", role="", is_active=True)
        print(f"{connection.settings_dict['NAME']}: {Appeal.objects.count():,} appeals, "
              f"{top:,} sealed audit events; executor of "
              f"{executor.membership.authority.code if executor else '—'}")
        feed, appeals, assignments = (ChangeFeedView.as_view(), AppealListView.as_view(),
                                      AssignmentListView.as_view())

        def select_one() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")

        timed("SELECT 1 (baseline)", select_one)
        for name, user in (("partner (registered them)", partner), ("executor", executor)):
            if user is None:
                continue
            for where, after in (("start", 0), ("middle", top // 2), ("end", max(0, top - 3000))):
                timed(f"changes, {name}, cursor at the {where}",
                      view_call(feed, user, f"/api/v1/changes/?cursor={after}"))
            timed(f"appeals list, {name}, first page",
                  view_call(appeals, user, "/api/v1/appeals/"))
            timed(f"appeals list, {name}, status=in_work",
                  view_call(appeals, user, "/api/v1/appeals/?status=in_work"))
        if executor is not None:
            timed("assignments list, executor, status=assigned",
                  view_call(assignments, executor, "/api/v1/assignments/?status=assigned"))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
