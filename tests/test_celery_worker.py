"""The scheduled deadline control through a real Celery worker and a real Redis broker.

Skips with the reason where no Redis answers on 127.0.0.1:6379 (`.ci/run` starts it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379")

PREPARE = """
import datetime as dt
from django.core.management import call_command
from django.utils import timezone
from vikno.appeals import services
call_command("migrate", verbosity=0)
call_command("load_reference", verbosity=0)
# received 13 days ago: the 15-day control date is 2 days away, within the reminder window
services.appeal_register(actor=None, intake=services.AppealIntake(
    channel="hotline", text="Немає гарячої води.",
    questions=[services.QuestionData(subtopic_code="009.010")],
    applicant=services.ApplicantData(last_name="Петренко", first_name="Ольга", phone="0501234567"),
    received_at=timezone.now() - dt.timedelta(days=13),
))
"""

SEND = """
from vikno.appeals.tasks import deadline_control
from vikno.appeals.models import Notification
result = deadline_control.delay().get(timeout=60)
print("RESULT", result, "REMINDERS", Notification.objects.filter(kind="reminder").count())
"""


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False)


def test_the_deadline_control_task_runs_on_a_real_worker(tmp_path: Path) -> None:
    # given a database with an appeal whose control date is near, and a worker on its own queue
    queue = f"vikno-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'celery.sqlite3'}",
           "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
           "CELERY_RESULT_BACKEND": "redis://127.0.0.1:6379/15",
           "CELERY_TASK_DEFAULT_QUEUE": queue, "VIKNO_TESTING": "1"}
    prepared = _manage("shell", "-c", PREPARE, env=env)
    assert prepared.returncode == 0, prepared.stderr
    worker = subprocess.Popen(  # noqa: S603 - the project's own worker
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo",
         "--concurrency=1", "-Q", queue, "--loglevel=WARNING", "--without-gossip",
         "--without-mingle", "--without-heartbeat"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # when the task is sent through Redis (not run in-process)
        sent = _manage("shell", "-c", SEND, env=env)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]

    # then the worker ran it against the database: one reminder to the executor
    assert sent.returncode == 0, sent.stderr + output
    # (and, registered 13 days after receipt, it was routed late: supervisors told, ст.7)
    assert "RESULT {'reminded': 1, 'escalated': 0, 'unrouted': 1} REMINDERS 1" in sent.stdout
