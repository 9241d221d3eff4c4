"""The gunicorn master imports the application once and forks it into the workers
(`preload_app`, config/gunicorn.py): what it loads before the first fork (the URL modules, the
lemmatiser's dictionaries) must be loaded by then, and must not open a database connection,
which every forked worker would otherwise share."""

import runpy
from pathlib import Path

import pytest
from django.db import connections
from django.urls import clear_url_caches, get_resolver

from vikno.core import fulltext

CONFIG = Path(__file__).resolve().parent.parent / "config" / "gunicorn.py"


def test_the_master_preloads_and_warms_the_application_without_a_database_connection(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = runpy.run_path(str(CONFIG))
    assert config["preload_app"] is True
    for alias in connections:
        connections[alias].close()
    clear_url_caches()
    fulltext._analyzers.cache_clear()
    # An in-memory SQLite test database stays open through close() when an earlier test in this
    # process used it, so the hook is watched for opening one (and a query on one already open is
    # refused by pytest-django).
    opened: list[str] = []
    for alias in connections:
        monkeypatch.setattr(connections[alias], "connect",
                            lambda alias=alias: opened.append(alias))

    config["when_ready"](None)  # pytest-django refuses any query here: no database mark

    assert fulltext._analyzers.cache_info().currsize == 1
    assert get_resolver()._populated
    assert opened == []
