"""A PostgreSQL restart under a running stack (bench/faults.py finds these): every server-side
connection is cut. The web workers and the Celery worker keep theirs between requests and tasks
(DB_CONN_MAX_AGE), so each must notice the cut and open a new one instead of failing; while the
server is down, pages answer 503 with Retry-After instead of 500.

The cut is real: pg_terminate_backend on the connection Django holds, from a second connection.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from vikno.appeals import tasks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _cut(conn: Any) -> None:
    """What a restart does to one connection: the server ends it."""
    params = conn.get_connection_params()
    pid = conn.connection.info.backend_pid
    admin = {k: v for k, v in params.items() if k in {"host", "port", "user", "password", "dbname"}}
    with psycopg.connect(**admin, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)


@pytest.fixture
def kept_connection() -> Iterator[Any]:
    """The connection as the stack keeps it: open across requests (CONN_MAX_AGE 60); the other
    settings (health checks) as config/settings.py makes them."""
    before = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.connect()
    yield connection
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = before


def test_the_next_request_after_a_restart_gets_a_working_connection(kept_connection: Any) -> None:
    # given a kept connection the server has ended
    _cut(kept_connection)

    # when the next request starts (Django runs close_old_connections then) and reads
    close_old_connections()
    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        answer = cursor.fetchone()

    # then it read through a new connection instead of failing
    assert answer == (1,)


def test_a_deadline_control_run_cut_off_by_a_restart_is_retried(kept_connection: Any) -> None:
    # given a kept connection that dies under the run (no check before the task would catch it)
    kept_connection.health_check_enabled = False
    _cut(kept_connection)

    # when the task runs (eagerly here: a retry runs at once; its outcome is the result's)
    result = tasks.deadline_control.apply(throw=False)

    # then the retry succeeded on a new connection
    assert result.successful(), result.result
    assert set(result.result) == {"reminded", "escalated", "unrouted"}



@contextmanager
def _database_down() -> Iterator[None]:
    """The database stops answering: the connection is closed and points at a port where nothing
    listens (what a restart looks like from the application until the server is up again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(port)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = before


def test_a_page_asks_to_retry_while_the_database_is_down(operator: Any) -> None:
    # given a logged-in operator
    client = Client(raise_request_exception=False)
    client.force_login(operator)

    # when the database goes away and the operator opens the queue
    with _database_down():
        response = client.get(reverse("workspace:queue"))

    # then "try again shortly" (503 with Retry-After) rather than an internal error
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert "Сервіс тимчасово недоступний" in response.content.decode()
