"""Operations endpoints: liveness, readiness (with the database gone or behind on migrations, in a
subprocess with its own DATABASE_URL) and the Prometheus metrics (content and who may read them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from vikno.appeals.models import Channel
from vikno.workspace.tests.conftest import World

ROOT = Path(__file__).resolve().parents[3]


def test_healthz_answers_without_touching_the_database() -> None:
    # when: no django_db mark, so any query would raise
    response = Client().get(reverse("healthz"))

    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_the_database_migrations_and_broker() -> None:
    # when: tests run tasks in-process, without a broker
    response = Client().get(reverse("readyz"))

    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {
        "database": "ok", "migrations": "ok", "broker": "not configured"}}


def ready_in_subprocess(tmp_path: Path, **env: str) -> tuple[int, dict[str, Any], str]:
    """GET /readyz in a fresh process with the given environment: (status, body, its output)."""
    code = ("import django, json; django.setup(); from django.test import Client; "
            "r = Client().get('/readyz'); print('RESULT', r.status_code, r.content.decode())")
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "VIKNO_TESTING": "1",
             "VIKNO_VAR_DIR": str(tmp_path), "LOG_FORMAT": "json", **env})
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT"))
    _, status, body = line.split(" ", 2)
    return int(status), json.loads(body), result.stderr


def test_readyz_fails_clearly_when_the_database_is_unreachable(tmp_path: Path) -> None:
    # when: nothing listens on port 1
    status, body, logs = ready_in_subprocess(
        tmp_path, DATABASE_URL="postgres://vikno:secret-pass@127.0.0.1:1/vikno_nowhere",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0")

    # then: which checks failed, and nothing about where or why
    assert status == 503
    assert body == {"status": "fail", "checks": {
        "database": "fail", "migrations": "fail", "broker": "fail"}}
    assert '"error": "OperationalError"' in logs
    assert "secret-pass" not in logs and "vikno_nowhere" not in logs


def test_readyz_fails_while_migrations_are_not_applied(tmp_path: Path) -> None:
    # when: a database that exists but was never migrated
    status, body, _ = ready_in_subprocess(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}")

    # then
    assert status == 503
    assert body["checks"] == {"database": "ok", "migrations": "fail", "broker": "not configured"}


def metric(text: str, line_start: str) -> float:
    return float(next(x for x in text.splitlines() if x.startswith(line_start)).rsplit(" ", 1)[1])


def test_metrics_count_intake_per_channel_overdue_appeals_and_requests(world: World) -> None:
    # given: two appeals by telephone, one from the website, and one request served
    world.register()
    world.register()
    appeal = world.register(channel=Channel.WEB)
    world.client("operator").get(reverse("workspace:queue"), {"q": "Шевченко"})

    # when: after the control dates have passed
    with time_machine.travel(appeal.due_date + timedelta(days=2)):
        response = Client().get(reverse("metrics"))

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert metric(text, 'vikno_appeals_received_total{channel="hotline"}') == 2
    assert metric(text, 'vikno_appeals_received_total{channel="web"}') == 1
    assert metric(text, 'vikno_appeals_received_total{channel="email"}') == 0
    assert metric(text, "vikno_appeals_overdue ") == 3
    assert metric(text, 'vikno_http_requests_total{method="GET",status="200",'
                        'view="workspace:queue"}') >= 1
    assert 'vikno_http_request_duration_seconds_bucket{le="0.1",method="GET",' in text
    # no queue length without a broker; nothing personal in any label
    assert "vikno_celery_queue_length{" not in text
    assert "Шевченко" not in text and "?q" not in text


@pytest.mark.django_db
def test_metrics_are_hidden_from_other_machines_without_the_token(settings: Any) -> None:
    # given
    settings.METRICS_TOKEN = ""

    # when
    remote = Client(REMOTE_ADDR="203.0.113.7").get(reverse("metrics"))
    local = Client(REMOTE_ADDR="127.0.0.1").get(reverse("metrics"))

    # then
    assert remote.status_code == 404
    assert local.status_code == 200


@pytest.mark.django_db
def test_metrics_with_a_token_need_it_from_everywhere(settings: Any) -> None:
    # given
    settings.METRICS_TOKEN = "s3cret-scrape"

    # when
    local_without = Client().get(reverse("metrics"))
    wrong = Client(REMOTE_ADDR="203.0.113.7").get(
        reverse("metrics"), HTTP_AUTHORIZATION="Bearer guess")
    right = Client(REMOTE_ADDR="203.0.113.7").get(
        reverse("metrics"), HTTP_AUTHORIZATION="Bearer s3cret-scrape")

    # then
    assert local_without.status_code == 404
    assert wrong.status_code == 404
    assert right.status_code == 200
    assert b"vikno_appeals_received_total" in right.content
