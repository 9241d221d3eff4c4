"""Tampering below the application (raw SQL, as a database administrator) is detected and named.

On PostgreSQL the `attacker` fixture first disables the append-only trigger, as a superuser can.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from vikno.audit.chain import HASHED_FIELDS, event_hash
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify

pytestmark = pytest.mark.django_db


def test_edited_content_is_detected_at_the_edited_event(chain, attacker):
    # given
    chain(5)

    # when an event's label is rewritten in place
    attacker.execute("UPDATE audit_auditevent SET object_label = %s WHERE seq = %s", ["forged", 3])

    # then
    report = chain_verify()
    assert report.broken is not None
    assert report.broken.seq == 3
    assert "content altered" in report.broken.reason
    assert report.checked == 2


def test_edited_json_payload_is_detected(chain, attacker):
    # given
    chain(3)

    # when the "after" payload of the first event is replaced
    attacker.execute("UPDATE audit_auditevent SET after = %s WHERE seq = %s", ['{"i": 99}', 1])

    # then
    report = chain_verify()
    assert report.broken is not None
    assert report.broken.seq == 1


def test_event_deleted_in_the_middle_is_detected(chain, attacker):
    # given
    chain(5)

    # when
    attacker.execute("DELETE FROM audit_auditevent WHERE seq = %s", [3])

    # then
    report = chain_verify()
    assert report.broken is not None
    assert report.broken.seq == 3
    assert "missing" in report.broken.reason


def test_truncated_tail_is_detected(chain, attacker):
    # given
    chain(5)

    # when the last event is deleted: every remaining link is intact
    attacker.execute("DELETE FROM audit_auditevent WHERE seq = %s", [5])

    # then the chain head still remembers event #5
    report = chain_verify()
    assert report.broken is not None
    assert report.broken.seq == 5
    assert "end of the chain" in report.broken.reason
    assert report.checked == 4


def test_deleting_the_chain_head_with_events_left_is_detected(chain, attacker):
    # given
    chain(2)

    # when
    attacker.execute("DELETE FROM audit_auditchainhead WHERE id = %s", [1])

    # then
    report = chain_verify()
    assert report.broken is not None
    assert "head missing" in report.broken.reason


def test_rehashed_event_breaks_the_next_link(chain, attacker):
    # given
    chain(5)
    event = AuditEvent.objects.get(seq=2)

    # when the attacker edits event #2 and recomputes its own hash to match the new content
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["object_label"] = "forged"
    forged_hash = event_hash(fields)
    attacker.execute(
        "UPDATE audit_auditevent SET object_label = %s, hash = %s WHERE seq = %s",
        ["forged", forged_hash, 2],
    )

    # then #2 itself checks out, and the break shows at #3, whose link still names the old hash
    report = chain_verify()
    assert report.broken is not None
    assert report.broken.seq == 3
    assert "link" in report.broken.reason
    assert report.checked == 2


def test_audit_verify_command_names_the_broken_event(chain, attacker):
    # given
    chain(4)
    attacker.execute("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["forged", 2])

    # when / then
    with pytest.raises(CommandError, match="#2"):
        call_command("audit_verify")


def test_audit_verify_command_reports_an_intact_chain(chain, capsys):
    # given
    chain(3)

    # when
    call_command("audit_verify")

    # then
    assert "3 events verified" in capsys.readouterr().out
