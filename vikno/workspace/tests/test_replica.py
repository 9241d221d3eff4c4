"""Reports and analysis read the streaming replica; the work reads and every write stay on the
primary (vikno/core/db.py, ADR 28).

Runs against a real PostgreSQL hot standby: `make replica-local`, then the two variables it prints
(DATABASE_URL, DATABASE_REPLICA_URL) for pytest, which creates its test database on the primary
and reads it on the replica once streamed. To prove which server answered, the replica's replay
is paused before the last appeal is registered: the replica does not know that appeal, the
primary does.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vikno.appeals.models import Appeal
from vikno.audit.actions import AuditAction
from vikno.audit.models import AuditEvent
from vikno.workspace.tests.conftest import World

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif("replica" not in settings.DATABASES,
                       reason="needs a streaming read replica: `make replica-local`, then set "
                              "DATABASE_URL and DATABASE_REPLICA_URL as it prints"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

STREAMED = 2  # appeals the replica has replayed


def _scalar(alias: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _wait_for_replay(timeout: float = 30) -> None:
    lsn = _scalar("default", "select pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _scalar("replica", "select pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)):
        if time.monotonic() > deadline:
            pytest.fail("the replica did not replay the primary's WAL in time")
        time.sleep(0.05)


@pytest.fixture
def lagging(world: World) -> Iterator[World]:
    """Two appeals streamed to the replica, then its replay paused and a third registered: the
    replica answers with two, the primary with three."""
    for n in range(STREAMED):
        world.register(last_name=f"Репліка{n}")
    _wait_for_replay()
    _scalar("replica", "select pg_wal_replay_pause()::text")
    try:
        world.register(last_name="Найновіший")
        yield world
    finally:
        _scalar("replica", "select pg_wal_replay_resume()::text")


def test_the_replica_is_a_hot_standby_of_the_primary() -> None:
    assert _scalar("replica", "select pg_is_in_recovery()") is True
    assert _scalar("default", "select pg_is_in_recovery()") is False
    assert _scalar("default", "select count(*) from pg_stat_replication "
                              "where state = 'streaming'") >= 1


def test_statistics_are_read_from_the_replica(lagging: World) -> None:
    # given three appeals on the primary, two of them on the replica
    assert Appeal.objects.count() == STREAMED + 1

    # when the analyst opens the statistics
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = lagging.client("analyst").get(reverse("workspace:statistics"))

    # then the figures are the replica's, read by queries on the server in recovery
    assert response.status_code == 200
    assert response.context["total"] == STREAMED
    assert any("appeals_appeal" in q["sql"] for q in on_replica.captured_queries)
    assert _scalar("replica", "select pg_is_in_recovery()") is True


def test_the_dashboard_figures_are_the_replicas_and_its_lists_the_primarys(lagging: World) -> None:
    # when the supervisor opens the dashboard
    response = lagging.client("supervisor").get(reverse("workspace:dashboard"))

    # then the status counts come from the replica
    assert response.status_code == 200
    assert sum(n for _label, n in response.context["status_counts"]) == STREAMED


def test_the_export_reads_the_replica_and_records_itself_on_the_primary(lagging: World) -> None:
    # when the operator exports the queue
    response = lagging.client("operator").get(
        reverse("workspace:queue_export") + "?status=all&format=csv")

    # then the file holds the replica's appeals
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + STREAMED
    # and the export's audit event was written to the primary (the replica is read-only)
    export = AuditEvent.objects.filter(action=AuditAction.APPEAL_EXPORT).get()
    assert export.after["rows"] == STREAMED


def test_the_work_queue_reads_the_primary(lagging: World) -> None:
    # when the operator opens the queue (its own registrations must be there at once)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = lagging.client("operator").get(reverse("workspace:queue") + "?status=all")

    # then nothing was read on the replica, and the newest appeal is listed
    assert response.status_code == 200
    assert on_replica.captured_queries == []
    assert len(response.context["page"].object_list) == STREAMED + 1
