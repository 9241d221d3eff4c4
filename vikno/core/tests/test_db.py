"""The database router: reports read the replica when one is configured, nothing else does.

The decisions are checked here on whichever database runs the suite; a replica that really
streams from its primary is exercised by vikno/workspace/tests/test_replica.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from vikno.core import db
from vikno.core.db import ReportingRouter

router = ReportingRouter()


@pytest.fixture
def with_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `replica` alias in DATABASES (the router only asks whether it is there)."""
    monkeypatch.setitem(settings.DATABASES, "replica",
                        {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}})


def test_without_a_replica_reports_read_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    # given no DATABASE_REPLICA_URL
    monkeypatch.delitem(settings.DATABASES, "replica", raising=False)

    # when / then
    with db.reporting():
        assert router.db_for_read(ContentType) == "default"
    assert db.read_alias() == "default"


def test_reports_read_the_replica_and_nothing_else_does(with_replica: None) -> None:
    # when / then: only reads inside reporting() go to the replica
    assert router.db_for_read(ContentType) == "default"
    with db.reporting():
        assert router.db_for_read(ContentType) == "replica"
        assert db.read_alias() == "replica"
        # writes never do
        assert router.db_for_write(ContentType) == "default"
    # and the block ends with the context
    assert router.db_for_read(ContentType) == "default"


def test_reporting_blocks_nest_and_end_on_errors(with_replica: None) -> None:
    # when an error leaves the inner block
    with db.reporting():
        with pytest.raises(RuntimeError), db.reporting():
            raise RuntimeError
        # then the outer block still reads the replica
        assert db.read_alias() == "replica"
    assert db.read_alias() == "default"


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_on_the_primary_reports_read_the_primary(with_replica: None) -> None:
    # given a transaction that may have written: it must read its own writes
    with db.reporting():
        with transaction.atomic():
            # then
            assert router.db_for_read(ContentType) == "default"
        assert router.db_for_read(ContentType) == "replica"


def test_related_rows_come_from_the_database_of_their_row(with_replica: None) -> None:
    # given a row read from the replica
    row: Any = ContentType(app_label="x", model="y")
    row._state.db = "replica"

    # then its relations are read there too, inside reporting() or not
    assert router.db_for_read(ContentType, instance=row) == "replica"
    row._state.db = "default"
    with db.reporting():
        assert router.db_for_read(ContentType, instance=row) == "default"


def test_the_replica_is_never_migrated(with_replica: None) -> None:
    assert router.allow_migrate("default", "appeals") is True
    assert router.allow_migrate("replica", "appeals") is False


def test_every_query_is_routed_by_the_router() -> None:
    assert settings.DATABASE_ROUTERS == ["vikno.core.db.ReportingRouter"]
