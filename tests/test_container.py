"""The container files: what runs here is run here.

No container engine runs on the build machines, so the image itself is not built in the tests.
What is checked: the image's entrypoint (bin/entrypoint.sh), run as the image runs it, against the
services of this machine (the web role migrates a database of its own, collects the static files
and serves /readyz through gunicorn; the worker role connects a Celery worker to Redis), and that
the Dockerfile and compose.yaml name files that exist, the roles the entrypoint knows and only
variables .env.example defines.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "bin" / "entrypoint.sh"
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
ROLES = {"web", "worker", "beat", "migrate", "manage"}


def _defined(name: str) -> bool:
    return re.search(rf"^{name}=", ENV_EXAMPLE, re.MULTILINE) is not None


# The files.

def test_the_dockerfile_copies_files_that_exist_and_pins_the_makefiles_uv() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    sources = [src for line in re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE)
               for src in line.split()[:-1]]
    assert sources and [s for s in sources if not (ROOT / s).exists()] == []
    uv = re.search(r"^UV_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert uv and f"uv=={uv.group(1)}" in dockerfile
    assert "FROM python:3.11-slim" in dockerfile and "uv sync --frozen" in dockerfile
    assert 'ENTRYPOINT ["bin/entrypoint.sh"]' in dockerfile
    assert os.access(ENTRYPOINT, os.X_OK)
    for path in re.findall(r"python ((?:bin|config)/\S+\.py)", dockerfile):
        assert (ROOT / path).exists(), path


def test_compose_runs_the_stack_with_the_entrypoints_roles() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "app", "worker", "beat"}
    assert {services[name]["command"][0] for name in ("app", "worker", "beat")} == \
        {"web", "worker", "beat"} <= ROLES
    for name in ("app", "worker", "beat"):
        assert services[name]["build"] == "."
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:")


def test_the_container_files_use_only_variables_env_example_defines() -> None:
    used = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "compose.yaml").read_text()))
    used |= set(re.findall(r"\$\{([A-Z_]+)", ENTRYPOINT.read_text()))
    used |= set(re.findall(r"^ENV ([A-Z_]+)=", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    used |= set(re.findall(r"^\s+([A-Z_]+)=", (ROOT / "Dockerfile").read_text(), re.MULTILINE))
    assert {"POSTGRES_PASSWORD", "VIKNO_MIGRATE", "GUNICORN_BIND"} <= used
    own = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PATH"} | {
        name for name in used if name.startswith("UV_")}
    assert sorted(name for name in used - own if not _defined(name)) == []


# The entrypoint, run here.

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "PYTEST", "VIKNO_", "DATABASE_", "CELERY_"))}
    env |= {"VIKNO_PYTHON": sys.executable, "VIKNO_VAR_DIR": str(tmp_path), "DEBUG": "0",
            "SECRET_KEY": uuid.uuid4().hex * 2, "SECURE_COOKIES": "0", "LOG_FORMAT": "json",
            "ALLOWED_HOSTS": "127.0.0.1"}
    return env


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A database of the entrypoint's own: on the PostgreSQL server of DATABASE_URL when it names
    one (created and dropped here), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'entry.sqlite3'}"
        return
    config = dj_database_url.parse(url)
    name = f"vikno_entrypoint_{uuid.uuid4().hex[:8]}"
    server = dict(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                  password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start(role: str, env: dict[str, str], log: Path) -> subprocess.Popen[Any]:
    return subprocess.Popen([str(ENTRYPOINT), role], env=env, cwd="/",  # noqa: S603
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[Any]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def _cmdline(pid: int) -> str:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_the_web_role_migrates_collects_and_serves_through_gunicorn(
        tmp_path: Path, own_database: str) -> None:
    # given a fresh database and a free port
    port = _free_port()
    env = _base_env(tmp_path) | {"DATABASE_URL": own_database, "GUNICORN_WORKERS": "1",
                                 "GUNICORN_BIND": f"127.0.0.1:{port}",
                                 "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "stale.db").write_text("left by an earlier run")
    log = tmp_path / "web.log"

    # when the image's entrypoint starts the web role (from another directory, as docker does)
    process = _start("web", env, log)
    try:
        status = 0
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    status = r.status
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)

        # then gunicorn answers ready: migrated (no migration pending), database up
        assert status == 200, log.read_text()[-3000:]
        # the shell replaced itself by gunicorn (signals reach the server)
        assert "gunicorn" in _cmdline(process.pid)
        # the static files were collected and the stale metrics cleared
        assert (tmp_path / "static" / "workspace" / "vikno.css.gz").exists()
        assert not (tmp_path / "metrics" / "stale.db").exists()
    finally:
        code = _stop(process)
    # and it stops cleanly on SIGTERM
    assert code == 0, log.read_text()[-3000:]


REDIS = ("127.0.0.1", 6379)


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379")
def test_the_worker_role_connects_a_celery_worker_to_the_broker(tmp_path: Path) -> None:
    # given a queue of this test's own on the machine's Redis
    queue = f"vikno-entry-{uuid.uuid4().hex[:8]}"
    env = _base_env(tmp_path) | {"DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
                                 "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
                                 "CELERY_TASK_DEFAULT_QUEUE": queue}
    log = tmp_path / "worker.log"

    # when
    process = _start("worker", env, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if "ready" in log.read_text():
                break
            time.sleep(0.5)

        # then a Celery worker (the container's main process) listens on that queue
        text = log.read_text()
        assert "ready" in text and queue in text, text[-3000:]
        assert "celery" in _cmdline(process.pid)
    finally:
        code = _stop(process)
    assert code == 0, log.read_text()[-3000:]


def test_an_unknown_role_is_refused(tmp_path: Path) -> None:
    result = subprocess.run([str(ENTRYPOINT), "webserver"], env=_base_env(tmp_path),  # noqa: S603
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "unknown role 'webserver'" in result.stderr
