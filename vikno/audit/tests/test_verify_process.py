"""`manage.py audit_verify` as the operations staff run it: its exit code is the verdict."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, *args], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )


def test_audit_verify_exits_non_zero_naming_the_tampered_event(tmp_path):
    # given a separate SQLite database (the process cannot see the test database) with 3 events
    db_file = tmp_path / "audit.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}", "VIKNO_TESTING": "1"}
    env.pop("CELERY_BROKER_URL", None)
    # (one process migrates and records: each start of Django costs seconds)
    prepared = _manage(
        "shell", "-c",
        "from django.core.management import call_command\n"
        "from vikno.audit.services import record\n"
        "call_command('migrate', 'audit', verbosity=0)\n"
        "for i in range(3): record(actor=None, action='deadline.control', object_label=f'step {i}')",
        env=env,
    )
    assert prepared.returncode == 0, prepared.stderr
    intact = _manage("audit_verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert "3 events verified" in intact.stdout

    # when the second event is edited behind the application's back
    with closing(sqlite3.connect(db_file)) as raw, raw:
        raw.execute("UPDATE audit_auditevent SET object_label = 'forged' WHERE seq = 2")

    # then
    broken = _manage("audit_verify", env=env)
    assert broken.returncode == 1
    assert "#2" in broken.stderr
