"""record() appends a gapless chain of hashed events."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from vikno.audit.actions import AuditAction
from vikno.audit.chain import HASHED_FIELDS, event_hash
from vikno.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.audit.services import record, seal
from vikno.core import clock

pytestmark = pytest.mark.django_db


def test_record_builds_a_gapless_linked_chain(chain):
    # given / when
    events = chain(5)

    # then
    stored = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS_HASH
    for previous, current in itertools.pairwise(stored):
        assert current.prev_hash == previous.hash
    assert [e.hash for e in stored] == [e.hash for e in events]
    head = AuditChainHead.objects.get(id=1)
    assert (head.last_seq, head.last_hash) == (5, stored[-1].hash)


def test_stored_hash_matches_the_content_read_back_from_the_database(chain):
    # given
    chain(3)

    # when
    stored = list(AuditEvent.objects.order_by("seq"))

    # then
    for event in stored:
        assert event_hash({name: getattr(event, name) for name in HASHED_FIELDS}) == event.hash


def test_chain_verify_accepts_an_intact_chain(chain):
    # given
    chain(4)

    # when
    report = chain_verify()

    # then
    assert report.ok
    assert report.checked == 4


def test_chain_verify_accepts_an_empty_trail(db):
    # given an instance that has recorded nothing yet

    # when
    report = chain_verify()

    # then
    assert report.ok
    assert report.checked == 0


def test_record_names_the_actor_and_the_object(operator):
    # given a user acting on an object (here: the account itself)

    # when
    event = record(actor=operator, action=AuditAction.ACCOUNT_LOGIN, obj=operator)

    # then
    assert event.actor_id == operator.pk
    assert event.actor_username == operator.username
    assert event.actor_role == "operator"
    assert event.object_type == "accounts.user"
    assert event.object_id == str(operator.pk)
    assert event.object_label == str(operator)


def test_record_without_actor_is_the_system(db):
    # when
    event = record(actor=None, action=AuditAction.DEADLINE_CONTROL)

    # then
    assert event.actor_id is None
    assert event.actor_username == "system"


def test_values_that_json_changes_on_the_way_still_verify(db):
    # given values whose JSON form differs from the Python one (dates, decimals, Cyrillic)
    after = {"due": dt.date(2026, 2, 28), "at": dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC),
             "amount": Decimal("12.50"), "status": "закрито"}

    # when
    record(actor=None, action=AuditAction.REFERENCE_LOAD, after=after, before={"status": "в роботі"})

    # then
    stored = AuditEvent.objects.get()
    assert stored.after is not None
    assert stored.after["due"] == "2026-02-28"
    assert stored.after["status"] == "закрито"
    assert chain_verify().ok


@pytest.mark.parametrize("field", HASHED_FIELDS)
def test_every_hashed_field_changes_the_hash(field):
    # given
    fields: dict[str, Any] = {
        "seq": 7, "occurred_at": dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), "actor_id": 3,
        "actor_username": "operator", "actor_role": "operator", "action": "appeal.registered",
        "object_type": "appeals.appeal", "object_id": "42", "object_label": "ЗК-1",
        "before": {"status": "new"}, "after": {"status": "registered"}, "prev_hash": "a" * 64,
    }
    original = event_hash(fields)

    # when
    altered = dict(fields)
    value = fields[field]
    if isinstance(value, dt.datetime):
        altered[field] = value + dt.timedelta(microseconds=1)
    elif isinstance(value, int):
        altered[field] = value + 1
    elif isinstance(value, dict):
        altered[field] = {**value, "extra": True}
    else:
        altered[field] = value + "x"

    # then
    assert event_hash(altered) != original



def test_the_hash_covers_every_stored_field_of_an_event():
    # given the columns an event is stored with (but its own id and hash)
    from vikno.audit.models import AuditEvent

    stored = {f.name for f in AuditEvent._meta.concrete_fields} - {"id", "hash"}

    # then each of them is hashed: a column left out could be edited without detection
    assert set(HASHED_FIELDS) == stored


@pytest.mark.parametrize("action", ["appeal.invented", "", "APPEAL.REGISTER", "appeal.register "])
def test_record_refuses_an_unregistered_action_and_writes_nothing(chain, action):
    # given a chain of two events
    chain(2)
    head_before = AuditChainHead.objects.values("last_seq", "last_hash").get()

    # when / then
    with pytest.raises(ValueError, match="unregistered audit action"):
        record(actor=None, action=action)  # type: ignore[arg-type]
    assert AuditEvent.objects.count() == 2
    assert AuditChainHead.objects.values("last_seq", "last_hash").get() == head_before


def test_record_stores_the_registered_name_as_a_plain_string(db):
    # when
    event = record(actor=None, action=AuditAction.APPEAL_REGISTER)

    # then the stored name is what earlier events hold, and the chain verifies over it
    stored = AuditEvent.objects.get(pk=event.pk)
    assert type(stored.action) is str and stored.action == "appeal.register"
    assert chain_verify().ok


@pytest.mark.parametrize("action,label", [
    ("appeal.register", "Звернення зареєстровано"),
    ("account.login_failed", "Невдала спроба входу"),
    ("directory.authority.delete", "Адміністрування: орган — видалено"),
    ("legacy.unknown", "legacy.unknown"),
])
def test_an_event_names_its_action_in_words(db, action, label):
    # given an event as stored (the last one: a name the registry no longer has)
    event = AuditEvent(action=action)

    # when / then (the centre's language)
    with translation.override("uk"):
        assert event.action_label == label


def test_seal_chains_events_written_unsealed_after_the_head_in_the_order_written(chain):
    # given two chained events, then three written unsealed (as while another transaction held
    # the head on PostgreSQL), one with a JSON payload
    chain(2)
    waiting = [AuditEvent(occurred_at=clock.now(), actor_username="system",
                          action=AuditAction.DEADLINE_CONTROL.value, object_label=f"waiting {i}",
                          after={"i": i, "дата": "2026-03-01"}) for i in range(3)]
    AuditEvent.objects.bulk_create(waiting)

    # when
    sealed = seal()

    # then
    assert sealed == 3 and seal() == 0
    stored = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert [e.object_label for e in stored[2:]] == ["waiting 0", "waiting 1", "waiting 2"]
    assert AuditChainHead.objects.get(id=1).last_seq == 5
    assert chain_verify().ok and chain_verify().checked == 5
