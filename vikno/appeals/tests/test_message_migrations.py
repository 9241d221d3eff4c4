"""The data migrations of texts-as-kinds, per-reader read marks and ст.7 routing terms keep what
existing rows said."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from vikno.appeals.models import Notice, Notification, NotificationRead, RoutingTerm, Transition

# The accounts go back too: the historical User of that state must match the table it writes.
BEFORE = [("appeals", "0006_extension_decider"), ("accounts", "0001_initial")]
AFTER = [("appeals", "0010_routing_terms")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_old_texts_become_legacy_and_old_read_marks_and_routing_terms_are_kept(back_to_latest):
    # given rows written before the change
    apps = _migrate(BEFORE)
    user_model = apps.get_model("accounts", "User")
    reader = user_model.objects.create(username="reader")
    other = user_model.objects.create(username="other")
    received = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    appeal = apps.get_model("appeals", "Appeal").objects.create(
        number="ЗК-2026-000001", year=2026, seq=1, channel="post", received_at=received,
        registered_at=received + dt.timedelta(days=20), text="Текст", status="assigned",
        status_changed_at=received, due_date=dt.date(2026, 3, 17), max_due_date=dt.date(2026, 4, 16))
    apps.get_model("appeals", "Transition").objects.create(
        appeal=appeal, action="assign", from_status="registered", to_status="assigned",
        note="Executor: Водоканал", at=received + dt.timedelta(days=20))
    apps.get_model("appeals", "Notice").objects.create(appeal=appeal, kind="answered",
                                                       text="Your appeal has been answered.")
    apps.get_model("appeals", "Notification").objects.create(
        appeal=appeal, for_supervisors=True, kind="escalation", text="Overdue.",
        read_at=timezone.now())

    # when the migrations run (on to the latest, so today's models can read the rows)
    _migrate(AFTER)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # then the old texts read as they were, in any language
    with translation.override("uk"):
        assert Transition.objects.get().note == "Executor: Водоканал"
        assert Notice.objects.get().text == "Your appeal has been answered."
        assert Notification.objects.get().text == "Overdue."
    # a shared notification read before stays read for everyone (who read it was not kept)
    assert set(NotificationRead.objects.values_list("user_id", flat=True)) == {reader.pk, other.pk}
    # the appeal, routed 20 days after receipt, has its term, late and already counted as told
    term = RoutingTerm.objects.get()
    assert (term.start_date, term.done_action) == (dt.date(2026, 3, 2), "assign")
    assert term.late and term.escalated_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_migrations_reverse_to_texts(back_to_latest):
    # given a notice written as a kind
    apps = _migrate(AFTER)
    appeal = apps.get_model("appeals", "Appeal").objects.create(
        number="ЗК-2026-000002", year=2026, seq=2, channel="post", received_at=timezone.now(),
        registered_at=timezone.now(), text="Текст", status="answered",
        status_changed_at=timezone.now(), due_date=dt.date(2026, 3, 17),
        max_due_date=dt.date(2026, 4, 16))
    apps.get_model("appeals", "Notice").objects.create(
        appeal=appeal, kind="answered", message="notice.answered",
        params={"number": "ЗК-2026-000002"})

    # when migrated back
    old = _migrate(BEFORE)

    # then the notice has its Ukrainian text
    assert old.get_model("appeals", "Notice").objects.get().text == (
        "Ваше звернення ЗК-2026-000002 розглянуто.")
