"""An executor's reply racing a re-route of the same question (PostgreSQL: real parallel writers).

Both lock the appeal first, so one waits for the other; whichever wins, the loser is refused and the
end state is one the services can reach one after another: an answer given is never cancelled
silently, one main executor is in force, and the audit chain verifies.
"""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest
from django.db import connection

from vikno.appeals import services
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus
from vikno.appeals.models import Assignment, AssignmentRole, Reply, ReplyResult
from vikno.appeals.services import Routing
from vikno.appeals.tests.factories import letter, register
from vikno.audit.selectors import chain_verify

ROUNDS = 6


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL: set DATABASE_URL")


def _race(*steps, head_start: int) -> list[BaseException]:
    """Start the steps together; step `head_start` goes a moment earlier, so both orders occur."""
    barrier = threading.Barrier(len(steps))
    errors: list[BaseException] = []

    def run(index: int, step) -> None:
        try:
            barrier.wait(timeout=30)
            if index != head_start:
                time.sleep(0.05)
            step()
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, step)) for i, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_racing_a_reroute_leaves_a_consistent_case(postgresql_only, book, operator,
                                                           supervisor, executor):
    orders = []
    for round_ in range(ROUNDS):
        # given an appeal routed to the council, taken into work
        appeal = register(actor=operator)
        council = Assignment.objects.get(question__appeal=appeal, role=AssignmentRole.MAIN)
        services.assignment_accept(actor=executor, assignment=council)
        question_id = council.question_id

        # when the council answers while the supervisor re-routes the question to the utility
        errors = _race(
            partial(services.reply_submit, **letter(), actor=executor, assignment=council,
                    result=ReplyResult.DONE, text="Виконано."),
            partial(services.appeal_assign, actor=supervisor, appeal=appeal,
                    question_ids=[question_id], routing=Routing(main_authority_code="ZAK-WATER")),
            head_start=round_ % 2,
        )

        # then exactly one of them was refused, with the case's own refusal
        assert len(errors) == 1, errors
        assert isinstance(errors[0], AppealsError), errors
        council.refresh_from_db()
        replied = Reply.objects.filter(assignment=council).exists()
        orders.append("reply first" if replied else "re-route first")
        # an answer given is never cancelled: answered and replied, or cancelled and not replied
        assert (council.status, replied) in {(AssignmentStatus.ANSWERED, True),
                                             (AssignmentStatus.CANCELLED, False)}
        # one main executor in force for the question
        in_force = Assignment.objects.filter(question_id=question_id, role=AssignmentRole.MAIN,
                                             status__in=ACTIVE_ASSIGNMENT_STATUSES)
        assert in_force.count() == 1
        expected = "ZAK-TG-BEREHOVE" if replied else "ZAK-WATER"
        assert in_force.get().authority.code == expected

    report = chain_verify()
    assert report.ok, report.broken
    # both orders were exercised (the head start decides who takes the appeal's lock first)
    assert set(orders) == {"reply first", "re-route first"}
