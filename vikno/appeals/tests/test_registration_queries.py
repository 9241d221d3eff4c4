"""One registration costs a fixed number of queries: a reference looked up per registration (a
sub-topic, a classifier code, the routing rules) would show here as growth."""

from __future__ import annotations

import itertools
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vikno.appeals.models import DailyCount, Dimension, MonthlyCount, RegistrationCounter
from vikno.appeals.tests.factories import applicant_data, register
from vikno.audit.models import AuditEvent
from vikno.audit.selectors import chain_verify
from vikno.directory.models import RoutingRule

# Queries of one routed hotline registration of a new applicant, the test's savepoint included,
# and the maintained counts (ADR 30): on PostgreSQL inside the statement that takes the number
# (no round trip of their own), one statement per table on SQLite (no data-modifying WITH there).
# Fails if it grows: a reference looked up per registration shows here. PostgreSQL takes the
# number, writes it on the appeal, adds the counts and takes the audit trail's head in one
# statement (SQLite in six), then inserts the events and moves the head in one (SQLite in two);
# the text's words go into the search's vocabulary with the appeal's INSERT (SQLite: apart).
COUNTS = {"postgresql": 0, "sqlite": 3}
COUNTS_TABLES = re.compile(r"appeals_(daily|monthly|authority)count")
QUERIES = {vendor: base + COUNTS[vendor]
           for vendor, base in {"postgresql": 10, "sqlite": 14}.items()}


def _takes_head(sql: str) -> bool:
    return "audit_auditchainhead" in sql and (sql.startswith("SELECT") or "FOR UPDATE" in sql)


def test_queries_of_one_registration(book, operator):
    # given one registration done already (per-process reference caches are warm, as in service)
    register(actor=operator, applicant=applicant_data(phone="0501112233"))

    # when another is registered
    with CaptureQueriesContext(connection) as captured:
        register(actor=operator, applicant=applicant_data(phone="0501112244"))

    # then: the applicant, the appeal, its question, the assignment, the history line of the
    # status move, the routing term written already ended, the number with the status, the
    # counts, the text's words into the search's vocabulary, and the audit trail's head locked
    # once for all four events; nothing read from the references.
    sql = [q["sql"] for q in captured.captured_queries]
    assert len(sql) == QUERIES[connection.vendor], "\n".join(s[:120] for s in sql)
    assert sum(_takes_head(s) for s in sql) == 1
    assert not [s for s in sql if "directory_" in s]


def test_one_registration_appends_its_events_under_one_head_lock(book, operator):
    # when
    before = AuditEvent.objects.count()
    appeal = register(actor=operator, applicant=applicant_data(phone="0501112255"))

    # then: the chain is whole and the four events are there, in the order they happened
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [e.action for e in events] == ["applicant.create", "appeal.register", "assignment.create",
                                          "appeal.assign"]
    assert events[1].object_id == str(appeal.pk)
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(events))


def test_a_new_rule_routes_the_very_next_registration(book, operator):
    # given the rule book kept after one registration
    first = register(actor=operator, applicant=applicant_data(phone="0501112266"))
    assert first.questions.get().assignments.get().authority == book.council

    # when a more specific rule for the sub-topic is added
    RoutingRule.objects.create(subtopic=first.questions.get().subtopic, authority=book.utility)

    # then
    second = register(actor=operator, applicant=applicant_data(phone="0501112277"))
    assert second.questions.get().assignments.get().authority == book.utility


def test_the_number_is_taken_last_just_before_the_audit_append(book, operator):
    # given
    register(actor=operator, applicant=applicant_data(phone="0501112288"))

    # when
    with CaptureQueriesContext(connection) as captured:
        register(actor=operator, applicant=applicant_data(phone="0501112299"))

    # then the year's counter is locked after every row of the appeal is written: only the
    # number on the appeal's row, the maintained counts and the audit append (head, events,
    # head) follow it
    sql = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(
        ("SAVEPOINT", "RELEASE SAVEPOINT"))]
    counter = next(i for i, s in enumerate(sql) if "appeals_registrationcounter" in s)
    after = sql[counter + 1:]
    counted = [s for s in after if COUNTS_TABLES.search(s)]
    assert len(counted) == COUNTS[connection.vendor]
    assert not [s for s in sql[:counter] if COUNTS_TABLES.search(s)]
    after = [s for s in after if s not in counted]
    if connection.vendor == "postgresql":
        # the counts and the head are taken by the counter's own statement, after its row; the
        # events are inserted with the head's move in one statement
        assert COUNTS_TABLES.search(sql[counter]) and _takes_head(sql[counter])
        assert len(after) == 1
        assert after[0].startswith('WITH h AS (UPDATE "audit_auditchainhead"')
        assert 'INSERT INTO "audit_auditevent"' in after[0]
        return
    assert after[0].startswith('UPDATE "appeals_appeal"')
    assert [(s.split()[0], re.search(r'"(\w+)"', s)[1]) for s in after[1:]] == [  # type: ignore[index]
        ("SELECT", "audit_auditchainhead"), ("INSERT", "audit_auditevent"),
        ("UPDATE", "audit_auditchainhead")]


def test_the_years_first_registration_is_counted_once(book, operator):
    # given no counter row for the year yet (the number's statement then finds none and is run
    # again once the row exists)
    assert not RegistrationCounter.objects.exists()

    # when
    appeal = register(actor=operator, applicant=applicant_data(phone="0501112311"))

    # then the counts were added once, not once per attempt
    assert appeal.seq == 1
    received = DailyCount.objects.filter(dimension=Dimension.RECEIVED)
    assert sum(received.values_list("n", flat=True)) == 1
    assert sum(MonthlyCount.objects.filter(dimension=Dimension.RECEIVED)
               .values_list("n", flat=True)) == 1
    # and its events were chained once, under the head taken by the second attempt
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    assert chain_verify().ok


def test_the_events_and_the_appeal_quote_the_number_taken_at_the_end(book, operator):
    # when
    appeal = register(actor=operator, applicant=applicant_data(phone="0501112300"))

    # then nothing keeps the provisional number the appeal was written with
    appeal.refresh_from_db()
    assert appeal.number == f"ЗК-{appeal.year}-{appeal.seq:06d}"
    registered = AuditEvent.objects.get(action="appeal.register", object_id=str(appeal.pk))
    assert registered.object_label == appeal.number
    assert registered.after["number"] == appeal.number
    assigned = AuditEvent.objects.get(action="assignment.create")
    assert assigned.object_label == f"{appeal.number} → {book.council.code}"
    assert chain_verify().ok
