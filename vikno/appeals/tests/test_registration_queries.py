"""One registration costs a fixed number of queries: a reference looked up per registration (a
sub-topic, a classifier code, the routing rules) would show here as growth."""

from __future__ import annotations

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vikno.appeals.tests.factories import applicant_data, register
from vikno.audit.models import AuditEvent
from vikno.directory.models import RoutingRule

# Queries of one routed hotline registration of a new applicant (SQLite and PostgreSQL alike),
# and the maintained counts (ADR 27): one statement on PostgreSQL, one per table on SQLite (no
# data-modifying WITH there; in-process, no round trip). Fails if it grows: a reference looked up
# per registration shows here.
COUNTS = 1 if connection.vendor == "postgresql" else 3
QUERIES = 16 + COUNTS


def test_queries_of_one_registration(book, operator):
    # given one registration done already (per-process reference caches are warm, as in service)
    register(actor=operator, applicant=applicant_data(phone="0501112233"))

    # when another is registered
    with CaptureQueriesContext(connection) as captured:
        register(actor=operator, applicant=applicant_data(phone="0501112244"))

    # then: the applicant, the number, the appeal (in a savepoint), its question, its routing
    # term opened and closed, the assignment, the status move with its history line, the
    # counts, and the audit trail's head locked once for all four events; nothing read from the
    # references.
    sql = [q["sql"] for q in captured.captured_queries]
    assert len(sql) <= QUERIES, "\n".join(s[:120] for s in sql)
    assert sum("audit_auditchainhead" in s and s.startswith("SELECT") for s in sql) == 1
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
